using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using SharpConv.Compilation;
using SharpConv.Graph;
using Spectre.Console;

namespace SharpConv.Cli.Commands;

/// <summary>
/// <c>sharpconv bench &lt;arch|model.onnx&gt; --batch 1,8 --threads 1,2</c>: for every batch × threads pair, compile, warm up
/// and time runs on a seeded random input; report images per second, latency percentiles and effective GFLOP/s
/// (2 × MACs / time) — like ncnn's benchncnn, for one model.
/// </summary>
public static class BenchCommand
{
    /// <summary>One batch × threads measurement.</summary>
    public sealed record Row(int Batch, int Threads, int Runs, double P50Ms, double P90Ms, double P99Ms, double MinMs, double ImagesPerSecond, double GFlops);

    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("model") { Description = "zoo architecture name or path to an .onnx file" };
        var batches = new Option<string>("--batch", "-b") { Description = "comma-separated batch sizes", DefaultValueFactory = _ => "1" };
        var threads = new Option<string>("--threads", "-t") { Description = "comma-separated thread counts", DefaultValueFactory = _ => Environment.ProcessorCount.ToString() };
        var runs = new Option<int>("--runs", "-r") { Description = "timed runs per configuration", DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { Description = "untimed runs first", DefaultValueFactory = _ => 3 };
        var json = new Option<string?>("--json") { Description = "also write the rows as JSON to this file" };
        var command = new Command("bench", "time a model over batch sizes and thread counts: img/s, latency percentiles, GFLOP/s") { model, batches, threads, runs, warmup, json };
        command.SetAction((parse, cancel) =>
        {
            var bs = ParseList(parse.GetValue(batches)!, "--batch");
            var ts = ParseList(parse.GetValue(threads)!, "--threads");
            int r = parse.GetValue(runs), w = parse.GetValue(warmup);
            if (r < 1) throw new CliException($"--runs must be ≥ 1, found {r}.");
            if (w < 0) throw new CliException($"--warmup must be ≥ 0, found {w}.");
            var net = NetworkSource.Resolve(parse.GetValue(model)!).Network;
            var rows = new List<Row>();
            void Measure(Action<double> advance)
            {
                foreach (int b in bs)
                    foreach (int t in ts)
                        rows.Add(Execute(net, b, t, r, w, () => advance(1), cancel));
            }
            int total = bs.Count * ts.Count * (r + w);
            if (context.Interactive)
                context.Console.Progress().Start(p =>
                {
                    var task = p.AddTask($"bench {net.Name}", maxValue: total);
                    Measure(task.Increment);
                });
            else Measure(_ => { });
            Render(context.Console, net, rows);
            if (parse.GetValue(json) is { } path)
                File.WriteAllText(path, JsonSerializer.Serialize(rows.Select(x => new Dictionary<string, object>
                {
                    ["network"] = net.Name, ["batch"] = x.Batch, ["threads"] = x.Threads, ["runs"] = x.Runs, ["p50Ms"] = x.P50Ms,
                    ["p90Ms"] = x.P90Ms, ["p99Ms"] = x.P99Ms, ["minMs"] = x.MinMs, ["imagesPerSecond"] = x.ImagesPerSecond, ["gflops"] = x.GFlops,
                }).ToList(), BenchJson.Options));
            return Task.FromResult(0);
        });
        return command;
    }

    private static List<int> ParseList(string text, string option)
    {
        var values = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, out int v) || v < 1) throw new CliException($"{option} takes positive integers separated by commas, found '{part}'.");
            values.Add(v);
        }
        if (values.Count == 0) throw new CliException($"{option} needs at least one value.");
        return values;
    }

    /// <summary>Compiles <paramref name="net"/> for <paramref name="threads"/> and times <paramref name="runs"/> runs at <paramref name="batch"/>.</summary>
    public static Row Execute(Network net, int batch, int threads, int runs, int warmup, Action? afterRun = null, CancellationToken cancel = default)
    {
        using var compiled = net.Compile(new CompileOptions { Threads = threads });
        var plan = compiled.PlanFor(batch);
        var input = Tensor.RandomNormal(net.InputShape.WithBatch(batch), 7);
        var output = new Tensor(plan.SlotShapes[plan.OutputSlots[0]]);
        for (int i = 0; i < warmup; i++) { compiled.Run(input, output, cancel); afterRun?.Invoke(); }
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            compiled.Run(input, output, cancel);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            afterRun?.Invoke();
        }
        Array.Sort(times);
        double Percentile(double p) => times[Math.Min(times.Length - 1, (int)Math.Ceiling(p * times.Length) - 1)];
        double p50 = Percentile(0.5);
        long macs = plan.Steps.Sum(s => s.Macs);
        return new Row(batch, threads, runs, p50, Percentile(0.9), Percentile(0.99), times[0], batch * 1000 / p50, 2.0 * macs / (p50 * 1e6));
    }

    private static void Render(IAnsiConsole console, Network net, IReadOnlyList<Row> rows)
    {
        var table = new Table().Title($"{net.Name}: {net.Macs / (double)net.InputShape[0] / 1e9:0.###} GMACs per image (1 MAC = 2 FLOPs)")
            .AddColumns("batch", "threads", "p50 ms", "p90 ms", "p99 ms", "min ms", "img/s", "GFLOP/s");
        foreach (var c in table.Columns.Skip(0)) c.RightAligned();
        foreach (var r in rows)
            table.AddRow(r.Batch.ToString(), r.Threads.ToString(), $"{r.P50Ms:0.00}", $"{r.P90Ms:0.00}", $"{r.P99Ms:0.00}", $"{r.MinMs:0.00}", $"{r.ImagesPerSecond:0.0}", $"{r.GFlops:0.0}");
        console.Write(table);
        var one = rows.FirstOrDefault(r => r.Threads == 1);
        var two = rows.FirstOrDefault(r => r.Threads == 2 && one is not null && r.Batch == one.Batch);
        if (one is not null && two is not null)
            console.MarkupLine($"2 threads / 1 thread at batch {one.Batch}: [bold]{two.ImagesPerSecond / one.ImagesPerSecond:0.00}×[/]");
    }
}

internal static class BenchJson
{
    public static readonly JsonSerializerOptions Options = new() { WriteIndented = true, TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() };
}
