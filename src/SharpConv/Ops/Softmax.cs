namespace SharpConv.Ops;

/// <summary>Softmax along one axis (default 1, the classes): <c>e^(x_i − max) / Σ e^(x_j − max)</c> — the max is subtracted so large logits do not overflow.</summary>
public sealed class Softmax : AxisNormalization
{
    /// <summary>A softmax over <paramref name="axis"/> (negative counts from the end).</summary>
    public Softmax(int axis = 1) : base(axis) { }
    /// <inheritdoc/>
    public override string Kind => "Softmax";
    /// <inheritdoc/>
    protected override float Output(float x, float max, double sumOfExp) => (float)(Math.Exp(x - max) / sumOfExp);
}
