using Google.Protobuf;
using SharpConv.Onnx.Protobuf;
using static SharpConv.Onnx.Tests.ModelFactory;

namespace SharpConv.Onnx.Tests;

/// <summary>Malformed and hostile files give typed errors — never a crash, a hang or a giant allocation.</summary>
public sealed class RobustnessTests
{
    private static byte[] LeNet => File.ReadAllBytes(Path.Combine(TestData.Reference, "models", "lenet5", "model.onnx"));

    [Fact]
    public void Truncated_file_is_a_model_format_error()
    {
        var bytes = LeNet;
        foreach (int keep in new[] { 1, 7, 100, bytes.Length / 3, bytes.Length / 2, bytes.Length - 1 })
        {
            var e = Assert.ThrowsAny<SharpConvException>(() => OnnxModel.Load(bytes[..keep]));
            Assert.True(e is ModelFormatException, $"truncated to {keep}: {e.GetType().Name}: {e.Message}");
        }
    }

    [Theory]
    [InlineData("not an onnx file at all, just text")]
    [InlineData("\u0089PNG\r\n\u001a\n\0\0\0\rIHDR")]
    [InlineData("PK\u0003\u0004")]
    public void Wrong_magic_is_a_model_format_error(string content)
    {
        var e = Assert.Throws<ModelFormatException>(() => OnnxModel.Load(System.Text.Encoding.Latin1.GetBytes(content)));
        Assert.Contains("ONNX", e.Message);
    }

    [Fact]
    public void Empty_file_is_a_model_format_error() => Assert.Throws<ModelFormatException>(() => OnnxModel.Load(Array.Empty<byte>()));

    [Fact]
    public void Random_mutations_never_escape_as_untyped_exceptions()
    {
        var original = LeNet;
        var rng = new Random(1234);
        for (int trial = 0; trial < 300; trial++)
        {
            var bytes = (byte[])original.Clone();
            int flips = 1 + rng.Next(8);
            for (int f = 0; f < flips; f++) bytes[rng.Next(Math.Min(bytes.Length, 2000))] = (byte)rng.Next(256);
            try { OnnxModel.Load(bytes); }
            catch (SharpConvException) { }
            catch (Exception e) { Assert.Fail($"trial {trial}: {e.GetType().Name}: {e.Message}"); }
        }
    }

    [Fact]
    public void Cycle_is_a_model_format_error()
    {
        var m = Model([Node("Relu", ["b"], ["a"], "r1"), Node("Relu", ["a"], ["b"], "r2"), Node("Add", ["x", "a"], ["y"], "add")],
            [Input("x", -1, 4)], ["y"]);
        var e = Assert.Throws<ModelFormatException>(() => OnnxModel.Load(Bytes(m)));
        Assert.Contains("cycle", e.Message);
        Assert.Contains("r1", e.Message);
    }

    [Fact]
    public void Missing_initializer_is_a_model_format_error()
    {
        var m = Model([Node("Conv", ["x", "w"], ["y"], "conv1")], [Input("x", -1, 3, 8, 8)], ["y"]);
        var e = Assert.Throws<ModelFormatException>(() => OnnxModel.Load(Bytes(m)));
        Assert.Contains("conv1", e.Message);
        Assert.Contains("'w'", e.Message);
    }

    [Fact]
    public void Absurd_initializer_dimensions_fail_before_allocating()
    {
        var w = new TensorProto { Name = "w", DataType = 1, RawData = ByteString.CopyFrom(new byte[16]) };
        w.Dims.AddRange([1_000_000, 1_000_000, 1_000_000]);
        var m = Model([Node("Conv", ["x", "w"], ["y"])], [Input("x", -1, 3, 8, 8)], ["y"], [w]);
        Assert.Throws<LimitExceededException>(() => OnnxModel.Load(Bytes(m)));
        w.Dims.Clear(); w.Dims.AddRange([long.MaxValue, 4]);
        Assert.ThrowsAny<SharpConvException>(() => OnnxModel.Load(Bytes(m)));
        w.Dims.Clear(); w.Dims.AddRange([-5, 4]);
        Assert.Throws<ModelFormatException>(() => OnnxModel.Load(Bytes(m)));
    }

    [Fact]
    public void Raw_data_of_the_wrong_length_is_a_model_format_error()
    {
        var w = new TensorProto { Name = "w", DataType = 1, RawData = ByteString.CopyFrom(new byte[10]) };
        w.Dims.AddRange([2, 3, 3, 3]);
        var m = Model([Node("Conv", ["x", "w"], ["y"])], [Input("x", -1, 3, 8, 8)], ["y"], [w]);
        var e = Assert.Throws<ModelFormatException>(() => OnnxModel.Load(Bytes(m)));
        Assert.Contains("raw_data", e.Message);
    }

    [Fact]
    public void Absurd_input_dimensions_fail_before_allocating()
    {
        var m = Model([Node("Relu", ["x"], ["y"])], [Input("x", -1, 100_000, 100_000, 100_000)], ["y"]);
        Assert.Throws<LimitExceededException>(() => OnnxModel.Load(Bytes(m)));
    }

