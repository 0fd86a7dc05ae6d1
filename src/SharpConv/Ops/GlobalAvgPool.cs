namespace SharpConv.Ops;

/// <summary>Global average pooling: each channel's map becomes its mean (N×C×H×W → N×C×1×1). The parameter-free replacement for FC layers (NiN, GoogLeNet).</summary>
public sealed class GlobalAvgPool : GlobalPool
{
    /// <inheritdoc/>
    public override string Kind => "GlobalAvgPool";
    /// <inheritdoc/>
    public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output)
    {
        var x = inputs[0].Span; var y = output.Span;
        int area = (int)inputs[0].Shape.ElementsFrom(2);
        for (int plane = 0; plane < y.Length; plane++)
        {
            double sum = 0;
            for (int i = 0; i < area; i++) sum += x[plane * area + i];
            y[plane] = (float)(sum / area);
        }
    }
}
