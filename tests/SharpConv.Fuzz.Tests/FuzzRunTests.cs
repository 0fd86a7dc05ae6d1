using System.Diagnostics;
using Xunit.Abstractions;

namespace SharpConv.Fuzz.Tests;

/// <summary>The bounded CI fuzz run: ≥ 10,000 mutated models (and some images), no crash, hang or wrong answer.</summary>
public sealed class FuzzRunTests(ITestOutputHelper output)
{
    /// <summary>Small, fast seeds: LeNet-5 and operator cases covering conv, pooling, shape glue, concat, LRN, pads.</summary>
    private static readonly string[] SeedOps =
    [
        "conv_k3_s1_p1_g2", "conv_k3_s2_asympad_r1b1", "maxpool_k3_s2_p1_ceil", "avgpool_k3_s2_p1_ceil_incl", "flatten_view_dynamic",
        "residual_add_projection", "fire_module", "lrn_size5_native_onnx", "pad_channels_only", "softmax_dim1_4d", "batchnorm2d",
        "join_mean_stack", "shortcut_zero_pad_channels", "classifier_head",
    ];

    [Fact]
    public void Ten_thousand_mutated_models_give_only_typed_errors()
    {
        var models = new List<string> { Path.Combine(Paths.Reference, "models", "lenet5", "model.onnx") };
        models.AddRange(SeedOps.Select(op => Path.Combine(Paths.Reference, "ops", op, "model.onnx")));
        foreach (var m in models) Assert.True(File.Exists(m), $"seed model missing: {m}");
        var images = Directory.GetFiles(Paths.Images).Where(f => !f.EndsWith("photo.jpg", StringComparison.Ordinal)).Order().ToList();

        var sw = Stopwatch.StartNew();
        var report = FuzzSession.Run(new FuzzOptions
        {
            Iterations = 11_200,
            Seed = 20250601,
            Models = models,
            Images = images,
            ImageFraction = 0.09,
            CrashDirectory = Path.Combine(Path.GetTempPath(), "sharpconv-fuzz-ci"),
            Case = new CaseSettings { Timeout = TimeSpan.FromSeconds(20) },
        });
        output.WriteLine(report.ToString());
        Assert.True(report.ModelCases >= 10_000, $"only {report.ModelCases} model cases");
        Assert.True(report.FailureCount == 0, report.ToString());
        // Every category of outcome is exercised, so the mutations reach deep into the importer, compiler and kernels.
        Assert.True(report.Counts[Outcome.Ok] > 500, report.ToString());
        Assert.True(report.Counts[Outcome.ModelFormat] > 1000, report.ToString());
        Assert.True(report.Counts[Outcome.LimitExceeded] > 10, report.ToString());
        Assert.True(report.Counts[Outcome.ImageFormat] > 100, report.ToString());
        output.WriteLine($"{sw.Elapsed.TotalSeconds:N1} s");
    }

    [Fact]
    public void Case_seeds_are_stable()
    {
        // Replaying a case (--seed S --start i --iterations 1) depends on this mixing never changing.
        Assert.Equal(FuzzSession.CaseSeed(1, 0), FuzzSession.CaseSeed(1, 0));
        Assert.NotEqual(FuzzSession.CaseSeed(1, 0), FuzzSession.CaseSeed(1, 1));
        var options = new FuzzOptions { Iterations = 150, Seed = 5, Models = [Path.Combine(Paths.Reference, "models", "lenet5", "model.onnx")] };
        var a = FuzzSession.Run(options);
        var b = FuzzSession.Run(options);
        Assert.Equal(a.Counts, b.Counts);
    }

    [Fact]
    public void Untyped_exceptions_and_timeouts_are_failures()
    {
        Assert.Equal(Outcome.Crash, CaseRunner.Classify(new IndexOutOfRangeException()));
        Assert.Equal(Outcome.Crash, CaseRunner.Classify(new OutOfMemoryException()));
        Assert.Equal(Outcome.LimitExceeded, CaseRunner.Classify(new LimitExceededException("x", "y", 1)));
        Assert.NotNull(CaseRunner.Compare([1f, 2f], [1f, 3f], 1e-2));
        Assert.Null(CaseRunner.Compare([1f, 2f], [1f, 2.000001f], 1e-2));
    }
}

/// <summary>Where the shared reference data and the repository's images are.</summary>
internal static class Paths
{
    private static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SharpConv.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("SharpConv.sln not found above the test folder.");
    }

    /// <summary>The shared reference folder ($SHARPCONV_SHARED/reference or ../shared/reference).</summary>
    public static string Reference
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("SHARPCONV_SHARED");
            var shared = !string.IsNullOrEmpty(env) ? env : Path.Combine(Path.GetDirectoryName(Root())!, "shared");
            var r = Path.Combine(shared, "reference");
            return Directory.Exists(r) ? r : throw new Xunit.Sdk.XunitException($"shared reference data not found at {r} (set SHARPCONV_SHARED).");
        }
    }

    /// <summary>data/images of the repository.</summary>
    public static string Images => Path.Combine(Root(), "data", "images");
}
