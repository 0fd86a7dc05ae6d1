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

    /// <summary>The number; a value that depends on the batch size cannot be used where a number is needed.</summary>
    /// <exception cref="ModelFormatException">The value depends on the batch size.</exception>
    public long Value => Batch
        ? throw new ModelFormatException($"the value {this} depends on the batch size N (it comes from Shape of a runtime tensor) but is used where a constant is needed (a weight, a scale, a runtime tensor).")
        : Coef;

    public override string ToString() => Batch ? (Coef == 1 ? "N" : $"{Coef}·N") : Coef.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
