namespace SharpConv.Ops;

/// <summary>A fixed tensor in the graph (an imported initializer used as an operand, a scale table…). It does not follow the batch size.</summary>
public sealed class Constant : Op
{
    /// <summary>A constant holding <paramref name="value"/>.</summary>
    public Constant(Tensor value) { Value = value; SetParameters(new Parameter("value", value, trainable: false)); }
    /// <summary>The value.</summary>
    public Tensor Value { get; }
    /// <inheritdoc/>
    public override string Kind => "Constant";
    /// <inheritdoc/>
    public override int MinInputs => 0;
    /// <inheritdoc/>
    public override int MaxInputs => 0;
    /// <inheritdoc/>
    public override Shape InferShape(string node, IReadOnlyList<Shape> inputs) => Value.Shape;
    /// <inheritdoc/>
    public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output) => Value.Span.CopyTo(output.Span);
    /// <inheritdoc/>
    public override string Describe() => Value.Shape.ToString();
}
