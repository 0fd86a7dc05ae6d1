namespace SharpConv.Ops;

/// <summary>How a parameter's values are produced when nobody supplied them.</summary>
public enum ParameterInit
{
    /// <summary>He (Kaiming) normal: N(0, 2 / fan-in) — the init of ReLU networks.</summary>
    HeNormal,
    /// <summary>All zeros (biases, BatchNorm shift and running mean).</summary>
    Zeros,
    /// <summary>All ones (BatchNorm scale and running variance).</summary>
    Ones,
}

/// <summary>
/// A learned tensor (weight, bias) or buffer (BatchNorm running statistics). Values are produced lazily
/// from a seed on first use, so a network can be built, shape-checked and summarised without allocating
/// its weights (VGG-19 alone is 575 MB of floats).
/// </summary>
public sealed class Parameter
{
    private Tensor? _value;
    private readonly object _gate = new();

    /// <summary>A parameter whose values come from <paramref name="init"/> with <paramref name="seed"/>.</summary>
    public Parameter(string name, Shape shape, ParameterInit init, int seed, int fanIn = 1, bool trainable = true)
    {
        Name = name; Shape = shape; Init = init; Seed = seed; FanIn = Math.Max(1, fanIn); Trainable = trainable;
    }

    /// <summary>A parameter with given values.</summary>
    public Parameter(string name, Tensor value, bool trainable = true)
    {
        Name = name; Shape = value.Shape; _value = value; Trainable = trainable; FanIn = 1;
    }

    /// <summary>Role of the tensor within its layer: <c>weight</c>, <c>bias</c>, <c>running_mean</c>….</summary>
    public string Name { get; }
    /// <summary>The shape.</summary>
    public Shape Shape { get; }
    /// <summary>The initialiser used when the values were not given.</summary>
    public ParameterInit Init { get; }
    /// <summary>The seed of the initialiser.</summary>
    public int Seed { get; }
    /// <summary>Inputs feeding one output (for He init).</summary>
    public int FanIn { get; }
    /// <summary>False for buffers such as BatchNorm running statistics.</summary>
    public bool Trainable { get; }
    /// <summary>Element count.</summary>
    public long Count => Shape.ElementCount;
    /// <summary>Whether the values exist in memory yet.</summary>
    public bool IsMaterialized => Volatile.Read(ref _value) is not null;

    /// <summary>The values, produced on first access (thread-safe).</summary>
    public Tensor Value
    {
        get
        {
            var v = Volatile.Read(ref _value);
            if (v is not null) return v;
            lock (_gate)
            {
                _value ??= Materialize();
                return _value;
            }
        }
    }

    private Tensor Materialize()
    {
        var t = new Tensor(Shape);
        switch (Init)
        {
            case ParameterInit.HeNormal: new SeededRandom((ulong)(uint)Seed).FillNormal(t.Span, 0f, MathF.Sqrt(2f / FanIn)); break;
            case ParameterInit.Ones: t.Span.Fill(1f); break;
            case ParameterInit.Zeros: break;
        }
        return t;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {Shape}";
}
