namespace SharpConv.Ops;

/// <summary>A network input. Its shape is declared with a batch size; compiled networks may run other batch sizes.</summary>
public sealed class Input : Op
{
    /// <summary>An input of the given shape: rank ≥ 1, the first dimension being the batch.</summary>
    /// <exception cref="InvalidLayerException">The shape is a scalar (rank 0): there is no batch dimension to run.</exception>
    public Input(Shape shape)
    {
        if (shape.Rank == 0) throw new InvalidLayerException("Input", "an input needs a batch dimension (rank ≥ 1); found a scalar shape [].");
        Shape = shape;
    }
    /// <summary>The declared shape.</summary>
    public Shape Shape { get; }
    /// <inheritdoc/>
    public override string Kind => "Input";
    /// <inheritdoc/>
    public override int MinInputs => 0;
    /// <inheritdoc/>
    public override int MaxInputs => 0;
    /// <inheritdoc/>
    public override Shape InferShape(string node, IReadOnlyList<Shape> inputs) => Shape;
    /// <inheritdoc/>
    public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output) =>
        throw new InvalidOperationException("An input node is fed, not run.");
}
