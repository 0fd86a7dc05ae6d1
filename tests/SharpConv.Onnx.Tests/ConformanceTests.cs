using System.Text.Json;
using SharpConv.Compilation;
using SharpConv.Onnx.Import;
using SharpConv.Onnx.Protobuf;
using Xunit.Abstractions;

namespace SharpConv.Onnx.Tests;

/// <summary>
/// ONNX's own backend node tests (shared/onnx-node-tests) with ONNX's comparison rule:
/// same shape, |actual − expected| ≤ atol + rtol·|expected| (rtol 1e-3, atol 1e-7).
/// Input 0 is the network's runtime input; the other inputs (weights, shapes, axes, pads) are bound as constants.
/// </summary>
public sealed class ConformanceTests(ITestOutputHelper output)
{
    /// <summary>
    /// Cases SharpConv does not pass, each with its reason. The test asserts that each of these really fails with a
    /// typed error (so the list cannot go stale silently), and the reasons are printed and documented in
    /// docs/onnx-operators.md.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> KnownUnsupported = new Dictionary<string, string>
    {
        ["test_dropout_default_mask"] = "Dropout's second output (the bool mask) is not supported: SharpConv tensors are float32.",
        ["test_dropout_default_mask_ratio"] = "Dropout's second output (the bool mask) is not supported: SharpConv tensors are float32.",
        ["test_maxpool_with_argmax_2d_precomputed_pads"] = "MaxPool's second output (int64 Indices) is not supported.",
        ["test_maxpool_with_argmax_2d_precomputed_strides"] = "MaxPool's second output (int64 Indices) is not supported.",
        ["test_reshape_allowzero_reordered"] = "a zero-sized input ([0,3,4]): SharpConv networks run batches of at least 1.",
    };

    /// <summary>
    /// Operators SharpConv supports only as load-time shape glue (<see cref="ConstantFolder"/>): their cases are run
    /// through the folder with every input bound, and compared exactly (integers) or with ONNX's tolerance.
    /// </summary>
    private static readonly HashSet<string> FoldedOps = ["Shape", "ConstantOfShape", "Constant", "Gather"];

    public static TheoryData<string> Cases => TestData.Cases("onnx-node-tests", d => d.StartsWith("test_", StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Conformance_case(string name)
    {
        Assert.NotEqual(TestData.Missing, name);
        string dir = Path.Combine(TestData.NodeTests, name);
        var model = ModelReader.ReadFile(Path.Combine(dir, "model.onnx"));
        string op = model.Graph.Node[0].OpType;
        var inputs = model.Graph.Input.Select((vi, i) => (vi.Name, Value: ReadPb(Path.Combine(dir, "test_data_set_0", $"input_{i}.pb")))).ToList();
        var expected = model.Graph.Output.Select((vi, i) => ReadPb(Path.Combine(dir, "test_data_set_0", $"output_{i}.pb"))).ToList();

        if (KnownUnsupported.TryGetValue(name, out var reason))
        {
            var e = Record.Exception(() => RunRuntime(model, name, inputs, expected));
            Assert.True(e is UnsupportedOperatorException or ModelFormatException or ShapeMismatchException,
                $"{name} is listed as unsupported ({reason}) but did not fail with a typed error: {e?.GetType().Name ?? "it passed — remove it from the list"}");
            output.WriteLine($"{name}: KNOWN UNSUPPORTED — {reason} (raises {e!.GetType().Name}: {e.Message})");
            return;
        }

        if (FoldedOps.Contains(op) || inputs.Count == 0 || inputs[0].Value.Kind != ConstKind.Float)
        {
            var options = new OnnxLoadOptions { TypedConstants = inputs.ToDictionary(i => i.Name, i => i.Value) };
            var folded = OnnxImporter.FoldConstantGraph(model, name, options);
            for (int i = 0; i < expected.Count; i++) CompareConst(name, folded[i], expected[i]);
            output.WriteLine($"{name}: folded at load time ({op}), {expected.Count} output(s) equal");
            return;
        }
        RunRuntime(model, name, inputs, expected);
    }

    private void RunRuntime(ModelProto model, string name, List<(string Name, ConstTensor Value)> inputs, List<ConstTensor> expected)
    {
        var options = new OnnxLoadOptions { TypedConstants = inputs.Skip(1).ToDictionary(i => i.Name, i => i.Value) };
        var network = OnnxImporter.Import(model, name, null, options);
        var x = inputs[0].Value.ToTensor();
        foreach (var kernels in new[] { CompileOptions.Reference, new CompileOptions { Threads = 2 } })
        {
            using var compiled = network.Compile(kernels);
            var outs = expected.Select(e => new Tensor(e.Shape)).ToArray();
            Assert.Equal(expected.Count, network.Outputs.Count);
            compiled.Run([x], outs);
            for (int i = 0; i < expected.Count; i++)
            {
                Assert.Equal(ConstTensor.TypeFloat, expected[i].OnnxType);
                CompareFloats($"{name} ({kernels.Kernels})", outs[i].Span, expected[i].ToTensor().Span);
            }
        }
        output.WriteLine($"{name}: {network.Nodes.Count} SharpConv nodes, reference and fast paths within rtol 1e-3, atol 1e-7");
    }

    private static ConstTensor ReadPb(string path) =>
        TensorReader.Read(TensorProto.Parser.ParseFrom(File.ReadAllBytes(path)), null, Path.GetFileName(path));

    private static void CompareConst(string name, ConstTensor actual, ConstTensor expected)
    {
        Assert.Equal(expected.Dims, actual.Dims);
        Assert.Equal(expected.Kind, actual.Kind);
        if (expected.Kind == ConstKind.Int)
            Assert.Equal(expected.ToLongs(name), actual.ToLongs(name));
        else
            CompareFloats(name, actual.Floats, expected.Floats);
    }

    private static void CompareFloats(string name, ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        const double rtol = 1e-3, atol = 1e-7;
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double a = actual[i], e = expected[i];
            bool ok = (double.IsNaN(a) && double.IsNaN(e)) || Math.Abs(a - e) <= atol + rtol * Math.Abs(e);
            Assert.True(ok, $"{name}: element {i}: {a:G9} vs expected {e:G9}");
        }
    }
}
