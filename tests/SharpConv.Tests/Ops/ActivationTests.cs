using SharpConv.Ops;
using static SharpConv.Tests.Ops.OpCheck;

namespace SharpConv.Tests.Ops;

public class ActivationTests
{
    private const float NaN = float.NaN, Inf = float.PositiveInfinity;

    private static Tensor Row(params float[] values) => T([1, values.Length], values);

    [Fact]
    public void Relu()
    {
        // max(0, x); NaN stays NaN (a NaN must not be hidden as 0)
        AssertTensor([1, 7], [0, 0, 0, 3, NaN, 0, Inf], Run(new Relu(), Row(-2, -0f, 0, 3, NaN, -Inf, Inf)));
    }

    [Fact]
    public void LeakyRelu()
    {
        // α = 0.1: −2 → −0.2, −0.5 → −0.05, 0 → 0, 3 → 3, NaN → NaN, −∞ → −∞
        AssertTensor([1, 6], [-0.2f, -0.05f, 0, 3, NaN, -Inf], Run(new LeakyRelu(0.1f), Row(-2, -0.5f, 0, 3, NaN, -Inf)));
        Assert.Equal(0.01f, new LeakyRelu().Alpha);
    }

    [Fact]
    public void Tanh()
    {
        // tanh 1 = (e² − 1)/(e² + 1) = 0.7615942; large inputs saturate at ±1 without overflow
        AssertTensor([1, 6], [0, 0.7615942f, -0.7615942f, 1, -1, NaN], Run(new Tanh(), Row(0, 1, -1, 20, -1000, NaN)));
    }

    [Fact]
    public void Sigmoid()
    {
        // 1/(1 + e^−x): 0 → 0.5; ln 3 → 1/(1 + 1/3) = 0.75; −ln 3 → 0.25; ±1000 → 1, 0 (no overflow to NaN)
        var y = Run(new Sigmoid(), Row(0, MathF.Log(3), -MathF.Log(3), 1000, -1000, NaN));
        AssertTensor([1, 6], [0.5f, 0.75f, 0.25f, 1, 0, NaN], y);
    }

    [Fact]
    public void Clip()
    {
        // ReLU6 = Clip(0, 6); NaN stays NaN; ±∞ clamp to the bounds
        AssertTensor([1, 8], [0, 0, 3, 6, 6, NaN, 0, 6], Run(new Clip(0, 6), Row(-1, 0, 3, 6, 7, NaN, -Inf, Inf)));
        // ONNX: min > max → every value becomes max
        AssertTensor([1, 3], [2, 2, 2], Run(new Clip(5, 2), Row(0, 3, 10)));
        // no bounds: identity
        AssertTensor([1, 3], [-1e30f, 0, 1e30f], Run(new Clip(), Row(-1e30f, 0, 1e30f)));
        // one bound only
        AssertTensor([1, 3], [-1, 0.5f, 0.5f], Run(new Clip(max: 0.5f), Row(-1, 0.5f, 2)));
    }

    [Fact]
    public void Scale()
    {
        // y = a·x + b with a = 0.5, b = 1: 2 → 2, −4 → −1, 0 → 1
        AssertTensor([1, 3], [2, -1, 1], Run(new Scale(0.5f, 1f), Row(2, -4, 0)));
        // stochastic depth: ×0.8
        AssertTensor([1, 2], [0.8f, -1.6f], Run(new Scale(0.8f), Row(1, -2)));
    }

    [Fact]
    public void DropoutIsTheIdentity()
    {
        var x = T([2, 2, 1, 2], 1, -2, 3, NaN, 5, 6, -7, 8);
        AssertTensor([2, 2, 1, 2], x.ToArray(), Run(new Dropout(0.5f), x));
        Assert.Equal(0.3f, new Dropout(0.3f).P);
        Assert.Equal(0, new Dropout().TrainableParameterCount);
    }

    [Fact]
    public void SoftmaxLargeLogitsDoNotOverflow()
    {
        // [1000, 1001] = [0, 1] shifted: e^0/(e^0 + e^1) = 1/(1 + e) = 0.26894142, e/(1 + e) = 0.73105858
        AssertTensor([1, 2], [0.26894142f, 0.73105858f], Run(new Softmax(), Row(1000, 1001)));
        // very negative logits too: [−1000, −1000] → [0.5, 0.5]
        AssertTensor([1, 2], [0.5f, 0.5f], Run(new Softmax(), Row(-1000, -1000)));
    }

    [Fact]
    public void SoftmaxRows()
    {
        // [1, 2, 3]: denominators e + e² + e³; values = e^i / Σ
        double s = Math.E + Math.E * Math.E + Math.Pow(Math.E, 3);
        var y = Run(new Softmax(), T([2, 3], 1, 2, 3, 5, 5, 5));
        AssertTensor([2, 3], [(float)(Math.E / s), (float)(Math.E * Math.E / s), (float)(Math.Pow(Math.E, 3) / s), 1 / 3f, 1 / 3f, 1 / 3f], y);
    }

    [Fact]
    public void SoftmaxAxis()
    {
        // x = [[0, 1, 2], [0, 3, 2]]
        // axis 0 (down the columns): col0 [0,0] → .5 .5; col1 [1,3] → 1/(1+e²), e²/(1+e²); col2 [2,2] → .5 .5
        float a = (float)(1 / (1 + Math.Exp(2))), b = (float)(Math.Exp(2) / (1 + Math.Exp(2)));
        var x = T([2, 3], 0, 1, 2, 0, 3, 2);
        AssertTensor([2, 3], [0.5f, a, 0.5f, 0.5f, b, 0.5f], Run(new Softmax(0), x));
        // axis −1 = axis 1: rows
        double s0 = 1 + Math.E + Math.Exp(2), s1 = 1 + Math.Exp(3) + Math.Exp(2);
        float[] rows = [(float)(1 / s0), (float)(Math.E / s0), (float)(Math.Exp(2) / s0), (float)(1 / s1), (float)(Math.Exp(3) / s1), (float)(Math.Exp(2) / s1)];
        AssertTensor([2, 3], rows, Run(new Softmax(-1), x));
        AssertTensor([2, 3], rows, Run(new Softmax(1), x));
    }

    [Fact]
    public void SoftmaxOverChannelsOfAMap()
    {
        // 1×2×1×2, axis 1: each pixel separately. pixel 0: [0, 0] → .5 .5; pixel 1: [0, ln 3] → 1/4, 3/4
        var y = Run(new Softmax(1), T([1, 2, 1, 2], 0, 0, 0, MathF.Log(3)));
        AssertTensor([1, 2, 1, 2], [0.5f, 0.25f, 0.5f, 0.75f], y);
    }
}
