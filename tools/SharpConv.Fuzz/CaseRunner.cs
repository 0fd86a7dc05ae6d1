using System.Diagnostics;
using SharpConv.Compilation;
using SharpConv.Graph;
using SharpConv.Imaging;
using SharpConv.Onnx;

namespace SharpConv.Fuzz;

/// <summary>How one fuzz case ended. Everything from <see cref="Crash"/> on is a failure of SharpConv.</summary>
public enum Outcome
{
    /// <summary>The model loaded, compiled and ran (or the image decoded and was preprocessed).</summary>
    Ok,
    /// <summary>The model loaded and compiled but is too large to run within the harness's work budget.</summary>
    OkNotRun,
    /// <summary><see cref="ModelFormatException"/>.</summary>
    ModelFormat,
    /// <summary><see cref="UnsupportedOperatorException"/>.</summary>
    Unsupported,
    /// <summary><see cref="LimitExceededException"/>.</summary>
    LimitExceeded,
    /// <summary><see cref="ShapeMismatchException"/>.</summary>
    ShapeMismatch,
    /// <summary><see cref="InvalidLayerException"/>.</summary>
    InvalidLayer,
    /// <summary><see cref="GraphException"/>.</summary>
    Graph,
    /// <summary><see cref="ImageFormatException"/>.</summary>
    ImageFormat,
    /// <summary>Another <see cref="SharpConvException"/>.</summary>
    OtherSharpConv,
    /// <summary>An exception that is not a <see cref="SharpConvException"/> (IndexOutOfRange, NullReference, OutOfMemory…).</summary>
    Crash,
    /// <summary>The case did not finish before its deadline.</summary>
    Hang,
    /// <summary>The case allocated more than the harness's per-case budget.</summary>
    Overallocation,
    /// <summary>The fast kernels disagree with the reference kernels on a model that ran (a silently wrong answer).</summary>
    Mismatch,
}

/// <summary>The result of one case.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="Elapsed">Wall time of the case.</param>
/// <param name="AllocatedBytes">Bytes allocated by the case's thread.</param>
/// <param name="Detail">The exception (type and message) or other detail for failures; null when fine.</param>
public sealed record CaseResult(Outcome Outcome, TimeSpan Elapsed, long AllocatedBytes, string? Detail)
{
    /// <summary>True for outcomes that are failures of SharpConv.</summary>
    public bool IsFailure => Outcome >= Outcome.Crash;
}

/// <summary>What one case does and how it is bounded.</summary>
public sealed record CaseSettings
{
    /// <summary>Deadline of one case; a case still running after it is a hang.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Bytes one case may allocate before it counts as unbounded allocation.</summary>
    public long MaxAllocatedBytes { get; init; } = 1L << 30;
    /// <summary>Models with more multiply-accumulates than this (at batch 1) are loaded and compiled but not run.</summary>
    public long MaxRunMacs { get; init; } = 50_000_000;
    /// <summary>Compare the fast kernels' output with the reference kernels' on every model that runs.</summary>
    public bool Differential { get; init; } = true;
    /// <summary>Relative tolerance (max|fast − ref| / max|ref|) of the differential check.</summary>
    public double Tolerance { get; init; } = 1e-2;
    /// <summary>Images per run. Above 1 the batch-wide paths run: concatenations written in place at an image
    /// stride, batch folding, Winograd tiles across images.</summary>
    public int Batch { get; init; } = 1;
    /// <summary>Threads of the fast run (the reference always runs on one).</summary>
    public int Threads { get; init; } = 1;
}

/// <summary>
/// Runs one fuzz case (an ONNX model or an encoded image) on its own thread with a deadline and classifies the outcome.
/// Only a <see cref="SharpConvException"/> is an acceptable failure; anything else, a timeout or an excessive
/// allocation is a failure of SharpConv.
/// </summary>
public static class CaseRunner
{
    private static int _abandoned;

    /// <summary>Threads left running after a deadline (they are background threads, cancelled where possible).</summary>
    public static int AbandonedThreads => Volatile.Read(ref _abandoned);

    /// <summary>
    /// Lowers the process-wide <see cref="Limits"/> to sizes a fuzzer can afford (16M elements per tensor, 64M per
    /// plan), so that a model asking for more fails with <see cref="LimitExceededException"/> instead of taking
    /// gigabytes per case. Returns an action restoring the previous values.
    /// </summary>
    public static Action UseFuzzLimits()
    {
        long tensor = Limits.MaxTensorElements, total = Limits.MaxTotalElements, bytes = Limits.MaxModelBytes;
        int nodes = Limits.MaxNodes;
        Limits.MaxTensorElements = 1L << 24;
        Limits.MaxTotalElements = 1L << 26;
        Limits.MaxModelBytes = 64L << 20;
        Limits.MaxNodes = 10_000;
        return () => { Limits.MaxTensorElements = tensor; Limits.MaxTotalElements = total; Limits.MaxModelBytes = bytes; Limits.MaxNodes = nodes; };
    }

    /// <summary>Loads, compiles and runs an ONNX model under the deadline.</summary>
    public static CaseResult RunModel(byte[] model, CaseSettings settings) => Guarded(ct => ModelBody(model, settings, ct), settings);

    /// <summary>Decodes and preprocesses an image under the deadline.</summary>
    public static CaseResult RunImage(byte[] image, CaseSettings settings) => Guarded(_ => ImageBody(image), settings);

