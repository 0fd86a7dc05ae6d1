using SharpConv.Graph;
using SharpConv.Ops;
using static SharpConv.Tests.Ops.OpCheck;

namespace SharpConv.Tests.Ops;

/// <summary>Linear, element-wise joins, concatenation and the data-movement ops.</summary>
public class StructuralOpTests
{
    [Fact]
    public void Linear()
    {
        // x = [[1,2,3],[4,5,6]], W = [[1,0,−1],[.5,.5,.5]], b = [1, −1]
        // n0: 1 − 3 + 1 = −1;  .5·6 − 1 = 2      n1: 4 − 6 + 1 = −1;  .5·15 − 1 = 6.5
        var lin = new Linear(T([2, 3], 1, 0, -1, 0.5f, 0.5f, 0.5f), T([2], 1, -1));
        AssertTensor([2, 2], [-1, 2, -1, 6.5f], Run(lin, T([2, 3], 1, 2, 3, 4, 5, 6)));
        // params Out·In + Out = 8; MACs N·Out·In = 2·2·3 = 12
        Assert.Equal(8, lin.TrainableParameterCount);
        Assert.Equal(12, lin.Macs([new Shape(2, 3)], new Shape(2, 2)));
        // no bias
        var noBias = new Linear(T([1, 3], 1, 1, 1), null);
        Assert.Equal(3, noBias.TrainableParameterCount);
        AssertTensor([2, 1], [6, 15], Run(noBias, T([2, 3], 1, 2, 3, 4, 5, 6)));
        // seeded: 120·400 + 120 = 48,120 (LeNet C5)
        Assert.Equal(48_120, new Linear(400, 120).TrainableParameterCount);
    }

    [Fact]
    public void AddSubMulDivSameShape()
    {
        var a = T([1, 4], 1, 2, 3, 4);
        var b = T([1, 4], 4, 3, 2, 1);
        AssertTensor([1, 4], [5, 5, 5, 5], Run(new Add(), [a, b]));
        AssertTensor([1, 4], [-3, -1, 1, 3], Run(new Sub(), [a, b]));
        AssertTensor([1, 4], [4, 6, 6, 4], Run(new Mul(), [a, b]));
        AssertTensor([1, 4], [0.25f, 2 / 3f, 1.5f, 4], Run(new Div(), [a, b]));
        // division by zero follows IEEE: 1/0 = ∞, 0/0 = NaN
        AssertTensor([1, 2], [float.PositiveInfinity, float.NaN], Run(new Div(), [T([1, 2], 1, 0), T([1, 2], 0, 0)]));
    }

    [Fact]
    public void BroadcastingTrailingVector()
    {
        // [[1,2,3],[4,5,6]] + [10,20,30] (aligned at the right) = [[11,22,33],[14,25,36]]
        AssertTensor([2, 3], [11, 22, 33, 14, 25, 36], Run(new Add(), [T([2, 3], 1, 2, 3, 4, 5, 6), T([3], 10, 20, 30)]));
        // − column [[1],[2]]: [[0,1,2],[2,3,4]]
        AssertTensor([2, 3], [0, 1, 2, 2, 3, 4], Run(new Sub(), [T([2, 3], 1, 2, 3, 4, 5, 6), T([2, 1], 1, 2)]));
    }

    [Fact]
    public void BroadcastingBothSides()
    {
        // [[1],[2]] (2×1) · [[1,2,3]] (1×3) → 2×3 outer product [[1,2,3],[2,4,6]]
        AssertTensor([2, 3], [1, 2, 3, 2, 4, 6], Run(new Mul(), [T([2, 1], 1, 2), T([1, 3], 1, 2, 3)]));
        // and the smaller operand first: [10] − [[1,2],[3,4]] → [[9,8],[7,6]]
        AssertTensor([2, 2], [9, 8, 7, 6], Run(new Sub(), [T([1], 10), T([2, 2], 1, 2, 3, 4)]));
    }

