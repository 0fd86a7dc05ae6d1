using SharpConv.Graph;
using SharpConv.Ops;

namespace SharpConv.Tests.Ops;

/// <summary>
/// Impossible layers and mismatched shapes fail with the typed exception whose message names the layer (node name
/// when the node exists, else the layer kind) and the offending value — never an IndexOutOfRange or NullReference.
/// </summary>
public class BadInputTests
{
    private static TException Throws<TException>(Action action, params string[] mentions) where TException : SharpConvException
    {
        var e = Assert.Throws<TException>(action);
        foreach (var m in mentions) Assert.Contains(m, e.Message);
        return e;
    }

    private static (NetworkBuilder B, Value X) Start(int c = 3, int h = 8, int w = 8)
    {
        var b = new NetworkBuilder("bad");
        return (b, b.Input(c, h, w));
    }

    // ---------- Conv2d ----------

    [Fact]
    public void ConvWrongInputChannels()
    {
        var (_, x) = Start(c: 4);
        var e = Throws<ShapeMismatchException>(() => x.Then(new Conv2d(3, 8, (3, 3), (1, 1), 1, (1, 1)), "stem"),
            "stem", "Conv2d", "3 input channels", "4 channels");
        Assert.Equal("stem (Conv2d)", e.Layer);
    }

    [Fact]
    public void ConvKernelLargerThanPaddedInput()
    {
        var (_, x) = Start(h: 8, w: 5);
        Throws<InvalidLayerException>(() => x.Conv(4, 7, name: "wide"), "wide", "kernel width 7", "padded input width 5");
        // padding makes it fit: 5 + 1 + 1 = 7
        Assert.Equal(new Shape(1, 4, 4, 1), x.Conv(4, 7, padding: 1, name: "fits").Shape);
        // dilation makes it too large: 3 dilated by 4 → 9 > 8
        Throws<InvalidLayerException>(() => x.Conv(4, 3, dilation: 4, name: "dil"), "dil", "dilated to 9", "padded input height 8");
        // asymmetric: only the padded total counts (8 + 0 + 1 = 9 < 10)
        Throws<InvalidLayerException>(() => x.Conv(4, (10, 1), (1, 1), new Padding(0, 0, 1, 0), (1, 1), name: "asym"),
            "asym", "kernel height 10", "padded input height 9", "8 + 0 + 1");
    }

    [Fact]
    public void ConvRankMustBeFour()
    {
        var conv = new Conv2d(3, 4, (3, 3), (1, 1), 0, (1, 1));
        Throws<ShapeMismatchException>(() => conv.InferShape("c3d", [new Shape(1, 3, 8)]), "c3d", "rank-4", "1×3×8", "rank 3");
        var b = new NetworkBuilder("flat");
        var v = b.Input(new Shape(1, 12));
        Throws<ShapeMismatchException>(() => v.Conv(4, 1, name: "onflat"), "onflat", "rank-4", "1×12");
    }

    [Fact]
    public void ConvChannelsNotDivisibleByGroups()
    {
        Throws<InvalidLayerException>(() => new Conv2d(3, 4, (3, 3), (1, 1), 0, (1, 1), groups: 2), "Conv2d", "in_channels 3", "groups 2");
        Throws<InvalidLayerException>(() => new Conv2d(4, 6, (3, 3), (1, 1), 0, (1, 1), groups: 4), "Conv2d", "out_channels 6", "groups 4");
        var (_, x) = Start(c: 3);
        Throws<InvalidLayerException>(() => x.Conv(4, 3, groups: 2, name: "g"), "Conv2d", "in_channels 3", "groups 2");
        // given weights: 4×2×3×3 with groups 3 → in 6, out 4 not divisible by 3
        Throws<InvalidLayerException>(() => new Conv2d(new Tensor(new Shape(4, 2, 3, 3)), null, (1, 1), 0, (1, 1), groups: 3), "out_channels 4", "groups 3");
    }

    [Theory]
    [InlineData(0, 1, 1, 1, 1, "kernel height must be ≥ 1, found 0")]
    [InlineData(-3, 1, 1, 1, 1, "kernel height must be ≥ 1, found -3")]
    [InlineData(3, 0, 1, 1, 1, "stride must be ≥ 1, found 0")]
    [InlineData(3, -2, 1, 1, 1, "stride must be ≥ 1, found -2")]
    [InlineData(3, 1, 0, 1, 1, "dilation must be ≥ 1, found 0")]
    [InlineData(3, 1, 1, 0, 1, "out_channels must be ≥ 1, found 0")]
    [InlineData(3, 1, 1, -8, 1, "out_channels must be ≥ 1, found -8")]
    [InlineData(3, 1, 1, 4, 0, "groups must be ≥ 1, found 0")]
    public void ConvImpossibleHyperParameters(int kernel, int stride, int dilation, int outChannels, int groups, string message)
    {
        var (_, x) = Start();
        var e = Throws<InvalidLayerException>(() => x.Conv(outChannels, kernel, stride, dilation: dilation, groups: groups), "Conv2d", message);
        Assert.Equal("conv2d1 (Conv2d)", e.Layer); // the builder names the node on constructor errors
    }

