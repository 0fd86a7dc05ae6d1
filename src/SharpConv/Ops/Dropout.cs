namespace SharpConv.Ops;

/// <summary>Dropout: the identity at inference (the compile step removes it). The rate is kept for the summary.</summary>
public sealed class Dropout : UnaryOp
{
    /// <summary>A dropout layer of rate <paramref name="p"/>.</summary>
    public Dropout(float p = 0.5f)
    {
        if (!(p >= 0 && p < 1)) throw new InvalidLayerException("Dropout", $"rate must be in [0, 1), found {p}.");
        P = p;
    }
    /// <summary>The training-time drop rate.</summary>
    public float P { get; }
    /// <inheritdoc/>
    public override string Kind => "Dropout";
    /// <inheritdoc/>
    public override string Describe() => $"p={P:g3}";
    /// <inheritdoc/>
    public override float Apply(float x) => x;
}
