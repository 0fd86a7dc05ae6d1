using System.Diagnostics;
using SharpConv.Onnx.Protobuf;
using static SharpConv.Onnx.Tests.ModelFactory;

namespace SharpConv.Onnx.Tests;

/// <summary>Tests that change the process-wide <see cref="Limits"/> run alone, so no other test sees the lowered values.</summary>
[CollectionDefinition(nameof(ProcessWideLimits), DisableParallelization = true)]
public sealed class ProcessWideLimits;

/// <summary>
/// The ONNX path honours <see cref="Limits"/> before allocating: model bytes, node count, and tensors declared or
/// computed (initializers, ConstantOfShape, Range, Reshape, Expand) far beyond any memory fail fast and small.
/// </summary>
[Collection(nameof(ProcessWideLimits))]
public sealed class LimitTests
{
    private static byte[] LeNet => File.ReadAllBytes(Path.Combine(TestData.Reference, "models", "lenet5", "model.onnx"));

    /// <summary>Runs <paramref name="load"/>, expecting <typeparamref name="T"/>, in well under a second and a few MiB.</summary>
    private static T FailsFastAndSmall<T>(Func<object> load) where T : SharpConvException
    {
        load = load ?? throw new ArgumentNullException(nameof(load));
        var sw = Stopwatch.StartNew();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.ThrowsAny<SharpConvException>(() => load());
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.IsType<T>(e);
        Assert.True(allocated < 16L << 20, $"allocated {allocated:N0} bytes before failing: {e.Message}");
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), $"took {sw.Elapsed} to fail: {e.Message}");
        return (T)e;
    }

    private static TensorProto Longs(string name, params long[] values)
    {
        var t = new TensorProto { Name = name, DataType = 7 };
        t.Dims.Add(values.Length); t.Int64Data.AddRange(values);
        return t;
    }

    [Fact]
    public void Max_model_bytes_is_honoured_by_every_load_overload()
    {
        var bytes = LeNet;
        string path = Path.Combine(Path.GetTempPath(), $"sharpconv-limit-{Environment.ProcessId}.onnx");
        File.WriteAllBytes(path, bytes);
        long saved = Limits.MaxModelBytes;
        try
        {
            Limits.MaxModelBytes = 100_000;
            Assert.Contains("100,000", FailsFastAndSmall<LimitExceededException>(() => OnnxModel.Load(bytes)).Message);
            FailsFastAndSmall<LimitExceededException>(() => OnnxModel.Load(path));
            FailsFastAndSmall<LimitExceededException>(() => OnnxModel.Load(new MemoryStream(bytes)));
            // A stream that cannot say its length is cut off once it passes the limit, not read to its end.
            FailsFastAndSmall<LimitExceededException>(() => OnnxModel.Load(new UnseekableStream(new MemoryStream(bytes))));
            Limits.MaxModelBytes = bytes.Length;
            Assert.NotNull(OnnxModel.Load(bytes));
        }
        finally
        {
            Limits.MaxModelBytes = saved;
            File.Delete(path);
        }
    }

    [Fact]
    public void Max_nodes_is_honoured()
    {
        var nodes = Enumerable.Range(0, 50).Select(i => Node("Relu", [i == 0 ? "x" : $"v{i - 1}"], [$"v{i}"], $"relu{i}"));
        var m = Model(nodes, [Input("x", -1, 4)], ["v49"]);
        int saved = Limits.MaxNodes;
        try
        {
            Limits.MaxNodes = 10;
            var e = FailsFastAndSmall<LimitExceededException>(() => OnnxModel.Load(Bytes(m)));
            Assert.Contains("50 nodes", e.Message);
            Limits.MaxNodes = 50; // the file's 50 nodes pass; the network's 51 (with its input node) do not
            FailsFastAndSmall<LimitExceededException>(() => OnnxModel.Load(Bytes(m)));
            Limits.MaxNodes = 51;
            Assert.NotNull(OnnxModel.Load(Bytes(m)));
        }
        finally { Limits.MaxNodes = saved; }
    }

    [Fact]
    public void A_declared_10_to_the_12_element_initializer_fails_before_allocating()
    {
        foreach (var type in new[] { 1, 7 })
        {
            var w = new TensorProto { Name = "w", DataType = type };
            w.Dims.AddRange([1_000_000, 1_000_000]);
            var m = Model([Node("MatMul", ["x", "w"], ["y"])], [Input("x", -1, 1_000_000)], ["y"], [w]);
            var e = FailsFastAndSmall<LimitExceededException>(() => OnnxModel.Load(Bytes(m)));
            Assert.Contains("1,000,000,000,000", e.Message);
        }
    }

    [Fact]
    public void ConstantOfShape_blow_up_fails_before_allocating()
    {
        var m = Model([Node("ConstantOfShape", ["shape"], ["c"], "cos"), Node("Add", ["x", "c"], ["y"])], [Input("x", -1, 4)], ["y"],
            [Longs("shape", 1_000_000, 1_000_000)]);
        Assert.Contains("cos", FailsFastAndSmall<LimitExceededException>(() => OnnxModel.Load(Bytes(m))).Message);
    }

    [Fact]
    public void Range_blow_up_fails_before_allocating()
    {
        var m = Model([Node("Range", ["s", "l", "d"], ["r"], "range"), Node("Cast", ["r"], ["rf"], null, new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = 1 }),
                Node("Add", ["x", "rf"], ["y"])], [Input("x", -1, 4)], ["y"],
            [Longs("s", 0), Longs("l", 1_000_000_000_000), Longs("d", 1)]);
        foreach (var t in m.Graph.Initializer) t.Dims.Clear(); // scalars
        Assert.Contains("range", FailsFastAndSmall<LimitExceededException>(() => OnnxModel.Load(Bytes(m))).Message);
    }

    [Fact]
    public void Reshape_blow_up_fails_fast()
    {
        // A runtime tensor of 4 elements per sample cannot become 10^12; a folded constant cannot either.
        var m = Model([Node("Reshape", ["x", "shape"], ["y"], "reshape")], [Input("x", -1, 4)], ["y"], [Longs("shape", 1, 1_000_000, 1_000_000)]);
        Assert.Contains("reshape", FailsFastAndSmall<ModelFormatException>(() => OnnxModel.Load(Bytes(m))).Message);
        var big = Model([Node("Reshape", ["x", "shape"], ["y"], "reshape")], [Input("x", -1, 4)], ["y"], [Longs("shape", 1L << 40, 1L << 40, -1)]);
        FailsFastAndSmall<LimitExceededException>(() => OnnxModel.Load(Bytes(big)));
    }

    [Fact]
    public void Expand_and_Tile_blow_ups_fail_fast()
    {
        // SharpConv does not implement Expand or Tile: refused by name before anything is sized.
        foreach (var op in new[] { "Expand", "Tile" })
        {
            var m = Model([Node(op, ["x", "shape"], ["y"], "blowup")], [Input("x", -1, 4)], ["y"], [Longs("shape", 1, 1_000_000, 1_000_000)]);
            Assert.Equal(op, FailsFastAndSmall<UnsupportedOperatorException>(() => OnnxModel.Load(Bytes(m))).OpType);
        }
    }

    [Fact]
    public void A_network_whose_activations_exceed_max_tensor_elements_is_refused_before_its_arena_is_allocated()
    {
        // 1×64×4096×4096 = 2^30 floats per activation, over the default 2^29: the network loads (nothing is sized
        // yet), and planning its arena for a batch fails before allocating it.
        var w = Floats("w", [64, 1, 1, 1], Enumerable.Repeat(1f, 64).ToArray());
        var m = Model([Node("Conv", ["x", "w"], ["y"], "conv")], [Input("x", 1, 1, 4096, 4096)], ["y"], [w]);
        var net = OnnxModel.Load(Bytes(m));
        using var compiled = net.Compile(new SharpConv.Compilation.CompileOptions { Threads = 1 });
        Assert.Contains("conv", FailsFastAndSmall<LimitExceededException>(() => compiled.PlanFor(1)).Message);
    }

    private sealed class UnseekableStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
