using System.Text;

namespace SharpConv;

/// <summary>
/// The dimensions of a tensor, outermost first. Image tensors are NCHW: batch, channels, height, width.
/// Immutable; equality compares the dimensions.
/// </summary>
public readonly struct Shape : IEquatable<Shape>
{
    private readonly int[]? _dims;

    /// <summary>Creates a shape from its dimensions. Every dimension must be ≥ 0.</summary>
    /// <exception cref="ArgumentException">A dimension is negative.</exception>
    public Shape(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        foreach (int d in dims)
            if (d < 0) throw new ArgumentException($"Shape dimensions must be ≥ 0; found {d} in [{string.Join(", ", dims)}].", nameof(dims));
        _dims = (int[])dims.Clone();
    }

    /// <summary>Creates a shape from a span of dimensions. Every dimension must be ≥ 0.</summary>
    public Shape(ReadOnlySpan<int> dims) : this(dims.ToArray()) { }

    /// <summary>A 4-D NCHW shape.</summary>
    public static Shape Nchw(int n, int c, int h, int w) => new(n, c, h, w);

    /// <summary>The number of dimensions.</summary>
    public int Rank => _dims?.Length ?? 0;

    /// <summary>The dimensions as a span.</summary>
    public ReadOnlySpan<int> Dims => _dims ?? [];

    /// <summary>Dimension <paramref name="axis"/>; a negative axis counts from the end.</summary>
    public int this[int axis] => Dims[axis < 0 ? axis + Rank : axis];

    /// <summary>Batch size (dimension 0).</summary>
    public int N => this[0];
    /// <summary>Channels (dimension 1 of an NCHW shape).</summary>
    public int C => this[1];
    /// <summary>Height (dimension 2 of an NCHW shape).</summary>
    public int H => this[2];
    /// <summary>Width (dimension 3 of an NCHW shape).</summary>
    public int W => this[3];

    /// <summary>The product of all dimensions (1 for a scalar shape).</summary>
    /// <exception cref="OverflowException">The product does not fit in 64 bits.</exception>
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (int d in Dims) n = checked(n * d);
            return n;
        }
    }

    /// <summary>The product of the dimensions from <paramref name="axis"/> on (the size of one item when axis = 1).</summary>
    public long ElementsFrom(int axis)
    {
        long n = 1;
        for (int i = axis; i < Rank; i++) n = checked(n * Dims[i]);
        return n;
    }

    /// <summary>This shape with dimension 0 replaced by <paramref name="batch"/>.</summary>
    public Shape WithBatch(int batch)
    {
        var d = Dims.ToArray();
        d[0] = batch;
        return new Shape(d);
    }

    /// <summary>This shape with one dimension replaced.</summary>
    public Shape With(int axis, int value)
    {
        var d = Dims.ToArray();
        d[axis < 0 ? axis + Rank : axis] = value;
        return new Shape(d);
    }

    /// <summary>The dimensions as a new array.</summary>
    public int[] ToArray() => Dims.ToArray();

    /// <inheritdoc/>
    public bool Equals(Shape other) => Dims.SequenceEqual(other.Dims);
    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);
    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (int d in Dims) h.Add(d);
        return h.ToHashCode();
    }
    /// <summary>Compares dimensions.</summary>
    public static bool operator ==(Shape a, Shape b) => a.Equals(b);
    /// <summary>Compares dimensions.</summary>
    public static bool operator !=(Shape a, Shape b) => !a.Equals(b);

    /// <summary>Formats as <c>1×3×224×224</c>.</summary>
    public override string ToString()
    {
        if (Rank == 0) return "scalar";
        var sb = new StringBuilder();
        for (int i = 0; i < Rank; i++)
        {
            if (i > 0) sb.Append('×');
            sb.Append(Dims[i]);
        }
        return sb.ToString();
    }
}
