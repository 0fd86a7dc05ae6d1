namespace SharpConv.Ops;

/// <summary>
/// <c>log(softmax(x))</c> along one axis, computed stably as <c>x − max − log Σ exp(x − max)</c>
/// (the classifier head of NLL-trained networks).
/// </summary>
public sealed class LogSoftmax : AxisNormalization
{
    /// <summary>Log-softmax over <paramref name="axis"/> (negative counts from the end).</summary>
    public LogSoftmax(int axis = 1) : base(axis) { }
    /// <inheritdoc/>
    public override string Kind => "LogSoftmax";
    /// <inheritdoc/>
    protected override float Output(float x, float max, double sumOfExp) => (float)(x - max - Math.Log(sumOfExp));
}