    [Fact]
    public void BroadcastingPerChannel()
    {
        // 1×2×1×2 [[2,4],[8,16]] ÷ per-channel 1×2×1×1 [2, 4] → [[1,2],[2,4]]
        AssertTensor([1, 2, 1, 2], [1, 2, 2, 4], Run(new Div(), [T([1, 2, 1, 2], 2, 4, 8, 16), T([1, 2, 1, 1], 2, 4)]));
        // rank-1 per-pixel row broadcast over N and C: 2×2×1×2 + [100, 200]
        AssertTensor([2, 2, 1, 2], [101, 202, 103, 204, 105, 206, 107, 208],
            Run(new Add(), [T([2, 2, 1, 2], Iota(8)), T([2], 100, 200)]));
        Assert.Equal(new Shape(2, 3, 4, 5), Broadcast.Shapes("b", new Shape(2, 1, 4, 1), new Shape(3, 1, 5)));
    }

    [Fact]
    public void MeanOfThree()
    {
        // ([1,2] + [3,5] + [5,11]) / 3 = [3, 6]
        AssertTensor([1, 2], [3, 6], Run(new Mean(), [T([1, 2], 1, 2), T([1, 2], 3, 5), T([1, 2], 5, 11)]));
        // one input: itself
        AssertTensor([1, 2], [1, 2], Run(new Mean(), [T([1, 2], 1, 2)]));
    }

    [Fact]
    public void ConcatChannels()
    {
        // 1×1×1×2 [1,2] ++ 1×2×1×2 [[3,4],[5,6]] on channels → 1×3×1×2 [1..6]
        AssertTensor([1, 3, 1, 2], Iota(6), Run(new Concat(), [T([1, 1, 1, 2], 1, 2), T([1, 2, 1, 2], 3, 4, 5, 6)]));
        // batch 2 interleaves per sample: n0 [1 | 3 4], n1 [2 | 5 6]
        AssertTensor([2, 3, 1, 1], [1, 3, 4, 2, 5, 6], Run(new Concat(), [T([2, 1, 1, 1], 1, 2), T([2, 2, 1, 1], 3, 4, 5, 6)]));
        // three inputs
        AssertTensor([1, 3, 1, 1], [7, 8, 9], Run(new Concat(), [T([1, 1, 1, 1], 7), T([1, 1, 1, 1], 8), T([1, 1, 1, 1], 9)]));
    }

    [Fact]
    public void ConcatOtherAxes()
    {
        // width (axis 3 = −1): [[1],[2]] ++ [[3,4],[5,6]] → [[1,3,4],[2,5,6]]
        var a = T([1, 1, 2, 1], 1, 2);
        var b = T([1, 1, 2, 2], 3, 4, 5, 6);
        AssertTensor([1, 1, 2, 3], [1, 3, 4, 2, 5, 6], Run(new Concat(3), [a, b]));
        AssertTensor([1, 1, 2, 3], [1, 3, 4, 2, 5, 6], Run(new Concat(-1), [a, b]));
        // height (axis 2): [[1,2]] ++ [[3,4],[5,6]] → rows stacked
        AssertTensor([1, 1, 3, 2], Iota(6), Run(new Concat(2), [T([1, 1, 1, 2], 1, 2), T([1, 1, 2, 2], 3, 4, 5, 6)]));
        // batch (axis 0) on N×F
        AssertTensor([3, 2], Iota(6), Run(new Concat(0), [T([1, 2], 1, 2), T([2, 2], 3, 4, 5, 6)]));
    }

