namespace SharpConv.Onnx.Import;

/// <summary>
/// One element of an integer shape tensor while folding shape glue: either a known number or a multiple of
/// the (dynamic) batch size <c>N</c>. <c>Shape(x)[0]</c> of a batch-first tensor folds to <c>1·N</c>;
/// <c>N·C·H·W</c>-style products stay <c>k·N</c>. Anything else involving <c>N</c> (N + 1, N·N) is refused.
/// </summary>
internal readonly record struct SymInt(long Coef, bool Batch)
{
    /// <summary>A known number.</summary>
    public static SymInt Of(long value) => new(value, false);
    /// <summary><c>1·N</c>.</summary>
    public static SymInt BatchSize => new(1, true);

    /// <summary>True when the value does not depend on the batch size.</summary>
    public bool IsKnown => !Batch;

    /// <summary>The number; throws when the value depends on the batch size.</summary>
    public long Value => Batch ? throw new InvalidOperationException($"{this} depends on the batch size") : Coef;

    public override string ToString() => Batch ? (Coef == 1 ? "N" : $"{Coef}·N") : Coef.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