    [Fact]
    public void ConvZeroInputChannelsAndNegativePadding()
    {
        Throws<InvalidLayerException>(() => new Conv2d(0, 4, (3, 3), (1, 1), 0, (1, 1)), "Conv2d", "in_channels must be ≥ 1, found 0");
        Throws<InvalidLayerException>(() => new Conv2d(3, 4, (3, 3), (1, 1), -1, (1, 1)), "Conv2d", "padding must be ≥ 0", "-1");
        Throws<InvalidLayerException>(() => new Conv2d(3, 4, (3, 3), (1, 1), new Padding(0, 0, 0, -2), (1, 1)), "Conv2d", "p(0,0,0,-2)");
    }

    [Fact]
    public void ConvGivenWeightsAndBiasShapes()
    {
        Throws<ShapeMismatchException>(() => new Conv2d(new Tensor(new Shape(4, 3, 3)), null, (1, 1), 0, (1, 1)), "Conv2d weight", "4×3×3");
        Throws<ShapeMismatchException>(() => new Conv2d(new Tensor(new Shape(4, 3, 3, 3)), new Tensor(new Shape(5)), (1, 1), 0, (1, 1)), "Conv2d bias", "5");
    }

    // ---------- Pools ----------

    [Fact]
    public void PoolImpossibleHyperParameters()
    {
        Throws<InvalidLayerException>(() => new MaxPool2d(0, 1), "MaxPool2d", "kernel must be ≥ 1, found 0×0");
        Throws<InvalidLayerException>(() => new MaxPool2d(2, 0), "MaxPool2d", "stride must be ≥ 1", "0");
        Throws<InvalidLayerException>(() => new AvgPool2d(3, 1, padding: -1), "AvgPool2d", "padding must be ≥ 0", "-1");
        Throws<InvalidLayerException>(() => new AvgPool2d(new PoolWindow(2, -2, 1, 1, 0, false)), "AvgPool2d", "2×-2");
        Throws<InvalidLayerException>(() => new MaxPool2d(new PoolWindow(2, 2, 1, 1, 0, false, DilationH: 0)), "MaxPool2d", "dilation");
        Throws<InvalidLayerException>(() => new AdaptiveAvgPool2d(0, 7), "AdaptiveAvgPool2d", "output height must be ≥ 1, found 0");
        Throws<InvalidLayerException>(() => new AdaptiveAvgPool2d(7, -1), "AdaptiveAvgPool2d", "output width must be ≥ 1, found -1");
    }

    [Fact]
    public void PoolWindowLargerThanPaddedInput()
    {
        var (_, x) = Start(h: 2, w: 2);
        Throws<InvalidLayerException>(() => x.MaxPool(3, 2, name: "pool"), "pool", "MaxPool2d", "3", "padded input height 2");
        Throws<InvalidLayerException>(() => x.AvgPool(5, 1, padding: 1, name: "avg"), "avg", "AvgPool2d", "5", "padded input height 4");
    }

    [Fact]
    public void PoolsNeedRank4()
    {
        var b = new NetworkBuilder("flat");
        var v = b.Input(new Shape(2, 6));
        Throws<ShapeMismatchException>(() => v.MaxPool(2, 2, name: "mp"), "mp", "MaxPool2d", "rank-4", "2×6");
        Throws<ShapeMismatchException>(() => v.AvgPool(2, 2, name: "ap"), "ap", "rank-4", "2×6");
        Throws<ShapeMismatchException>(() => v.AdaptiveAvgPool(1, 1, name: "aap"), "aap", "rank-4", "2×6");
        Throws<ShapeMismatchException>(() => v.GlobalAvgPool(name: "gap"), "gap", "rank ≥ 3", "2×6");
        Throws<ShapeMismatchException>(() => v.GlobalMaxPool(name: "gmp"), "gmp", "rank ≥ 3", "2×6");
        Throws<ShapeMismatchException>(() => v.Lrn(name: "lrn"), "lrn", "rank ≥ 3", "2×6");
    }

