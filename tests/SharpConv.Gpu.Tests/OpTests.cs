using SharpConv.Compilation;
using SharpConv.Graph;
using SharpConv.Ops;

namespace SharpConv.Gpu.Tests;

/// <summary>Every non-convolution kernel against its op's reference, graph rewriting off so each op runs on its own.</summary>
[Collection(SimulatorCollection.Name)]
public sealed class OpTests(SimulatorFixture sim)
{
    private static readonly CompileOptions Unfused = new() { Threads = 1, Fuse = false, FoldBatchNorm = false, RemoveIdentities = false };

    private void Run(Shape input, Func<Value, Value> body, string what, double tolerance = 1e-5, int seed = 3)
    {
        var b = new NetworkBuilder(what);
        var net = b.Build(body(b.Input(input)));
        using var gpu = Check.RunAndCompare(sim.Accelerator, net, Tensor.RandomNormal(input, seed), tolerance, compile: Unfused, what: what);
    }

    public static TheoryData<string, int, int, int, int, int, int, bool, bool> Pools => new()
    {
        // name, kernel, stride, pad, dilation, H, W, ceil, count_include_pad
        { "3/2 p1", 3, 2, 1, 1, 9, 8, false, true },
        { "3/2 ceil", 3, 2, 0, 1, 8, 7, true, true },
        { "3/2 p1 ceil", 3, 2, 1, 1, 6, 6, true, true },
        { "2/2", 2, 2, 0, 1, 7, 7, false, true },
        { "3/1 p1 excl", 3, 1, 1, 1, 5, 6, false, false },
        { "3/2 p1 ceil excl", 3, 2, 1, 1, 7, 6, true, false },
        { "3/1 d2 p2", 3, 1, 2, 2, 7, 7, false, true },
    };

    [Theory, MemberData(nameof(Pools))]
    public void MaxAndAveragePooling(string name, int k, int s, int p, int d, int h, int w, bool ceil, bool includePad)
    {
        var window = new PoolWindow(k, k, s, s, p, ceil, d, d);
        foreach (int batch in new[] { 1, 3 })
        {
            Run(new Shape(batch, 3, h, w), x => x.Then(new MaxPool2d(window)), $"maxpool {name} N={batch}");
            Run(new Shape(batch, 3, h, w), x => x.Then(new AvgPool2d(window, includePad)), $"avgpool {name} N={batch}");
        }
    }

