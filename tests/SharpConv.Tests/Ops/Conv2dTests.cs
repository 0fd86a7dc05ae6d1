using SharpConv.Graph;
using SharpConv.Ops;
using static SharpConv.Tests.Ops.OpCheck;

namespace SharpConv.Tests.Ops;

public class Conv2dTests
{
    private static Conv2d Conv(Tensor w, Tensor? b, int stride = 1, Padding padding = default, int dilation = 1, int groups = 1) =>
        new(w, b, (stride, stride), padding, (dilation, dilation), groups);

    // x = 1 2 3
    //     4 5 6
    //     7 8 9
    private static readonly Tensor X3 = T([1, 1, 3, 3], Iota(9));

    [Fact]
    public void Plain2x2WithBias()
    {
        // w = 1 2 / 3 4, b = 0.5
        // y00 = 1·1 + 2·2 + 3·4 + 4·5 = 37    y01 = 1·2 + 2·3 + 3·5 + 4·6 = 47
        // y10 = 1·4 + 2·5 + 3·7 + 4·8 = 67    y11 = 1·5 + 2·6 + 3·8 + 4·9 = 77   (+0.5 each)
        var y = Run(Conv(T([1, 1, 2, 2], 1, 2, 3, 4), T([1], 0.5f)), X3);
        AssertTensor([1, 1, 2, 2], [37.5f, 47.5f, 67.5f, 77.5f], y);
    }

    [Fact]
    public void NoBias()
    {
        // same as above without the 0.5
        var conv = Conv(T([1, 1, 2, 2], 1, 2, 3, 4), null);
        Assert.False(conv.HasBias);
        Assert.Null(conv.Bias);
        AssertTensor([1, 1, 2, 2], [37, 47, 67, 77], Run(conv, X3));
    }

    [Fact]
    public void Stride2Padding1()
    {
        // x = 4×4 of 1..16, 3×3 all-ones kernel, stride 2, padding 1 → P = ⌊(4 + 2 − 3)/2⌋ + 1 = 2
        //  1  2  3  4
        //  5  6  7  8
        //  9 10 11 12
        // 13 14 15 16
        // y00: rows −1..1, cols −1..1 → 1+2+5+6 = 14
        // y01: rows −1..1, cols 1..3  → 2+3+4+6+7+8 = 30
        // y10: rows 1..3,  cols −1..1 → 5+6+9+10+13+14 = 57
        // y11: rows 1..3,  cols 1..3  → 21 + 33 + 45 = 99
        var y = Run(Conv(Tensor.Filled(new Shape(1, 1, 3, 3), 1f), null, stride: 2, padding: 1), T([1, 1, 4, 4], Iota(16)));
        AssertTensor([1, 1, 2, 2], [14, 30, 57, 99], y);
    }

    [Fact]
    public void AsymmetricPadding()
    {
        // x = 1 2 3 / 4 5 6, 2×2 ones kernel, padding top 0, left 1, bottom 1, right 2
        // padded height 2+0+1 = 3 → P = 2; padded width 3+1+2 = 6 → Q = 5
        // row 0 (rows 0,1): column sums 5 7 9 → windows cols (−1,0) (0,1) (1,2) (2,3) (3,4) → 5, 12, 16, 9, 0
        // row 1 (rows 1,2 where 2 is padding): 4 5 6 → 4, 9, 11, 6, 0
        var y = Run(Conv(Tensor.Filled(new Shape(1, 1, 2, 2), 1f), null, padding: new Padding(0, 1, 1, 2)), T([1, 1, 2, 3], Iota(6)));
        AssertTensor([1, 1, 2, 5], [5, 12, 16, 9, 0, 4, 9, 11, 6, 0], y);
    }

    [Fact]
    public void RectangularKernelAndStride()
    {
        // x = 4×4 of 1..16, kernel 1×2 of [1, −1], stride (2, 1): y[p][q] = x[2p][q] − x[2p][q+1] = −1 everywhere
        // shape: P = ⌊(4 − 1)/2⌋ + 1 = 2, Q = 4 − 2 + 1 = 3
        var conv = new Conv2d(T([1, 1, 1, 2], 1, -1), null, (2, 1), 0, (1, 1));
        AssertTensor([1, 1, 2, 3], [-1, -1, -1, -1, -1, -1], Run(conv, T([1, 1, 4, 4], Iota(16))));
    }