    [Fact]
    public void ChannelZeroPadOptionA()
    {
        // x: 1×2×3×3, ch0 = 1..9, ch1 = 11..19; 1 zero channel before, 2 after, stride 2
        // subsample x[:, :, ::2, ::2] → ch0 [[1,3],[7,9]], ch1 [[11,13],[17,19]]; output 1×5×2×2
        var x = T([1, 2, 3, 3], [.. Iota(9), .. Iota(9, 11)]);
        float[] expected = [0, 0, 0, 0, 1, 3, 7, 9, 11, 13, 17, 19, 0, 0, 0, 0, 0, 0, 0, 0];
        AssertTensor([1, 5, 2, 2], expected, Run(new ChannelZeroPad(1, 2, 2), x));

        // through the builder: 2 → 5 channels splits 3 extra as 1 before, 2 after
        var b = new NetworkBuilder("optA");
        var v = b.Input(2, 3, 3).ChannelZeroPad(5, 2, name: "short");
        var op = Assert.IsType<ChannelZeroPad>(v.Node.Op);
        Assert.Equal((1, 2, 2), (op.Before, op.After, op.Stride));
        var y = b.Build(v).RunReference(x);
        AssertTensor([1, 5, 2, 2], expected, y);

        // stride 1 keeps the map; even sizes subsample to half: 4×4 /2 → 2×2 from rows/cols 0 and 2
        AssertTensor([1, 1, 2, 2], [1, 3, 9, 11], Run(new ChannelZeroPad(0, 0, 2), T([1, 1, 4, 4], Iota(16))));
        AssertTensor([1, 2, 1, 2], [5, 6, 0, 0], Run(new ChannelZeroPad(0, 1, 1), T([1, 1, 1, 2], 5, 6)));
    }

    [Fact]
    public void FlattenAndReshape()
    {
        var x = T([2, 3, 2, 2], Iota(24));
        // flatten keeps row-major order: N × (C·H·W)
        AssertTensor([2, 12], Iota(24), Run(new Flatten(), x));
        AssertTensor([12, 2], Iota(24), Run(new Flatten(3), x));
        AssertTensor([1, 24], Iota(24), Run(new Flatten(0), x));
        // 0 copies the input dimension, −1 is inferred: [0, −1] → 2×12; [0, 0, −1] → 2×3×4; [−1, 6] → 4×6
        AssertTensor([2, 12], Iota(24), Run(new Reshape(0, -1), x));
        AssertTensor([2, 3, 4], Iota(24), Run(new Reshape(0, 0, -1), x));
        AssertTensor([4, 6], Iota(24), Run(new Reshape(-1, 6), x));
        AssertTensor([2, 2, 6], Iota(24), Run(new Reshape(2, -1, 6), x));
        Assert.Equal(new Shape(5, 12), new Reshape(0, -1).InferShape("r", [new Shape(5, 3, 2, 2)]));
    }
    [Fact]
    public void ParameterFreeOpsCountNothing()
    {
        var shape = new Shape(2, 4, 3, 3);
        Op[] ops = [new Relu(), new LeakyRelu(), new Tanh(), new Sigmoid(), new Clip(0, 6), new Scale(2f), new Dropout(),
            new Softmax(), new Flatten(), new Reshape(0, -1), new MaxPool2d(3, 1, 1), new GlobalMaxPool(), new ChannelZeroPad(2, 2)];
        foreach (var op in ops)
        {
            var output = op.InferShape("op", [shape]);
            Assert.True(op.TrainableParameterCount == 0 && op.BufferCount == 0 && op.Parameters.Count == 0, op.ToString());
            Assert.True(op.Macs([shape], output) == 0, op.ToString());
        }
        foreach (var op in new Op[] { new Add(), new Mul(), new Concat(), new Mean() })
        {
            Assert.Equal(0, op.TrainableParameterCount);
            Assert.Equal(0, op.Macs([shape, shape], op.InferShape("op", [shape, shape])));
        }
        // a constant is a buffer, not a trainable parameter
        var constant = new Constant(new Tensor(new Shape(1, 4, 1, 1)));
        Assert.Equal(0, constant.TrainableParameterCount);
        Assert.Equal(4, constant.BufferCount);
    }
}