    [Fact]
    public void Unsupported_operator_names_node_op_opset_and_alternatives()
    {
        var m = Model([Node("GridSample", ["x", "x"], ["y"], "warp")], [Input("x", -1, 3, 8, 8)], ["y"], opset: 16);
        var e = Assert.Throws<UnsupportedOperatorException>(() => OnnxModel.Load(Bytes(m)));
        Assert.Equal("warp", e.Node);
        Assert.Equal("GridSample", e.OpType);
        Assert.Equal(16, e.Opset);
        Assert.Contains("Conv", e.Message); // what is supported instead
    }

    [Fact]
    public void Too_new_opset_is_refused_with_the_range()
    {
        var m = Model([Node("Relu", ["x"], ["y"], "act")], [Input("x", -1, 4)], ["y"], opset: 99);
        var e = Assert.Throws<UnsupportedOperatorException>(() => OnnxModel.Load(Bytes(m)));
        Assert.Contains("7–25", e.Message);
    }

    [Fact]
    public void Typed_fields_and_int64_shapes_load()
    {
        // Weights in float_data (not raw_data) and a Reshape target in int64_data.
        var w = new TensorProto { Name = "w", DataType = 1 };
        w.Dims.AddRange([3, 4]); w.FloatData.AddRange(Enumerable.Range(0, 12).Select(i => (float)i));
        var shape = new TensorProto { Name = "shape", DataType = 7 };
        shape.Dims.Add(2); shape.Int64Data.AddRange([0, -1]);
        var m = Model([Node("Reshape", ["x", "shape"], ["flat"]), Node("Gemm", ["flat", "w"], ["y"], null, new AttributeProto { Name = "transB", I = 1, Type = AttributeProto.Types.AttributeType.Int })],
            [Input("x", -1, 2, 2)], ["y"], [w, shape]);
        var net = OnnxModel.Load(Bytes(m));
        var y = net.RunReference(new Tensor(new Shape(2, 2, 2), [1, 0, 0, 0, 0, 0, 0, 1]));
        Assert.Equal(new Shape(2, 3), y.Shape);
        Assert.Equal([0f, 4f, 8f, 3f, 7f, 11f], y.ToArray());
    }

    [Fact]
    public void External_data_loads_and_path_traversal_is_refused()
    {
        string dir = Directory.CreateTempSubdirectory("sharpconv-ext").FullName;
        try
        {
            var weights = Enumerable.Range(0, 12).Select(i => i * 0.5f).ToArray();
            var bytes = new byte[16 + 48];
            Buffer.BlockCopy(weights, 0, bytes, 16, 48);
            File.WriteAllBytes(Path.Combine(dir, "weights.bin"), bytes);
            File.WriteAllBytes(Path.Combine(dir, "..", "secret.bin"), bytes);
            TensorProto External(string location)
            {
                var w = new TensorProto { Name = "w", DataType = 1, DataLocation = TensorProto.Types.DataLocation.External };
                w.Dims.AddRange([3, 4]);
                w.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
                w.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "16" });
                w.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = "48" });
                return w;
            }
            ModelProto Make(string location) =>
                Model([Node("MatMul", ["x", "wt"], ["y"]), Node("Transpose", ["w"], ["wt"])], [Input("x", -1, 4)], ["y"], [External(location)]);

            string path = Path.Combine(dir, "model.onnx");
            File.WriteAllBytes(path, Bytes(Make("weights.bin")));
            var net = OnnxModel.Load(path);
            var y = net.RunReference(new Tensor(new Shape(1, 4), [1, 0, 0, 0]));
            Assert.Equal([0f, 2f, 4f], y.ToArray());

            foreach (var bad in new[] { "../secret.bin", "sub/../../secret.bin", Path.Combine(Path.GetTempPath(), "secret.bin") })
            {
                File.WriteAllBytes(path, Bytes(Make(bad)));
                var e = Assert.Throws<ModelFormatException>(() => OnnxModel.Load(path));
                Assert.Contains("model's folder", e.Message);
            }
            File.WriteAllBytes(path, Bytes(Make("missing.bin")));
            Assert.Throws<ModelFormatException>(() => OnnxModel.Load(path));
            // From bytes, external data needs a directory.
            Assert.Throws<ModelFormatException>(() => OnnxModel.Load(Bytes(Make("weights.bin"))));
            Assert.NotNull(OnnxModel.Load(Bytes(Make("weights.bin")), new OnnxLoadOptions { ExternalDataDirectory = dir }));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
            File.Delete(Path.Combine(Path.GetTempPath(), "secret.bin"));
        }
    }

    [Fact]
    public void Batch_stays_dynamic_for_flatten_view_glue()
    {
        var net = OnnxModel.Load(Path.Combine(TestData.Reference, "ops", "flatten_view_linear_nofold", "model.onnx"));
        foreach (int batch in new[] { 1, 2, 5 })
        {
            var y = net.RunReference(Tensor.RandomNormal(new Shape(batch, 16, 5, 5), batch));
            Assert.Equal(new Shape(batch, 10), y.Shape);
        }
    }
}