    [Fact]
    public void Dilation2()
    {
        // x[r][c] = 5r + c + 1 (5×5), w = 1 2 / 3 4, dilation 2 → effective 3×3, P = Q = 3
        // y[p][q] = 1·x[p][q] + 2·x[p][q+2] + 3·x[p+2][q] + 4·x[p+2][q+2]
        //         = v + 2(v+2) + 3(v+10) + 4(v+12) = 10v + 82 with v = x[p][q]
        var y = Run(Conv(T([1, 1, 2, 2], 1, 2, 3, 4), null, dilation: 2), T([1, 1, 5, 5], Iota(25)));
        AssertTensor([1, 1, 3, 3], [92, 102, 112, 142, 152, 162, 192, 202, 212], y);
    }

    [Fact]
    public void Groups2()
    {
        // C = 4, K = 4, G = 2: outputs 0,1 read channels 0,1; outputs 2,3 read channels 2,3. 1×1 kernels.
        // x = [1, 10, 100, 1000]
        // y0 = 1·1 + 2·10 = 21         y1 = −1·1 + 1·10 = 9
        // y2 = 3·100 + 4·1000 = 4300   y3 = 0·100 + 1·1000 = 1000
        var w = T([4, 2, 1, 1], 1, 2, -1, 1, 3, 4, 0, 1);
        var y = Run(Conv(w, null, groups: 2), T([1, 4, 1, 1], 1, 10, 100, 1000));
        AssertTensor([1, 4, 1, 1], [21, 9, 4300, 1000], y);
    }

    [Fact]
    public void Groups2Spatial()
    {
        // C = 2, K = 2, G = 2 with 2×2 kernels on 2×2 maps (a 1×1 output): each output sees only its own channel.
        // ch0 = 1 2 / 3 4, ch1 = 5 6 / 7 8; w0 = 1 1 / 1 1 → 10; w1 = 1 0 / 0 −1 → 5 − 8 = −3; bias 1, 2
        var w = T([2, 1, 2, 2], 1, 1, 1, 1, 1, 0, 0, -1);
        var y = Run(Conv(w, T([2], 1, 2), groups: 2), T([1, 2, 2, 2], Iota(8)));
        AssertTensor([1, 2, 1, 1], [11, -1], y);
    }

    [Fact]
    public void Depthwise()
    {
        // groups = C = 2: ch0 = 1 2 / 3 4 with w0 = 1 0 / 0 1 → 1 + 4 = 5 (+0.5)
        //                 ch1 = 5 6 / 7 8 with w1 = 0 1 / 1 0 → 6 + 7 = 13 (−0.5)
        var conv = Conv(T([2, 1, 2, 2], 1, 0, 0, 1, 0, 1, 1, 0), T([2], 0.5f, -0.5f), groups: 2);
        Assert.True(conv.IsDepthwise);
        AssertTensor([1, 2, 1, 1], [5.5f, 12.5f], Run(conv, T([1, 2, 2, 2], Iota(8))));
    }

    [Fact]
    public void DepthwiseChannelMultiplier2()
    {
        // groups = C = 2, K = 4: outputs 0,1 read ch0 (1 2 / 3 4), outputs 2,3 read ch1 (5 6 / 7 8)
        // w0 = 1 0 / 0 1  → 1 + 4 = 5        w1 = 1 1 / 1 1  → 10
        // w2 = 0 1 / 1 0  → 6 + 7 = 13       w3 = 1 −1 / 0 0 → 5 − 6 = −1
        var w = T([4, 1, 2, 2], 1, 0, 0, 1, 1, 1, 1, 1, 0, 1, 1, 0, 1, -1, 0, 0);
        AssertTensor([1, 4, 1, 1], [5, 10, 13, -1], Run(Conv(w, null, groups: 2), T([1, 2, 2, 2], Iota(8))));
    }

    [Fact]
    public void DepthwisePaddedStride2()
    {
        // groups = C = 2, 3×3 ones kernels, stride 2, padding 1 on two 3×3 maps → 2×2 per channel
        // ch0 = 1..9:   y00 = 1+2+4+5 = 12, y01 = 2+3+5+6 = 16, y10 = 4+5+7+8 = 24, y11 = 5+6+8+9 = 28
        // ch1 = 11..19: each window has 4 taps → +40: 52, 56, 64, 68
        var x = T([1, 2, 3, 3], [.. Iota(9), .. Iota(9, 11)]);
        var y = Run(Conv(Tensor.Filled(new Shape(2, 1, 3, 3), 1f), null, stride: 2, padding: 1, groups: 2), x);
        AssertTensor([1, 2, 2, 2], [12, 16, 24, 28, 52, 56, 64, 68], y);
    }

