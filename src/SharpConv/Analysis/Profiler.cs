using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SharpConv.Compilation;

namespace SharpConv.Analysis;

/// <summary>One layer's line in a profile.</summary>
public sealed record ProfileRow(
    string Name, string Kind, string Algorithm, string Stage, Shape OutputShape, long Parameters, long Macs,
    long ActivationBytes, double MedianMs, double Percent)
{
    /// <summary>Achieved GFLOP/s (2 FLOPs per MAC) at the median time; 0 for layers without MACs.</summary>
    public double GFlops => MedianMs > 0 && Macs > 0 ? 2.0 * Macs / (MedianMs * 1e6) : 0;
}

/// <summary>A rollup of rows sharing a layer kind or a stage.</summary>
public sealed record ProfileGroup(string Key, int Layers, long Parameters, long Macs, long ActivationBytes, double MedianMs, double Percent)
{
    /// <summary>Achieved GFLOP/s of the group.</summary>
    public double GFlops => MedianMs > 0 && Macs > 0 ? 2.0 * Macs / (MedianMs * 1e6) : 0;
}

/// <summary>Where the time goes in one compiled network at one batch size, measured on this machine.</summary>
public sealed class ProfileReport
{
    internal ProfileReport(string network, int batch, int threads, int runs, IReadOnlyList<ProfileRow> rows, double endToEndMedianMs)
    {
        Network = network; Batch = batch; Threads = threads; Runs = runs; Rows = rows; EndToEndMedianMs = endToEndMedianMs;
        ByKind = Group(r => r.Kind).OrderByDescending(g => g.MedianMs).ToList();
        ByStage = Group(r => r.Stage);
    }

    /// <summary>The network's name.</summary>
    public string Network { get; }
    /// <summary>Batch size profiled.</summary>
    public int Batch { get; }
    /// <summary>Threads used.</summary>
    public int Threads { get; }
    /// <summary>Timed runs (after warm-up).</summary>
    public int Runs { get; }
    /// <summary>One row per compiled step, in execution order.</summary>
    public IReadOnlyList<ProfileRow> Rows { get; }
    /// <summary>Rollup by layer kind, largest time first.</summary>
    public IReadOnlyList<ProfileGroup> ByKind { get; }
    /// <summary>Rollup by stage (top-level builder scope), in network order.</summary>
    public IReadOnlyList<ProfileGroup> ByStage { get; }
    /// <summary>Sum of the per-layer medians.</summary>
    public double LayerSumMs => Rows.Sum(r => r.MedianMs);
    /// <summary>Median wall time of a whole run, measured around the same runs.</summary>
    public double EndToEndMedianMs { get; }
    /// <summary>Multiply-accumulates of one run (whole batch).</summary>
    public long Macs => Rows.Sum(r => r.Macs);
    /// <summary>Achieved GFLOP/s of the whole run.</summary>
    public double GFlops => EndToEndMedianMs > 0 ? 2.0 * Macs / (EndToEndMedianMs * 1e6) : 0;

    private IReadOnlyList<ProfileGroup> Group(Func<ProfileRow, string> key)
    {
        double total = LayerSumMs;
        var groups = Rows.GroupBy(key).Select(g => new ProfileGroup(g.Key, g.Count(), g.Sum(r => r.Parameters), g.Sum(r => r.Macs),
            g.Sum(r => r.ActivationBytes), g.Sum(r => r.MedianMs), total > 0 ? 100 * g.Sum(r => r.MedianMs) / total : 0));
        return groups.ToList();
    }

    /// <summary>The report as JSON (rows, rollups, totals).</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("network", Network);
            w.WriteNumber("batch", Batch);
            w.WriteNumber("threads", Threads);
            w.WriteNumber("runs", Runs);
            w.WriteNumber("endToEndMedianMs", EndToEndMedianMs);
            w.WriteNumber("layerSumMs", LayerSumMs);
            w.WriteNumber("macs", Macs);
            w.WriteNumber("gflops", GFlops);
            w.WriteString("flopConvention", "1 MAC = 2 FLOPs");
            w.WriteStartArray("layers");
            foreach (var r in Rows)
            {
                w.WriteStartObject();
                w.WriteString("name", r.Name); w.WriteString("kind", r.Kind); w.WriteString("algorithm", r.Algorithm);
                w.WriteString("stage", r.Stage); w.WriteString("outputShape", r.OutputShape.ToString());
                w.WriteNumber("parameters", r.Parameters); w.WriteNumber("macs", r.Macs); w.WriteNumber("activationBytes", r.ActivationBytes);
                w.WriteNumber("medianMs", r.MedianMs); w.WriteNumber("percent", r.Percent); w.WriteNumber("gflops", r.GFlops);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            WriteGroups(w, "byKind", ByKind);
            WriteGroups(w, "byStage", ByStage);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteGroups(Utf8JsonWriter w, string name, IReadOnlyList<ProfileGroup> groups)
    {
        w.WriteStartArray(name);
        foreach (var g in groups)
        {
            w.WriteStartObject();
            w.WriteString("key", g.Key); w.WriteNumber("layers", g.Layers); w.WriteNumber("parameters", g.Parameters);
            w.WriteNumber("macs", g.Macs); w.WriteNumber("activationBytes", g.ActivationBytes);
            w.WriteNumber("medianMs", g.MedianMs); w.WriteNumber("percent", g.Percent); w.WriteNumber("gflops", g.GFlops);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>The rows as CSV (invariant culture, header first).</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder("name,kind,algorithm,stage,output_shape,parameters,macs,activation_bytes,median_ms,percent,gflops\n");
        foreach (var r in Rows)
            sb.Append(CultureInfo.InvariantCulture, $"{Csv(r.Name)},{r.Kind},{r.Algorithm},{Csv(r.Stage)},{r.OutputShape},{r.Parameters},{r.Macs},{r.ActivationBytes},{r.MedianMs:G6},{r.Percent:G4},{r.GFlops:G4}\n");
        return sb.ToString();
    }

    private static string Csv(string s) => s.Contains(',') || s.Contains('"') ? $"\"{s.Replace("\"", "\"\"")}\"" : s;
}

