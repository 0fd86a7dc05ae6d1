using SharpConv.Ops;
using static SharpConv.Tests.Ops.OpCheck;

namespace SharpConv.Tests.Ops;

/// <summary>The ONNX activations added for issue #9: HardSigmoid, HardSwish, PRelu, and the element-wise Max / Min.</summary>
public class HardAndParametricActivationTests
{
    private const float NaN = float.NaN, Inf = float.PositiveInfinity;

    private static Tensor Row(params float[] values) => T([1, values.Length], values);

    [Fact]
    public void HardSigmoid()
    {
        // ONNX defaults α = 0.2, β = 0.5: −3 → 0 (clamped), −1 → 0.3, 0 → 0.5, 1 → 0.7, 3 → 1 (clamped)
        AssertTensor([1, 7], [0, 0.3f, 0.5f, 0.7f, 1, NaN, 1], Run(new HardSigmoid(), Row(-3, -1, 0, 1, 3, NaN, Inf)));
        // PyTorch's Hardsigmoid: α = 1/6: 3 → 1, −3 → 0, 1.5 → 0.75
        AssertTensor([1, 3], [1, 0, 0.75f], Run(new HardSigmoid(1f / 6, 0.5f), Row(3, -3, 1.5f)));
        Assert.Throws<InvalidLayerException>(() => new HardSigmoid(float.NaN));
    }

    [Fact]
    public void HardSwish()
    {
        // x · clamp(x/6 + 1/2, 0, 1): −4 → 0, −3 → 0, −1 → −1/3, 0 → 0, 1 → 2/3, 3 → 3, 5 → 5
        AssertTensor([1, 8], [0, 0, -1f / 3, 0, 2f / 3, 3, 5, NaN], Run(new HardSwish(), Row(-4, -3, -1, 0, 1, 3, 5, NaN)));
    }

    [Fact]
    public void PReluSharedAndPerChannel()
    {
        AssertTensor([1, 4], [-0.5f, 0, 3, NaN], Run(new PRelu(0.25f), Row(-2, 0, 3, NaN)));
        // one slope per channel of a 1×2×1×2 input: slopes [C, 1, 1] = [0.1, 2]
        var prelu = new PRelu(T([2, 1, 1], 0.1f, 2f));
        AssertTensor([1, 2, 1, 2], [-0.1f, 1, -4, 3], Run(prelu, T([1, 2, 1, 2], -1, 1, -2, 3)));
        Assert.Equal(2, prelu.TrainableParameterCount);
        // slopes that do not broadcast to the input (3 channels) are a shape error naming the layer
        var e = Assert.Throws<ShapeMismatchException>(() => prelu.InferShape("p", [new Shape(1, 3, 1, 2)]));
        Assert.Contains("p (PReLU)", e.Message);
    }

    [Fact]
    public void MaxAndMinBroadcastAndPropagateNaN()
    {
        var a = T([2, 3], 1, 5, 3, NaN, -1, 0);
        var b = T([3], 2, 2, 2);
        AssertTensor([2, 3], [2, 5, 3, NaN, 2, 2], Run(new Max(), [a, b]));
        AssertTensor([2, 3], [1, 2, 2, NaN, -1, 0], Run(new Min(), [a, b]));
    }
}
