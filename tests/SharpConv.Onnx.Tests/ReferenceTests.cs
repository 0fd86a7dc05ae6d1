using System.Diagnostics;
using SharpConv.Compilation;
using Xunit.Abstractions;

namespace SharpConv.Onnx.Tests;

/// <summary>Every reference model and op case: import the ONNX file, run it at batch 2 (or 3), compare with PyTorch.</summary>
public sealed class ReferenceTests(ITestOutputHelper output)
{
    /// <summary>Models big enough that the naive reference kernels would take minutes: run on the compiled fast path.</summary>
    private static readonly HashSet<string> BigModels = ["densenet121", "googlenet", "resnet18", "squeezenet1_0", "squeezenet1_1"];

    public static TheoryData<string> Models => TestData.Cases("reference/models");
    public static TheoryData<string> OpCases => TestData.Cases("reference/ops");

    [Theory]
    [MemberData(nameof(Models))]
    public void Model_matches_pytorch(string name) =>
        Check(Path.Combine("models", name), BigModels.Contains(name) ? new CompileOptions() : CompileOptions.Reference);

    [Theory]
    [MemberData(nameof(OpCases))]
    public void Op_case_matches_pytorch_on_the_reference_path(string name) => Check(Path.Combine("ops", name), CompileOptions.Reference);

    [Theory]
    [MemberData(nameof(OpCases))]
    public void Op_case_matches_pytorch_on_the_fast_path(string name) => Check(Path.Combine("ops", name), new CompileOptions { Threads = 2 });

    private void Check(string relative, CompileOptions options)
    {
        Assert.NotEqual(TestData.Missing, Path.GetFileName(relative));
        string dir = Path.Combine(TestData.Reference, relative);
        var (inShape, outShape) = TestData.MetaShapes(dir);
        var input = TestData.ReadBin(Path.Combine(dir, "input.bin"), inShape);
        var expected = TestData.ReadBin(Path.Combine(dir, "output.bin"), outShape);

        var sw = Stopwatch.StartNew();
        var network = OnnxModel.Load(Path.Combine(dir, "model.onnx"));
        double loadMs = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        using var compiled = network.Compile(options);
        var actual = compiled.Run(input);
        double runMs = sw.Elapsed.TotalMilliseconds;

        Assert.Equal(outShape, actual.Shape);
        double rel = TestData.RelativeError(actual.Span, expected.Span);
        output.WriteLine($"{relative}: {network.Nodes.Count} nodes, declared input {network.InputShape}, run at {inShape}; " +
                         $"rel err {rel:E2}; load {loadMs:F0} ms, compile+run {runMs:F0} ms ({options.Kernels})");
        Assert.True(rel <= 1e-4, $"{relative}: relative error {rel:E3} > 1e-4");
        if (outShape.Rank == 2 && outShape[1] > 1)
            Assert.Equal(TestData.ArgMax(expected), TestData.ArgMax(actual));
    }
}