    // ---------- Dense and normalisation ----------

    [Fact]
    public void LinearOnA4DInput()
    {
        var (_, x) = Start();
        Throws<ShapeMismatchException>(() => x.Linear(10, name: "fc"), "fc", "flatten first", "1×3×8×8");
        // the op itself: names node and the found shape, suggests flattening
        Throws<ShapeMismatchException>(() => new Linear(192, 10).InferShape("fc6", [new Shape(1, 3, 8, 8)]), "fc6", "N×192", "1×3×8×8", "flatten");
        // wrong feature count
        Throws<ShapeMismatchException>(() => new Linear(100, 10).InferShape("fc7", [new Shape(4, 99)]), "fc7", "N×100", "4×99");
        Throws<InvalidLayerException>(() => new Linear(0, 10), "Linear", "in_features must be ≥ 1, found 0");
        Throws<InvalidLayerException>(() => new Linear(10, -1), "Linear", "out_features must be ≥ 1, found -1");
        Throws<ShapeMismatchException>(() => new Linear(new Tensor(new Shape(2, 3)), new Tensor(new Shape(3))), "Linear bias", "2 values", "3");
        Throws<ShapeMismatchException>(() => new Linear(new Tensor(new Shape(6)), null), "Linear weight", "rank 2");
    }

    [Fact]
    public void BatchNormBadChannelsAndEpsilon()
    {
        var (_, x) = Start(c: 3);
        Throws<ShapeMismatchException>(() => x.Then(new BatchNorm(4), "bn1"), "bn1", "BatchNorm", "4 channels", "1×3×8×8");
        Throws<InvalidLayerException>(() => new BatchNorm(0), "BatchNorm", "channels must be ≥ 1, found 0");
        Throws<InvalidLayerException>(() => new BatchNorm(3, -1e-5f), "BatchNorm", "epsilon must be ≥ 0");
        Throws<InvalidLayerException>(() => new BatchNorm(3, float.NaN), "BatchNorm", "epsilon", "NaN");
        Throws<ShapeMismatchException>(() => new BatchNorm(new Tensor(new Shape(3)), new Tensor(new Shape(3)), new Tensor(new Shape(2)), new Tensor(new Shape(3))),
            "BatchNorm mean", "3 values", "2");
    }

    [Fact]
    public void LrnAndDropoutParameters()
    {
        Throws<InvalidLayerException>(() => new Lrn(0), "Lrn", "size must be ≥ 1, found 0");
        Throws<InvalidLayerException>(() => new Dropout(1f), "Dropout", "rate must be in [0, 1)", "1");
        Throws<InvalidLayerException>(() => new Dropout(-0.1f), "Dropout", "-0.1");
        Throws<InvalidLayerException>(() => new Dropout(float.NaN), "Dropout", "NaN");
    }

    // ---------- Joins ----------

    [Fact]
    public void ConcatMismatch()
    {
        var (b, x) = Start(c: 2, h: 4, w: 4);
        var smaller = x.MaxPool(2, 2);
        Throws<ShapeMismatchException>(() => b.Concat([x, smaller], name: "cat"), "cat", "Concat", "input 1", "every axis but 1", "1×2×2×2");
        var flat = x.Flatten();
        Throws<ShapeMismatchException>(() => b.Concat([x, flat], name: "cat2"), "cat2", "rank 4", "1×32");
        Throws<InvalidLayerException>(() => b.Concat([x, x], axis: 4, name: "cat3"), "cat3", "axis 4", "rank-4");
        Throws<InvalidLayerException>(() => b.Concat([x, x], axis: -5, name: "cat4"), "cat4", "axis -5");
        Throws<ShapeMismatchException>(() => b.Concat([], name: "cat5"), "cat5", "at least 1", "0");
    }

    [Fact]
    public void BroadcastMismatch()
    {
        var (b, x) = Start(c: 3, h: 4, w: 4);
        var y = x.Conv(2, 1);
        Throws<ShapeMismatchException>(() => b.Add(x, y, "res"), "res", "Add", "1×3×4×4", "1×2×4×4", "axis 1", "3 vs 2");
        Throws<ShapeMismatchException>(() => new Mul().InferShape("m", [new Shape(2, 3), new Shape(4)]), "m (Mul)", "axis 1", "3 vs 4");
        Throws<ShapeMismatchException>(() => new Div().InferShape("d", [new Shape(2, 3)]), "d (Div)", "2 input(s)", "1");
        Throws<ShapeMismatchException>(() => b.Mean([x, y], name: "avg"), "avg", "Mean", "input 1", "1×2×4×4");
    }

