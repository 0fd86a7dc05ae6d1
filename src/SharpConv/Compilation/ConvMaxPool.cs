using SharpConv.Ops;

namespace SharpConv.Compilation;

/// <summary>
/// A convolution (with what <see cref="FusedOp"/> folded into it) and the max pool that is its only reader, computed
/// band by band so the full-resolution activation between them is never stored (the stems of ResNet, GoogLeNet,
/// DenseNet and SqueezeNet). Its reference kernel is the plain composition, so the fused graph is checked against the
/// unfused one; the fast kernel is <see cref="Kernels.Conv.PooledConv"/>.
/// </summary>
public sealed class ConvMaxPool : Op
{
    /// <summary>Fuses <paramref name="conv"/> (a <see cref="Conv2d"/>, or a <see cref="FusedOp"/> on one without a
    /// residual or input map) with <paramref name="pool"/>.</summary>
    public ConvMaxPool(Op conv, MaxPool2d pool)
    {
        if (conv is not (Conv2d or FusedOp { Main: Conv2d, HasResidual: false, Prologue: null }))
            throw new ArgumentException($"only a convolution without a residual or input map fuses with a max pool, not {conv.Describe()}.", nameof(conv));
        Conv = conv; Pool = pool;
        SetParameters([.. conv.Parameters]);
    }

    /// <summary>The convolution stage.</summary>
    public Op Conv { get; }
    /// <summary>The convolution itself.</summary>
    public Conv2d Convolution => Conv as Conv2d ?? (Conv2d)((FusedOp)Conv).Main;
    /// <summary>The clamp fused into the convolution.</summary>
    public Epilogue Epilogue => Conv is FusedOp f ? f.Epilogue : Epilogue.None;
    /// <summary>The max pool.</summary>
    public MaxPool2d Pool { get; }
    /// <inheritdoc/>
    public override string Kind => Conv.Kind;
    /// <inheritdoc/>
    public override string Describe() => $"{Conv.Describe()} → max pool {Pool.Describe()}";
    /// <inheritdoc/>
    public override Shape InferShape(string node, IReadOnlyList<Shape> inputs)
    {
        ExpectInputCount(node, inputs);
        return Pool.InferShape(node, [Conv.InferShape(node, inputs)]);
    }
    /// <inheritdoc/>
    public override long Macs(IReadOnlyList<Shape> inputs, Shape output) => Conv.Macs(inputs, Conv.InferShape("macs", inputs));
    /// <inheritdoc/>
    public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output)
    {
        var full = new Tensor(Conv.InferShape(Kind, [inputs[0].Shape]));
        Conv.RunReference(inputs, full);
        Pool.RunReference([full], output);
    }
}