    /// <summary>The classification of an exception thrown by a case.</summary>
    public static Outcome Classify(Exception e) => e switch
    {
        ModelFormatException => Outcome.ModelFormat,
        UnsupportedOperatorException => Outcome.Unsupported,
        LimitExceededException => Outcome.LimitExceeded,
        ShapeMismatchException => Outcome.ShapeMismatch,
        InvalidLayerException => Outcome.InvalidLayer,
        GraphException => Outcome.Graph,
        ImageFormatException => Outcome.ImageFormat,
        SharpConvException => Outcome.OtherSharpConv,
        _ => Outcome.Crash,
    };

    private static CaseResult Guarded(Func<CancellationToken, (Outcome, string?)> body, CaseSettings settings)
    {
        using var cts = new CancellationTokenSource();
        Outcome outcome = Outcome.Crash;
        string? detail = null;
        long allocated = 0;
        var sw = Stopwatch.StartNew();
        var thread = new Thread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try { (outcome, detail) = body(cts.Token); }
            catch (OperationCanceledException) when (cts.IsCancellationRequested) { outcome = Outcome.Hang; }
            catch (Exception e)
            {
                outcome = Classify(e);
                if (outcome == Outcome.Crash) detail = e.ToString();
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }) { IsBackground = true, Name = "fuzz case" };
        thread.Start();
        if (!thread.Join(settings.Timeout))
        {
            cts.Cancel();
            if (!thread.Join(TimeSpan.FromSeconds(1))) Interlocked.Increment(ref _abandoned);
            return new CaseResult(Outcome.Hang, sw.Elapsed, allocated, $"did not finish within {settings.Timeout.TotalSeconds:0.#} s");
        }
        sw.Stop();
        if (outcome < Outcome.Crash && allocated > settings.MaxAllocatedBytes)
            return new CaseResult(Outcome.Overallocation, sw.Elapsed, allocated, $"allocated {allocated:N0} bytes (budget {settings.MaxAllocatedBytes:N0})");
        return new CaseResult(outcome, sw.Elapsed, allocated, detail);
    }

    private static (Outcome, string?) ModelBody(byte[] bytes, CaseSettings settings, CancellationToken ct)
    {
        Network network = OnnxModel.Load(bytes);
        ct.ThrowIfCancellationRequested();
        using var compiled = network.Compile(new CompileOptions { Threads = settings.Threads });
        ct.ThrowIfCancellationRequested();
        // A small input: a batch of the declared shape (one image unless asked otherwise).
        int batch = settings.Batch;
        var inputs = new Tensor[network.Inputs.Count];
        for (int i = 0; i < inputs.Length; i++)
        {
            var s = network.Inputs[i].OutputShape;
            var shape = s.Rank > 0 ? s.WithBatch(batch) : s;
            Limits.CheckTensorElements(shape, "fuzz input");
            inputs[i] = Tensor.RandomNormal(shape, 42 + i);
        }
        long macs = network.Macs;
        if (macs > settings.MaxRunMacs / batch || macs < 0) return (Outcome.OkNotRun, null);
        var plan = compiled.PlanFor(inputs[0].Shape.Rank > 0 ? inputs[0].Shape[0] : 1);
        var outputs = new Tensor[plan.OutputSlots.Count];
        for (int i = 0; i < outputs.Length; i++) outputs[i] = new Tensor(plan.SlotShapes[plan.OutputSlots[i]]);
        compiled.Run(inputs, outputs, ct);
        if (settings.Differential && inputs.Length == 1)
        {
            using var reference = network.Compile(CompileOptions.Reference);
            var expected = reference.Run(inputs[0], ct);
            string? problem = Compare(outputs[0].Span, expected.Span, settings.Tolerance);
            if (problem is not null) return (Outcome.Mismatch, problem);
        }
        return (Outcome.Ok, null);
    }

    /// <summary>
    /// Compares fast and reference outputs; null when they agree. Outputs whose reference is not finite or is huge
    /// (where summation order legitimately changes the result) are not compared.
    /// </summary>
    public static string? Compare(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, double tolerance)
    {
        if (actual.Length != expected.Length) return $"length {actual.Length} vs reference {expected.Length}";
        double maxRef = 0, maxDiff = 0; int worst = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            float e = expected[i];
            if (!float.IsFinite(e) || Math.Abs(e) > 1e15f) return null;
            maxRef = Math.Max(maxRef, Math.Abs(e));
        }
        for (int i = 0; i < expected.Length; i++)
        {
            double d = Math.Abs((double)actual[i] - expected[i]);
            if (double.IsNaN(d)) d = double.PositiveInfinity;
            if (d > maxDiff) { maxDiff = d; worst = i; }
        }
        double rel = maxRef == 0 ? maxDiff : maxDiff / maxRef;
        return rel > tolerance ? $"fast kernels differ from the reference by {rel:G3} (relative) at element {worst}: {actual[worst]} vs {expected[worst]}" : null;
    }

    private static (Outcome, string?) ImageBody(byte[] bytes)
    {
        var limits = new ImageLimits { MaxDimension = 8192, MaxPixels = 1L << 24, MaxFileBytes = 16L << 20 };
        var image = Image.Decode(bytes, "fuzz", limits);
        if ((long)image.Width * image.Height * image.Channels != image.Pixels.LongLength)
            throw new InvalidOperationException($"decoded {image} holds {image.Pixels.LongLength} bytes");
        if (image.Width * (long)image.Height <= 1 << 20)
        {
            var tensor = Preprocess.ImageNet(cropSize: 24, resizeSize: 28).Apply(image);
            if (tensor.Shape != new Shape(1, 3, 24, 24)) throw new InvalidOperationException($"preprocessed to {tensor.Shape}");
            foreach (float v in tensor.Span)
                if (!float.IsFinite(v)) throw new InvalidOperationException("preprocessing produced a non-finite value");
        }
        return (Outcome.Ok, null);
    }
}