    // ---------- Shape ops ----------

    [Fact]
    public void ReshapeErrors()
    {
        Throws<InvalidLayerException>(() => new Reshape(-1, -1), "Reshape", "at most one", "[-1, -1]");
        Throws<InvalidLayerException>(() => new Reshape(2, -3), "Reshape", "[2, -3]");
        Throws<ShapeMismatchException>(() => new Reshape(5, -1).InferShape("r1", [new Shape(2, 6)]), "r1", "divisible by 5", "12");
        Throws<ShapeMismatchException>(() => new Reshape(5, 3).InferShape("r2", [new Shape(2, 6)]), "r2", "15 elements", "12 (2×6)");
        Throws<InvalidLayerException>(() => new Reshape(0, 0, 0).InferShape("r3", [new Shape(2, 6)]), "r3", "target dimension 2 is 0", "rank 2");
    }

    [Fact]
    public void FlattenAndSoftmaxAxisErrors()
    {
        Throws<InvalidLayerException>(() => new Flatten(5).InferShape("fl", [new Shape(1, 2, 3, 4)]), "fl", "axis 5", "rank-4");
        Throws<InvalidLayerException>(() => new Softmax(2).InferShape("sm", [new Shape(1, 10)]), "sm", "axis 2", "rank-2");
        Throws<InvalidLayerException>(() => new Softmax(-3).InferShape("sm2", [new Shape(1, 10)]), "sm2", "axis -3");
    }

    [Fact]
    public void ChannelZeroPadErrors()
    {
        var (_, x) = Start(c: 4);
        Throws<InvalidLayerException>(() => x.ChannelZeroPad(2, 2, name: "down"), "down", "4 channels down to 2");
        Throws<InvalidLayerException>(() => new ChannelZeroPad(-1, 0), "ChannelZeroPad", "channels before must be ≥ 0, found -1");
        Throws<InvalidLayerException>(() => new ChannelZeroPad(0, 0, 0), "ChannelZeroPad", "stride must be ≥ 1, found 0");
        Throws<ShapeMismatchException>(() => new ChannelZeroPad(1, 1).InferShape("sc", [new Shape(1, 4)]), "sc", "rank-4");
    }

    [Fact]
    public void WrongInputCount()
    {
        Throws<ShapeMismatchException>(() => new Relu().InferShape("act", [new Shape(1, 2), new Shape(1, 2)]), "act (ReLU)", "1 input(s)", "2");
        Throws<ShapeMismatchException>(() => new Conv2d(1, 1, (1, 1), (1, 1), 0, (1, 1)).InferShape("c", []), "c (Conv2d)", "1 input(s)", "0");
        Throws<ShapeMismatchException>(() => new Mean().InferShape("mean", []), "mean (Mean)", "at least 1");
    }

    /// <summary>
    /// A sweep over small conv and pool configurations (including nonsense ones): every one either fails with a
    /// <see cref="SharpConvException"/> or infers a shape and runs its reference kernel without any other exception.
    /// </summary>
    [Fact]
    public void SweepNeverThrowsAnythingButTypedErrors()
    {
        int ran = 0, refused = 0;
        void Try(Func<Op> make, Shape input)
        {
            Op op;
            try { op = make(); }
            catch (SharpConvException) { refused++; return; }
            Shape output;
            try { output = op.InferShape("sweep", [input]); }
            catch (SharpConvException) { refused++; return; }
            Assert.All(output.ToArray(), d => Assert.True(d >= 1, $"{op} on {input} gave {output}"));
            var y = new Tensor(output);
            op.RunReference([Tensor.RandomUniform(input, 1)], y);
            ran++;
        }
        foreach (int size in new[] { 1, 2, 3, 5 })
            foreach (int k in new[] { -1, 0, 1, 2, 3, 4 })
                foreach (int s in new[] { 0, 1, 2, 3 })
                    foreach (int p in new[] { -1, 0, 1, 2 })
                        foreach (bool ceil in new[] { false, true })
                        {
                            var input = new Shape(1, 2, size, size + 1);
                            Try(() => new MaxPool2d(k, s, p, ceil), input);
                            Try(() => new AvgPool2d(k, s, p, ceil, countIncludePad: !ceil), input);
                            Try(() => new Conv2d(2, 2, (k, k), (s, s), p, (ceil ? 2 : 1, 1), groups: ceil ? 2 : 1), input);
                            Try(() => new AdaptiveAvgPool2d(k, s + p), input);
                        }
        Assert.True(ran > 100 && refused > 100, $"ran {ran}, refused {refused}");
    }
}
