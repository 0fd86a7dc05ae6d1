namespace SharpConv.Ops;

/// <summary>Global max pooling: each channel's map becomes its maximum (N×C×H×W → N×C×1×1).</summary>
public sealed class GlobalMaxPool : GlobalPool
{
    /// <inheritdoc/>
    public override string Kind => "GlobalMaxPool";
    /// <inheritdoc/>
    public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output)
    {
        var x = inputs[0].Span; var y = output.Span;
        int area = (int)inputs[0].Shape.ElementsFrom(2);
        for (int plane = 0; plane < y.Length; plane++)
        {
            float max = float.NegativeInfinity;
            for (int i = 0; i < area; i++) { float v = x[plane * area + i]; if (v > max || float.IsNaN(v)) max = v; }
            y[plane] = max;
        }
    }
}
