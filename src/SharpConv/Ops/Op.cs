namespace SharpConv.Ops;

/// <summary>
/// A layer: its hyper-parameters, its shape rule, its parameter and multiply-accumulate counts, and its
/// readable reference kernel (the oracle every fast kernel is tested against, and the fallback).
/// Ops are immutable once built and carry no per-run state, so one op may be run from many threads.
/// </summary>
public abstract class Op
{
    private Parameter[] _parameters = [];

    /// <summary>The layer type as the summary prints it, e.g. <c>Conv2d</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>Fewest inputs the op takes.</summary>
    public virtual int MinInputs => 1;

    /// <summary>Most inputs the op takes (<see cref="int.MaxValue"/> for variadic ops such as Concat).</summary>
    public virtual int MaxInputs => 1;

    /// <summary>Learned tensors and buffers (BatchNorm running statistics are buffers: not trainable).</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Trainable parameter count — the number papers and torchvision publish.</summary>
    public long TrainableParameterCount
    {
        get { long n = 0; foreach (var p in _parameters) if (p.Trainable) n += p.Count; return n; }
    }

    /// <summary>Non-trainable buffer count (BatchNorm running mean and variance).</summary>
    public long BufferCount
    {
        get { long n = 0; foreach (var p in _parameters) if (!p.Trainable) n += p.Count; return n; }
    }

    /// <summary>Registers the op's parameters; called once by the derived constructor.</summary>
    protected void SetParameters(params Parameter[] parameters) => _parameters = parameters;

    /// <summary>
    /// The output shape for these input shapes. Throws <see cref="ShapeMismatchException"/> or
    /// <see cref="InvalidLayerException"/> naming <paramref name="node"/> when the inputs do not fit.
    /// </summary>
    public abstract Shape InferShape(string node, IReadOnlyList<Shape> inputs);

    /// <summary>Multiply-accumulates of one forward pass for these shapes (batch included). Zero for data movement.</summary>
    public virtual long Macs(IReadOnlyList<Shape> inputs, Shape output) => 0;

    /// <summary>The reference kernel: plain loops, no SIMD, no threads. <paramref name="output"/> has the inferred shape.</summary>
    public abstract void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output);

    /// <summary>The hyper-parameters in a short human form, e.g. <c>3×3/1 p1, 64</c>.</summary>
    public virtual string Describe() => "";

    /// <summary>Checks the input count; ops call this first in <see cref="InferShape"/>.</summary>
    protected void ExpectInputCount(string node, IReadOnlyList<Shape> inputs)
    {
        if (inputs.Count < MinInputs || inputs.Count > MaxInputs)
        {
            string expected = MinInputs == MaxInputs ? $"{MinInputs} input(s)"
                : MaxInputs == int.MaxValue ? $"at least {MinInputs} inputs" : $"{MinInputs}..{MaxInputs} inputs";
            throw new ShapeMismatchException($"{node} ({Kind})", expected, $"{inputs.Count}");
        }
    }

    /// <summary>Checks that an input has the given rank.</summary>
    protected void ExpectRank(string node, Shape shape, int rank, string what = "input")
    {
        if (shape.Rank != rank)
            throw new ShapeMismatchException($"{node} ({Kind})", $"a rank-{rank} {what}{(rank == 4 ? " (N×C×H×W)" : "")}", $"{shape} (rank {shape.Rank})");
    }

    /// <summary>Throws <see cref="InvalidLayerException"/> for an impossible hyper-parameter.</summary>
    protected InvalidLayerException Invalid(string node, string problem) => new($"{node} ({Kind})", problem);

    /// <summary>Checks a constructor argument is ≥ <paramref name="min"/>, naming the argument.</summary>
    protected static int AtLeast(int value, int min, string name, string kind)
    {
        if (value < min) throw new InvalidLayerException(kind, $"{name} must be ≥ {min}, found {value}.");
        return value;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Kind}({Describe()})";
}
