using SharpConv.Ops;

namespace SharpConv.Compilation;

/// <summary>
/// A clamp applied in a kernel's store: <c>y = min(max(y, Min), Max)</c>. ReLU is [0, ∞), ReLU6 is [0, 6].
/// Fusing it saves a full pass over the activation.
/// </summary>
public readonly record struct Epilogue(float Min, float Max)
{
    /// <summary>No clamp.</summary>
    public static Epilogue None => new(float.NegativeInfinity, float.PositiveInfinity);
    /// <summary>ReLU.</summary>
    public static Epilogue Relu => new(0f, float.PositiveInfinity);
    /// <summary>Whether the clamp does nothing.</summary>
    public bool IsNone => float.IsNegativeInfinity(Min) && float.IsPositiveInfinity(Max);
    /// <summary>Applies the clamp to one value (NaN passes through).</summary>
    public float Apply(float v) => float.IsNaN(v) ? v : Math.Min(Math.Max(v, Min), Max);
    /// <inheritdoc/>
    public override string ToString() => IsNone ? "" : Min == 0 && float.IsPositiveInfinity(Max) ? "relu" : $"clamp[{Min:g3},{Max:g3}]";
}

/// <summary>
/// A convolution or linear layer with what followed it folded into its store: an optional residual addend (the
/// ResNet shortcut, input 1) and an optional clamp. An unfolded BatchNorm (DenseNet's and pre-activation ResNet's
/// norm → relu) takes a clamp too, so the pair is one pass. A 1×1 convolution may also take the BatchNorm + clamp that
/// precedes it as a <see cref="Prologue"/>, applied to its input as it is read (DenseNet's norm → relu → conv 1×1).
/// Its reference kernel is the plain composition, so fused graphs are checked against unfused ones; fast kernels do it
/// in one pass.
/// </summary>
public sealed class FusedOp : Op
{
    /// <summary>Fuses <paramref name="main"/> with a residual addend (when <paramref name="residual"/>) and a clamp.</summary>
    public FusedOp(Op main, bool residual, Epilogue epilogue) : this(main, residual, epilogue, null, Epilogue.None) { }

    /// <summary>Fuses <paramref name="main"/> (a convolution) with a BatchNorm + clamp on its input, a residual and a clamp.</summary>
    public FusedOp(Op main, bool residual, Epilogue epilogue, BatchNorm? prologue, Epilogue prologueClamp)
    {
        if (main is not (Conv2d or Linear or BatchNorm)) throw new ArgumentException($"only Conv2d, Linear and BatchNorm fuse, not {main.Kind}.", nameof(main));
        if (residual && main is BatchNorm) throw new ArgumentException("a BatchNorm fuses a clamp, not a residual.", nameof(residual));
        if (prologue != null && main is not Conv2d) throw new ArgumentException("only a convolution takes a BatchNorm on its input.", nameof(prologue));
        Main = main; HasResidual = residual; Epilogue = epilogue; Prologue = prologue; PrologueClamp = prologueClamp;
        SetParameters(prologue is null ? [.. main.Parameters] : [.. prologue.Parameters, .. main.Parameters]);
    }
    /// <summary>The convolution, linear layer or BatchNorm.</summary>
    public Op Main { get; }
    /// <summary>Whether input 1 is added before the clamp.</summary>
    public bool HasResidual { get; }
    /// <summary>The clamp.</summary>
    public Epilogue Epilogue { get; }
    /// <summary>The BatchNorm applied to the input before <see cref="Main"/>, or null.</summary>
    public BatchNorm? Prologue { get; }
    /// <summary>The clamp after <see cref="Prologue"/>.</summary>
    public Epilogue PrologueClamp { get; }
    /// <inheritdoc/>
    public override string Kind => Main.Kind;
    /// <inheritdoc/>
    public override int MinInputs => HasResidual ? 2 : 1;
    /// <inheritdoc/>
    public override int MaxInputs => MinInputs;
    /// <inheritdoc/>
    public override string Describe() =>
        (Prologue is null ? "" : $"{Prologue.Describe()}{(PrologueClamp.IsNone ? "" : $" +{PrologueClamp}")} → ") +
        Main.Describe() + (HasResidual ? " +residual" : "") + (Epilogue.IsNone ? "" : $" +{Epilogue}");
    /// <inheritdoc/>
    public override Shape InferShape(string node, IReadOnlyList<Shape> inputs)
    {
        ExpectInputCount(node, inputs);
        var shape = Main.InferShape(node, [inputs[0]]);
        if (HasResidual && inputs[1] != shape)
            throw new ShapeMismatchException($"{node} ({Kind} + residual)", $"a residual of shape {shape}", inputs[1].ToString());
        return shape;
    }
    /// <inheritdoc/>
    public override long Macs(IReadOnlyList<Shape> inputs, Shape output) => Main.Macs([inputs[0]], output);
    /// <inheritdoc/>
    public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output)
    {
        if (Prologue is null) Main.RunReference(inputs[..1], output);
        else
        {
            var normalised = new Tensor(inputs[0].Shape);
            Prologue.RunReference(inputs[..1], normalised);
            if (!PrologueClamp.IsNone)
            {
                var n = normalised.Span;
                for (int i = 0; i < n.Length; i++) n[i] = PrologueClamp.Apply(n[i]);
            }
            Main.RunReference([normalised], output);
        }
        var y = output.Span;
        if (HasResidual)
        {
            var r = inputs[1].Span;
            for (int i = 0; i < y.Length; i++) y[i] += r[i];
        }
        if (!Epilogue.IsNone)
            for (int i = 0; i < y.Length; i++) y[i] = Epilogue.Apply(y[i]);
    }
}