    [Fact]
    public void MaxPoolKeepsNegativeInputsNegative()
    {
        var b = new NetworkBuilder("neg");
        var net = b.Build(b.Input(2, 4, 4).MaxPool(3, 2, padding: 1));
        using var gpu = GpuNetwork.Create(net.Compile(Unfused), sim.Accelerator);
        var input = Tensor.Filled(new Shape(1, 2, 4, 4), -3f);
        Assert.All(gpu.Run(input).ToArray(), v => Assert.Equal(-3f, v));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void GlobalAndAdaptivePooling(int batch)
    {
        Run(new Shape(batch, 5, 7, 6), x => x.GlobalAvgPool(), "global avg");
        Run(new Shape(batch, 5, 7, 6), x => x.GlobalMaxPool(), "global max");
        Run(new Shape(batch, 4, 7, 5), x => x.AdaptiveAvgPool(3, 2), "adaptive 7×5→3×2");
        Run(new Shape(batch, 4, 2, 2), x => x.AdaptiveAvgPool(3, 3), "adaptive 2×2→3×3 (overlapping)");
        Run(new Shape(batch, 4, 6, 6), x => x.AdaptiveAvgPool(1, 1), "adaptive →1×1");
    }

    [Fact]
    public void UnaryOps()
    {
        var shape = new Shape(3, 4, 5, 3);
        Run(shape, x => x.Relu(), "relu");
        Run(shape, x => x.Clip(-0.5f, 0.7f), "clip");
        Run(shape, x => x.Clip(1f, -1f), "clip min>max");
        Run(shape, x => x.LeakyRelu(0.1f), "leaky relu");
        Run(shape, x => x.Sigmoid(), "sigmoid");
        Run(shape, x => x.Tanh(), "tanh");
        Run(shape, x => x.Then(new Scale(1.7f, -0.3f)), "scale");
        Run(shape, x => x.Dropout(0.3f).Relu(), "dropout (view) then relu");
        Run(shape, x => x.Then(new Pow(2f)), "pow 2");
        Run(shape, x => x.Sigmoid().Then(new Pow(0.75f)), "pow 0.75");
    }

    [Fact]
    public void BinaryOpsSameShapeAndBroadcast()
    {
        var shape = new Shape(3, 4, 5, 3);
        foreach (var (name, make) in new (string, Func<Op>)[] { ("add", () => new Add()), ("sub", () => new Sub()), ("mul", () => new Mul()), ("div", () => new Div()) })
        {
            // Same shape: two branches of the input.
            Run(shape, x => x.Builder.Add(make(), [x.Relu(), x.Sigmoid()]), $"{name} same shape");
            // Per channel: N×C×H×W ∘ 1×C×1×1 constant, and a C×1×1 constant (rank 3, right-aligned).
            var perChannel = Tensor.RandomUniform(new Shape(1, 4, 1, 1), 21, 0.5f, 2f);
            Run(shape, x => x.Builder.Add(make(), [x, x.Builder.Constant(perChannel)]), $"{name} per channel");
            var rank3 = Tensor.RandomUniform(new Shape(4, 1, 1), 22, 0.5f, 2f);
            Run(shape, x => x.Builder.Add(make(), [x.Builder.Constant(rank3), x]), $"{name} rank-3 constant first");
            // Along the last axis and a scalar.
            var row = Tensor.RandomUniform(new Shape(3), 23, 0.5f, 2f);
            Run(shape, x => x.Builder.Add(make(), [x, x.Builder.Constant(row)]), $"{name} last axis");
            var scalar = Tensor.Filled(new Shape(1), 1.25f);
            Run(shape, x => x.Builder.Add(make(), [x, x.Builder.Constant(scalar)]), $"{name} scalar");
        }
    }

    [Fact]
    public void MeanOfSeveral()
    {
        Run(new Shape(3, 2, 3, 5), x => x.Builder.Mean([x, x.Relu(), x.Tanh()]), "mean of 3");
    }

    [Fact]
    public void ConcatAlongAxes()
    {
        var shape = new Shape(3, 3, 4, 5);
        Run(shape, x => x.Builder.Concat(x.Relu(), x.Tanh(), x.Sigmoid()), "concat channels");
        Run(shape, x => x.Builder.Concat([x.Relu(), x.MaxPool(1, 1)], axis: 2), "concat axis 2");
        Run(shape, x => x.Builder.Concat([x.Relu(), x.Tanh()], axis: -1), "concat last axis");
        Run(shape, x => x.Builder.Concat([x.Relu(), x.Tanh()], axis: 0), "concat batch axis");
    }

    [Fact]
    public void ZeroPadShortcut()
    {
        Run(new Shape(3, 4, 7, 6), x => x.ChannelZeroPad(8, 2), "zero pad /2");
        Run(new Shape(1, 3, 5, 5), x => x.ChannelZeroPad(6, 1), "zero pad /1 odd split");
    }

    [Fact]
    public void UnfoldedBatchNormLrnSoftmax()
    {
        Run(new Shape(3, 5, 4, 3), x => x.Relu().Bn(31), "batchnorm unfolded");
        Run(new Shape(2, 6), x => x.Bn(37), "batchnorm on N×C");
        Run(new Shape(3, 7, 4, 3), x => x.Lrn(5, 1e-2f, 0.75f, 2f), "lrn 5");
        Run(new Shape(1, 4, 3, 3), x => x.Lrn(2, 1e-1f, 0.5f, 1f), "lrn even size");
        Run(new Shape(3, 10), x => x.Softmax(), "softmax N×10");
        Run(new Shape(2, 5, 3, 4), x => x.Softmax(1), "softmax channels of NCHW");
        Run(new Shape(2, 5, 3, 4), x => x.Softmax(-1), "softmax last axis");
        Run(new Shape(3, 10), x => x.Then(new LogSoftmax()), "log-softmax N×10");
        Run(new Shape(2, 5, 3, 4), x => x.Then(new LogSoftmax(2)), "log-softmax axis 2");
    }

    [Fact]
    public void ViewsAliasTheirInput()
    {
        // Flatten → Linear and Reshape → Softmax: the views launch nothing, the data is read in place.
        Run(new Shape(3, 2, 3, 4), x => x.Flatten().Linear(5, 41), "flatten → linear");
        Run(new Shape(3, 2, 3, 4), x => x.Reshape([0, -1]).Softmax(), "reshape → softmax");
        // A view as the network output, and a view of a view.
        Run(new Shape(2, 3, 2, 2), x => x.Relu().Flatten(), "flatten as output");
        Run(new Shape(2, 3, 2, 2), x => x.Relu().Reshape([2, 3, 4]).Flatten().Relu(), "view of a view");
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 65, 17)]
    [InlineData(2, 10, 130)]
    public void LinearPlainAndFused(int batch, int inF, int outF)
    {
        Run(new Shape(batch, inF), x => x.Linear(outF, 51), $"linear {inF}→{outF}");
        var b = new NetworkBuilder("fused linear");
        var x = b.Input(new Shape(batch, inF));
        var y = x.Linear(inF, 52).Bn(53).Add(x).Relu();
        using var gpu = Check.RunAndCompare(sim.Accelerator, b.Build(y), Tensor.RandomNormal(new Shape(batch, inF), 4), 1e-5, what: "linear + bn + residual + relu");
        Assert.Equal("gpu-gemm", gpu.StepAlgorithms[0]);
        Assert.Single(gpu.Compiled.Steps);
    }
}