/// <summary>
/// Times every step of a compiled network: warm-up runs, then <c>runs</c> timed runs; each layer's time is its median
/// over the runs. Timing uses the step observer hook of <see cref="CompiledNetwork.Run(ReadOnlySpan{Tensor}, ReadOnlySpan{Tensor}, CancellationToken, IStepObserver?)"/>,
/// which costs nothing when no profiler is attached.
/// </summary>
public static class Profiler
{
    /// <summary>
    /// Runs a compiled network's steps once, reporting each to the observer — <see cref="CompiledNetwork.Run(ReadOnlySpan{Tensor}, ReadOnlySpan{Tensor}, CancellationToken, IStepObserver?)"/>
    /// itself, or another backend executing the same plan (the GPU backend).
    /// </summary>
    public delegate void NetworkRunner(ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs, CancellationToken cancellation, IStepObserver? observer);

    /// <summary>Profiles <paramref name="network"/> on <paramref name="input"/>.</summary>
    /// <param name="network">The compiled network.</param>
    /// <param name="input">The input (its batch size is the one profiled).</param>
    /// <param name="runs">Timed runs (≥ 1).</param>
    /// <param name="warmup">Untimed runs first.</param>
    /// <param name="progress">Receives the number of finished runs (warm-up included).</param>
    /// <param name="cancellation">Checked between layers.</param>
    public static ProfileReport Run(CompiledNetwork network, Tensor input, int runs = 10, int warmup = 2,
        IProgress<int>? progress = null, CancellationToken cancellation = default) =>
        Run(network, network.Run, input, runs, warmup, progress, cancellation);

    /// <summary>
    /// Profiles another executor of <paramref name="network"/>'s plan (e.g. the GPU backend), whose per-step algorithm
    /// names come from <paramref name="algorithmOf"/> (default: the CPU kernel's).
    /// </summary>
    public static ProfileReport Run(CompiledNetwork network, NetworkRunner runner, Tensor input, int runs, int warmup,
        IProgress<int>? progress, CancellationToken cancellation, Func<CompiledStep, string>? algorithmOf = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        var plan = network.PlanFor(input.Shape[0]);
        var outputs = plan.OutputSlots.Select(s => new Tensor(plan.SlotShapes[s])).ToArray();
        var inputs = new[] { input };
        var observer = new TimingObserver(plan.Steps.Count, runs);
        var wall = new double[runs];
        for (int i = 0; i < warmup; i++)
        {
            runner(inputs, outputs, cancellation, null);
            progress?.Report(i + 1);
        }
        for (int r = 0; r < runs; r++)
        {
            observer.Run = r;
            long start = Stopwatch.GetTimestamp();
            runner(inputs, outputs, cancellation, observer);
            wall[r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            progress?.Report(warmup + r + 1);
        }

        var medians = new double[plan.Steps.Count];
        for (int s = 0; s < medians.Length; s++) medians[s] = Median(Enumerable.Range(0, runs).Select(r => observer.Ticks[s, r] * 1000.0 / Stopwatch.Frequency));
        double sum = medians.Sum();
        var rows = plan.Steps.Select((step, s) => new ProfileRow(
            step.Name, step.Kind, algorithmOf?.Invoke(step) ?? step.Algorithm, step.Scope.Length == 0 ? step.Name : step.Scope.Split('.')[0], step.OutputShape,
            step.Op.TrainableParameterCount, step.Macs, step.OutputShape.ElementCount * sizeof(float),
            medians[s], sum > 0 ? 100 * medians[s] / sum : 0)).ToList();
        return new ProfileReport(network.Network.Name, input.Shape[0], network.Options.Threads, runs, rows, Median(wall));
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.OrderBy(x => x).ToArray();
        return v.Length == 0 ? 0 : v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    private sealed class TimingObserver(int steps, int runs) : IStepObserver
    {
        private long _start;
        public readonly long[,] Ticks = new long[steps, runs];
        public int Run;
        public void StepStarting(CompiledStep step) => _start = Stopwatch.GetTimestamp();
        public void StepFinished(CompiledStep step) => Ticks[step.Index, Run] = Stopwatch.GetTimestamp() - _start;
    }
}
