using Google.Protobuf;
using SharpConv.Onnx.Protobuf;
using static SharpConv.Onnx.Tests.ModelFactory;

namespace SharpConv.Onnx.Tests;

/// <summary>
/// One test per crash the fuzzer (tools/SharpConv.Fuzz, docs/fuzzing.md) found: each model used to escape as an
/// untyped exception (OverflowException, IndexOutOfRange, InvalidOperation, ArgumentException) or to compute a wrong
/// count, and must now give a typed <see cref="SharpConvException"/> or the right answer.
/// </summary>
public sealed class FuzzRegressionTests
{
    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };
    private static AttributeProto Str(string name, string value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    private static TensorProto Longs(string name, params long[] values)
    {
        var t = new TensorProto { Name = name, DataType = 7 };
        t.Dims.Add(values.Length); t.Int64Data.AddRange(values);
        return t;
    }

    private static TensorProto Scalar(string name, long value)
    {
        var t = new TensorProto { Name = name, DataType = 7 };
        t.Int64Data.Add(value);
        return t;
    }

    private static T Fails<T>(ModelProto m) where T : SharpConvException
    {
        var e = Assert.ThrowsAny<SharpConvException>(() => OnnxModel.Load(Bytes(m)));
        return Assert.IsType<T>(e);
    }

    [Fact]
    public void Folded_constant_whose_dimensions_overflow_is_a_model_format_error()
    {
        // Fuzz case seed 9 #19080 (flatten_module with a Constant node and a shape blow-up): was OverflowException.
        var bytes = Convert.FromBase64String("CAcSB3B5dG9yY2gaBjEuMTMuMDIAOvsCCkoKE2Jsb3d1cF8zNjY3NzRfc2hhcGUSD2Jsb3d1cF8zNjY3NzRfYxoRYmxvd3VwXzM2Njc3NF9jb3MiD0NvbnN0YW50T2ZTaGFwZQo/CgVpbnB1dAoPYmxvd3VwXzM2Njc3NF9jEhFibG93dXBfMzY2Nzc0X291dBoNYmxvd3VwXzM2Njc3NCIDQWRkCjkSCGNvbnN0XzM2Gghjb25zdF8zNiIIQ29uc3RhbnQqGQoFdmFsdWUqDQj///////////8BEAGgAQQKNAoIY29uc3RfMzYSBm91dHB1dBoIL0ZsYXR0ZW4iB0ZsYXR0ZW4qCwoEYXhpcxgBoAECMgASCXRvcmNoX2ppdCooCAYQBzoNAYCABICABIAggIAgAEITYmxvd3VwXzM2Njc3NF9zaGFwZVIAWiQKBWlucHV0EhsKGQgBEhUKBxIFYmF0Y2gKAggICgIIDQoCCBFiHgoGb3V0cHV0EhQKEggBEg4KBxIFYmF0Y2gKAwjoDUICEA0=");
        var e = Assert.ThrowsAny<SharpConvException>(() => OnnxModel.Load(bytes));
        Assert.IsType<ModelFormatException>(e);
    }

    [Fact]
    public void Batch_dependent_shape_used_as_a_runtime_constant_is_a_model_format_error()
    {
        // Shape(x) = [N, 2] folds symbolically; adding it to x needs its numbers (was InvalidOperationException).
        var m = Model([Node("Shape", ["x"], ["s"]), Node("Cast", ["s"], ["sf"], null, Int("to", 1)), Node("Add", ["x", "sf"], ["y"])], [Input("x", -1, 2)], ["y"]);
        var e = Fails<ModelFormatException>(m);
        Assert.Contains("batch size", e.Message);
    }

    [Fact]
    public void Scalar_graph_input_is_a_model_format_error()
    {
        // A rank-0 input compiled, then planning a batch indexed dimension 0 of [] (IndexOutOfRange in ExecutionPlan).
        var m = Model([Node("Tanh", ["x"], ["y"])], [Input("x")], ["y"]);
        Fails<ModelFormatException>(m);
        Assert.Throws<InvalidLayerException>(() => new SharpConv.Graph.NetworkBuilder("n").Input(new Shape()));
    }

    [Fact]
    public void Reshape_whose_target_overflows_64_bits_is_a_limit_error()
    {
        // Was OverflowException from checked shape arithmetic.
        var m = Model([Node("Reshape", ["x", "shape"], ["y"], "reshape")], [Input("x", -1, 4)],
            ["y"], [Longs("shape", -1, 1L << 40, 1L << 40, 1L << 40)]);
        var e = Fails<LimitExceededException>(m);
        Assert.Contains("reshape", e.Message);
    }

    [Fact]
    public void Reshape_whose_inferred_dimension_does_not_divide_is_a_model_format_error()
    {
        // 7 elements to [-1, 2] used to fold to [3, 2] holding 7 values (InvalidOperationException).
        var c = Floats("c", [7], [1, 2, 3, 4, 5, 6, 7]);
        var m = Model([Node("Reshape", ["c", "shape"], ["r"]), Node("Add", ["x", "r"], ["y"])], [Input("x", -1, 3, 2)], ["y"], [c, Longs("shape", -1, 2)]);
        var e = Fails<ModelFormatException>(m);
        Assert.Contains("not a multiple", e.Message);
    }

    [Fact]
    public void Slice_with_a_negative_step_of_an_empty_axis_gives_nothing()
    {
        // Math.Clamp(s, 0, −1) threw ArgumentException.
        var empty = new TensorProto { Name = "e", DataType = 1 };
        empty.Dims.AddRange([0, 2]);
        var m = Model([Node("Slice", ["e", "starts", "ends", "axes", "steps"], ["s"]), Node("Concat", ["x", "s"], ["y"], null, Int("axis", 0))],
            [Input("x", 1, 2)], ["y"], [empty, Longs("starts", -1), Longs("ends", -10), Longs("axes", 0), Longs("steps", -1)]);
        var net = OnnxModel.Load(Bytes(m));
        Assert.Equal([3f, 4f], net.RunReference(new Tensor(new Shape(1, 2), [3, 4])).ToArray());
    }

    [Fact]
    public void Slice_with_a_step_near_2_to_the_63_takes_one_element()
    {
        // (end − start + step − 1) / step overflowed to a negative count.
        var c = Floats("c", [5], [10, 20, 30, 40, 50]);
        var m = Model([Node("Slice", ["c", "starts", "ends", "axes", "steps"], ["s"]), Node("Add", ["x", "s"], ["y"])],
            [Input("x", -1, 1)], ["y"], [c, Longs("starts", 0), Longs("ends", 5), Longs("axes", 0), Longs("steps", long.MaxValue)]);
        var net = OnnxModel.Load(Bytes(m));
        Assert.Equal([11f], net.RunReference(new Tensor(new Shape(1, 1), [1])).ToArray());
    }

    [Fact]
    public void Concat_of_different_ranks_is_a_model_format_error()
    {
        // Shape[axis] of the lower-rank input threw IndexOutOfRange.
        var m = Model([Node("Concat", ["x", "c"], ["y"], null, Int("axis", 2))], [Input("x", -1, 2, 3)], ["y"], [Floats("c", [3], [1, 2, 3])]);
        Fails<ModelFormatException>(m);
    }

    [Theory]
    [InlineData("strides")]
    [InlineData("dilations")]
    public void Pool_with_too_few_strides_or_dilations_is_a_model_format_error(string attribute)
    {
        // strides[1] threw IndexOutOfRange.
        var m = Model([Node("AveragePool", ["x"], ["y"], "pool", Ints("kernel_shape", 2, 2), Ints(attribute, 2))], [Input("x", -1, 1, 8, 8)], ["y"]);
        var e = Fails<ModelFormatException>(m);
        Assert.Contains("pool", e.Message);
    }

    [Fact]
    public void Same_padding_with_a_zero_stride_is_a_model_format_error()
    {
        // (spatial + stride − 1) / stride divided by zero.
        var m = Model([Node("MaxPool", ["x"], ["y"], "pool", Ints("kernel_shape", 2, 2), Ints("strides", 0, 0), Str("auto_pad", "SAME_UPPER"))],
            [Input("x", -1, 1, 8, 8)], ["y"]);
        Fails<ModelFormatException>(m);
    }

    [Fact]
    public void Range_with_empty_or_extreme_arguments_fails_with_a_typed_error()
    {
        // An empty start threw IndexOutOfRange; limit − start overflowed 64 bits to a negative (empty) count.
        var empty = new TensorProto { Name = "start", DataType = 7 };
        empty.Dims.Add(0);
        ModelProto M(TensorProto start, long limit) => Model(
            [Node("Range", ["start", "limit", "delta"], ["r"]), Node("Cast", ["r"], ["rf"], null, Int("to", 1)), Node("Add", ["x", "rf"], ["y"])],
            [Input("x", -1, 3)], ["y"], [start, Scalar("limit", limit), Scalar("delta", 1)]);
        Fails<ModelFormatException>(M(empty, 3));
        Fails<LimitExceededException>(M(Scalar("start", long.MinValue), long.MaxValue));
        var ok = OnnxModel.Load(Bytes(M(Scalar("start", 0), 3)));
        Assert.Equal([1f, 2f, 3f], ok.RunReference(new Tensor(new Shape(1, 3), [1, 1, 1])).ToArray());
    }

    [Fact]
    public void ConstantOfShape_whose_size_overflows_is_a_limit_error()
    {
        // n · dim wrapped to a negative count (ArgumentOutOfRange from Enumerable.Repeat).
        var m = Model([Node("ConstantOfShape", ["shape"], ["c"]), Node("Add", ["x", "c"], ["y"])], [Input("x", -1, 1)], ["y"],
            [Longs("shape", int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue, 1)]);
        Fails<LimitExceededException>(m);
    }

    [Fact]
    public void Uint64_values_above_2_to_the_63_are_a_model_format_error()
    {
        // checked((long)u) threw OverflowException.
        var t = new TensorProto { Name = "shape", DataType = 13, RawData = ByteString.CopyFrom(Enumerable.Repeat((byte)0xFF, 16).ToArray()) };
        t.Dims.Add(2);
        var m = Model([Node("Reshape", ["x", "shape"], ["y"])], [Input("x", -1, 4)], ["y"], [t]);
        Fails<ModelFormatException>(m);
    }

    [Fact]
    public void Convolution_groups_times_channels_beyond_int_is_an_invalid_layer()
    {
        // weight.C · group overflowed (OverflowException).
        var w = Floats("w", [2, 2, 1, 1], [1, 2, 3, 4]);
        var m = Model([Node("Conv", ["x", "w"], ["y"], "conv", Int("group", int.MaxValue))], [Input("x", -1, 2, 4, 4)], ["y"], [w]);
        Fails<InvalidLayerException>(m);
    }

    [Theory]
    [InlineData("Conv")]
    [InlineData("MaxPool")]
    [InlineData("AveragePool")]
    public void Padding_that_makes_an_output_beyond_int_is_a_limit_error(string op)
    {
        // The output size (padded − kernel) / stride + 1 was cast to int and wrapped negative (ArgumentException from Shape).
        long big = int.MaxValue - 10;
        var attributes = new List<AttributeProto> { Ints("pads", 0, big, 0, big) };
        if (op != "Conv") attributes.Add(Ints("kernel_shape", 1, 1));
        var inputs = op == "Conv" ? new[] { "x", "w" } : ["x"];
        var m = Model([Node(op, inputs, ["y"], "layer", [.. attributes])], [Input("x", -1, 1, 4, 4)], ["y"], [Floats("w", [1, 1, 1, 1], [1])]);
        var e = Fails<LimitExceededException>(m);
        Assert.Contains("layer", e.Message);
    }

    [Fact]
    public void A_convolution_too_wide_for_the_direct_kernel_compiles_on_another_algorithm()
    {
        // Fuzz case seed 34 #27388 (batch 3, 2 threads): a Pad widened a 13×17 map to 14 × 536,870,932 before a 3×3
        // conv. The chooser picked the direct kernel, whose padded image would pass 2³¹ floats, and compiling threw
        // an untyped ArgumentException.
        var w = Floats("w", [16, 8, 3, 3], new float[16 * 8 * 9]);
        var pads = Longs("pads", 0, 0, 0, 0, 0, 0, 1, 536870932 - 17);
        var m = Model([Node("Pad", ["x", "pads"], ["p"], "pad"), Node("Conv", ["p", "w"], ["y"], "conv")],
            [Input("x", -1, 8, 13, 17)], ["y"], [w, pads]);
        var net = OnnxModel.Load(Bytes(m));
        using var compiled = net.Compile(new Compilation.CompileOptions { Threads = 2 });
        var p = new Kernels.Conv.ConvParams(8, 14, 536870932, 16, 3, 3);
        Assert.False(Kernels.Conv.ConvAlgorithmChooser.Supports(Kernels.Conv.ConvAlgorithm.Direct, p));
        Assert.NotEqual(Kernels.Conv.ConvAlgorithm.Direct, Kernels.Conv.ConvAlgorithmChooser.Choose(p, 3));
        // Planning a run is a typed limit error naming the oversized value, not a crash.
        var e = Assert.Throws<LimitExceededException>(() => compiled.PlanFor(3));
        Assert.Contains("pad", e.Message);
    }
}
