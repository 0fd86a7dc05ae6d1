namespace SharpConv.Ops;

/// <summary>
/// ResNet's parameter-free "option A" shortcut: subsample the map by <see cref="Stride"/> (<c>x[:, :, ::s, ::s]</c>)
/// and pad the channel axis with zeros, <see cref="Before"/> channels in front and <see cref="After"/> behind.
/// </summary>
public sealed class ChannelZeroPad : Op
{
    /// <summary>A shortcut adding zero channels and subsampling by <paramref name="stride"/>.</summary>
    public ChannelZeroPad(int before, int after, int stride = 1)
    {
        Before = AtLeast(before, 0, "channels before", "ChannelZeroPad");
        After = AtLeast(after, 0, "channels after", "ChannelZeroPad");
        Stride = AtLeast(stride, 1, "stride", "ChannelZeroPad");
    }
    /// <summary>Zero channels in front.</summary>
    public int Before { get; }
    /// <summary>Zero channels behind.</summary>
    public int After { get; }
    /// <summary>Spatial subsampling step.</summary>
    public int Stride { get; }
    /// <inheritdoc/>
    public override string Kind => "ChannelZeroPad";
    /// <inheritdoc/>
    public override string Describe() => $"+{Before}/+{After} ch, /{Stride}";
    /// <inheritdoc/>
    public override Shape InferShape(string node, IReadOnlyList<Shape> inputs)
    {
        ExpectInputCount(node, inputs);
        var x = inputs[0];
        ExpectRank(node, x, 4);
        long channels = (long)x.C + Before + After;
        if (channels > int.MaxValue)
            throw new LimitExceededException($"{node} ({Kind})", $"{channels:N0} channels after padding {x}", int.MaxValue);
        return new Shape(x.N, (int)channels, (int)(((long)x.H + Stride - 1) / Stride), (int)(((long)x.W + Stride - 1) / Stride));
    }
    /// <inheritdoc/>
    public override void RunReference(ReadOnlySpan<Tensor> inputs, Tensor output)
    {
        var xs = inputs[0].Shape; var os = output.Shape; var x = inputs[0].Span; var y = output.Span;
        y.Clear();
        for (int n = 0; n < xs.N; n++)
            for (int c = 0; c < xs.C; c++)
                for (int p = 0; p < os.H; p++)
                    for (int q = 0; q < os.W; q++)
                        y[((n * os.C + c + Before) * os.H + p) * os.W + q] = x[((n * xs.C + c) * xs.H + p * Stride) * xs.W + q * Stride];
    }
}
