using SharpConv.Ops;
using static SharpConv.Tests.Ops.OpCheck;

namespace SharpConv.Tests.Ops;

public class NormalizationTests
{
    [Fact]
    public void BatchNormUsesEpsilonPerChannel()
    {
        // γ = [3, 0.5], β = [1, −1], μ = [1, 4], σ² = [3, 0], ε = 1 → √(σ² + ε) = [2, 1]
        // (σ² = 0 shows ε is really added: without it channel 1 would divide by zero)
        // ch0: 3·(x − 1)/2 + 1 → x = 1: 1, x = 5: 7
        // ch1: 0.5·(x − 4)/1 − 1 → x = 4: −1, x = 6: 0
        var bn = new BatchNorm(T([2], 3, 0.5f), T([2], 1, -1), T([2], 1, 4), T([2], 3, 0), epsilon: 1f);
        AssertTensor([1, 2, 1, 2], [1, 7, -1, 0], Run(bn, T([1, 2, 1, 2], 1, 5, 4, 6)));
        // batch 2, second sample: ch0 x = 3 → 3·2/2 + 1 = 4; ch1 x = 2 → 0.5·(−2) − 1 = −2
        AssertTensor([2, 2, 1, 1], [1, -1, 4, -2], Run(bn, T([2, 2, 1, 1], 1, 4, 3, 2)));
        // and on an N×C (rank-2) input, as after a Linear
        AssertTensor([1, 2], [7, 0], Run(bn, T([1, 2], 5, 6)));
    }

    [Fact]
    public void BatchNormDefaultEpsilon()
    {
        // ε = 1e-5, σ² = 1e-5: y = (x − 0)/√(2e-5); x = 1 → 223.6068
        var bn = new BatchNorm(T([1], 1), T([1], 0), T([1], 0), T([1], 1e-5f));
        Assert.Equal(1e-5f, bn.Epsilon);
        AssertTensor([1, 1, 1, 1], [(float)(1 / Math.Sqrt(2e-5))], Run(bn, T([1, 1, 1, 1], 1)), 1e-5f);
    }

    [Fact]
    public void BatchNormAffineFormAndCounts()
    {
        // a = γ/√(σ²+ε) = [1.5, 0.5], b = β − μ·a = [1 − 1.5, −1 − 2] = [−0.5, −3]
        var bn = new BatchNorm(T([2], 3, 0.5f), T([2], 1, -1), T([2], 1, 4), T([2], 3, 0), epsilon: 1f);
        var (a, b) = bn.AsAffine();
        Assert.Equal(new[] { 1.5f, 0.5f }, a);
        Assert.Equal(new[] { -0.5f, -3f }, b);
        Assert.Equal(4, bn.TrainableParameterCount); // γ, β: 2·C
        Assert.Equal(4, bn.BufferCount);             // μ, σ²: 2·C
        var fresh = new BatchNorm(64);
        Assert.Equal(128, fresh.TrainableParameterCount);
        Assert.Equal(128, fresh.BufferCount);
        Assert.Equal(0, fresh.Macs([new Shape(1, 64, 8, 8)], new Shape(1, 64, 8, 8)));
        // a fresh BatchNorm (γ 1, β 0, μ 0, σ² 1) is the identity up to 1/√(1 + 1e-5)
        AssertTensor([1, 1, 1, 2], [2 / MathF.Sqrt(1 + 1e-5f), -4 / MathF.Sqrt(1 + 1e-5f)], Run(new BatchNorm(1), T([1, 1, 1, 2], 2, -4)));
    }

    [Fact]
    public void LrnSize5ClipsAtTheChannelEdges()
    {
        // size 5, α = 2.5 (α/n = 0.5), β = 0.75, k = 2: y_c = x_c / (2 + 0.5·S_c)^0.75, S_c = Σ x_j² over j ∈ [c−2, c+2] ∩ [0, 5]
        // position 0: x = 1..6, squares 1 4 9 16 25 36
        //   S0 = 1+4+9 = 14 (ch 0..2)   S1 = 30 (0..3)   S2 = 55 (0..4)
        //   S3 = 4+9+16+25+36 = 90 (1..5)   S4 = 9+16+25+36 = 86 (2..5)   S5 = 16+25+36 = 77 (3..5)
        // position 1: x = −1 everywhere: S = 3, 4, 5, 5, 4, 3
        var x = T([1, 6, 1, 2], 1, -1, 2, -1, 3, -1, 4, -1, 5, -1, 6, -1);
        static float F(float v, double s) => (float)(v / Math.Pow(2 + 0.5 * s, 0.75));
        float[] expected =
        [
            F(1, 14), F(-1, 3),
            F(2, 30), F(-1, 4),
            F(3, 55), F(-1, 5),
            F(4, 90), F(-1, 5),
            F(5, 86), F(-1, 4),
            F(6, 77), F(-1, 3),
        ];
        AssertTensor([1, 6, 1, 2], expected, Run(new Lrn(5, 2.5f, 0.75f, 2f), x), 1e-5f);
    }

    [Fact]
    public void LrnExactValues()
    {
        // one channel, size 5, α = 5 (α/n = 1), β = 1, k = 1: y = x / (1 + x²); x = 2 → 2/5 = 0.4, x = −3 → −0.3
        AssertTensor([1, 1, 1, 2], [0.4f, -0.3f], Run(new Lrn(5, 5f, 1f, 1f), T([1, 1, 1, 2], 2, -3)));
        // size 1 (window is the channel itself): α = 1, β = 0.5, k = 0: y = x / √(x²) = sign(x)
        AssertTensor([1, 2, 1, 1], [1, -1], Run(new Lrn(1, 1f, 0.5f, 0f), T([1, 2, 1, 1], 3, -7)));
    }
}