    [Fact]
    public void BatchAndChannelsMix()
    {
        // N = 2, C = 2, K = 2, 1×1 kernels: y[n][k] = Σc w[k][c]·x[n][c] + b[k]
        // w = [[1, 1], [1, −1]], b = [0, 100]
        // n0: x = [1, 2] → [3, 99];  n1: x = [3, 4] → [7, 99]
        var conv = Conv(T([2, 2, 1, 1], 1, 1, 1, -1), T([2], 0, 100));
        AssertTensor([2, 2, 1, 1], [3, 99, 7, 99], Run(conv, T([2, 2, 1, 1], 1, 2, 3, 4)));
    }

    [Fact]
    public void ParameterAndMacCounts()
    {
        // C = 4, K = 6, G = 2, 3×3, bias: params K·(C/G)·R·S + K = 6·2·9 + 6 = 114
        // input 2×4×5×5, padding 1 → 2×6×5×5; MACs N·K·P·Q·(C/G)·R·S = 2·6·5·5·2·9 = 5400
        var conv = new Conv2d(4, 6, (3, 3), (1, 1), 1, (1, 1), groups: 2);
        Assert.Equal(114, conv.TrainableParameterCount);
        Assert.Equal(0, conv.BufferCount);
        Assert.Equal(new Shape(6, 2, 3, 3), conv.Weight.Shape);
        var output = conv.InferShape("c", [new Shape(2, 4, 5, 5)]);
        Assert.Equal(new Shape(2, 6, 5, 5), output);
        Assert.Equal(5400, conv.Macs([new Shape(2, 4, 5, 5)], output));
        Assert.Equal(108, new Conv2d(4, 6, (3, 3), (1, 1), 1, (1, 1), groups: 2, bias: false).TrainableParameterCount);

        // the same through the builder: node MACs and network totals
        var b = new NetworkBuilder("count");
        var x = b.Input(4, 5, 5, batch: 2).Conv(6, 3, padding: 1, groups: 2, name: "c");
        var net = b.Build(x);
        Assert.Equal(114, net.ParameterCount);
        Assert.Equal(5400, net["c"].Macs);
        Assert.Equal(5400, net.Macs);
    }

    [Fact]
    public void OutputSizeFormula()
    {
        // P = ⌊(H + pt + pb − d·(R−1) − 1)/s⌋ + 1
        // H = 7, R = 3, s = 2, pad (1, 0), d = 2: ⌊(7 + 1 + 0 − 4 − 1)/2⌋ + 1 = ⌊3/2⌋ + 1 = 2
        // W = 8, S = 2, s = 3, pad (2, 2), d = 1: ⌊(8 + 4 − 1 − 1)/3⌋ + 1 = 3 + 1 = 4
        var conv = new Conv2d(1, 1, (3, 2), (2, 3), new Padding(1, 2, 0, 2), (2, 1));
        Assert.Equal(new Shape(1, 1, 2, 4), conv.InferShape("c", [new Shape(1, 1, 7, 8)]));
        // kernel exactly as large as the padded input is fine: 1×1 output
        Assert.Equal(new Shape(1, 1, 1, 1), new Conv2d(1, 1, (3, 3), (1, 1), 1, (1, 1)).InferShape("c", [new Shape(1, 1, 1, 1)]));
    }

    [Fact]
    public void GivenWeightsAreUsedAndSeededWeightsAreDeterministic()
    {
        var a = new Conv2d(3, 4, (3, 3), (1, 1), 1, (1, 1), seed: 7);
        var b = new Conv2d(3, 4, (3, 3), (1, 1), 1, (1, 1), seed: 7);
        Assert.False(a.Weight.IsMaterialized);
        Assert.Equal(a.Weight.Value.ToArray(), b.Weight.Value.ToArray());
        Assert.All(a.Bias!.Value.ToArray(), v => Assert.Equal(0f, v));
        // He init: std = √(2 / fan-in) = √(2/27) ≈ 0.272; 108 samples, loose bounds
        double std = Math.Sqrt(a.Weight.Value.ToArray().Average(v => (double)v * v));
        Assert.InRange(std, 0.18, 0.37);
    }
}
