using System.Runtime.InteropServices;

namespace SharpConv;

/// <summary>
/// A dense float32 tensor in row-major (C) order; image tensors are NCHW.
/// A tensor either owns a fresh array or borrows memory that someone else owns (an arena slice, a
/// caller's buffer): <see cref="Span"/> is the same either way.
/// </summary>
public sealed class Tensor
{
    private readonly Memory<float> _memory;

    /// <summary>Allocates a zero-filled tensor, after checking the size against <see cref="Limits.MaxTensorElements"/>.</summary>
    /// <exception cref="LimitExceededException">The tensor would be larger than the configured limit.</exception>
    public Tensor(Shape shape)
    {
        Shape = shape;
        _memory = new float[Limits.CheckTensorElements(shape, "tensor")];
    }

    /// <summary>Wraps (borrows) <paramref name="data"/>; its length must equal the shape's element count.</summary>
    /// <exception cref="ShapeMismatchException">The data length does not match the shape.</exception>
    public Tensor(Shape shape, float[] data) : this(shape, data.AsMemory()) { }

    /// <summary>Borrows <paramref name="memory"/>; its length must equal the shape's element count.</summary>
    /// <exception cref="ShapeMismatchException">The memory length does not match the shape.</exception>
    public Tensor(Shape shape, Memory<float> memory)
    {
        if (memory.Length != shape.ElementCount)
            throw new ShapeMismatchException("tensor", $"{shape.ElementCount} elements for shape {shape}", $"{memory.Length} elements");
        Shape = shape;
        _memory = memory;
    }

    /// <summary>
    /// A view of image-strided memory: image n of the NCHW <paramref name="shape"/> starts at
    /// <c>n · <paramref name="imageStride"/></c> in <paramref name="memory"/> — a slice of a concatenation that its
    /// producer writes in place. Only the compiled network makes these, and only kernels that honour
    /// <see cref="ImageStride"/> are handed one with more than one image.
    /// </summary>
    internal Tensor(Shape shape, Memory<float> memory, long imageStride)
    {
        long needed = ViewLength(shape, imageStride);
        if (imageStride < shape.ElementsFrom(1) || memory.Length != needed)
            throw new ShapeMismatchException("tensor view", $"{needed} elements for shape {shape} at image stride {imageStride}", $"{memory.Length} elements");
        Shape = shape;
        _memory = memory;
        ImageStride = imageStride;
    }

    /// <summary>The dimensions.</summary>
    public Shape Shape { get; }

    /// <summary>Floats from one image (index of dimension 0) to the next: the image size unless this is a view made by
    /// the compiled network into a wider concatenation.</summary>
    internal long ImageStride { get => _imageStride != 0 ? _imageStride : Shape.ElementsFrom(1); private init => _imageStride = value; }
    private readonly long _imageStride;

    /// <summary>Floats a view of <paramref name="shape"/> spans when its images lie <paramref name="imageStride"/> apart:
    /// the last image ends N − 1 strides and one image after the first begins.</summary>
    internal static long ViewLength(Shape shape, long imageStride) =>
        shape.Rank > 0 && shape[0] > 1 ? (shape[0] - 1) * imageStride + shape.ElementsFrom(1) : shape.ElementCount;

    /// <summary>A view of images [<paramref name="first"/>, first + <paramref name="count"/>) of this tensor (dimension 0),
    /// keeping its image stride.</summary>
    internal Tensor Images(int first, int count)
    {
        var shape = Shape.WithBatch(count);
        long stride = ImageStride;
        return new Tensor(shape, _memory.Slice(checked((int)(first * stride)), checked((int)ViewLength(shape, stride))), stride);
    }

    /// <summary>Number of elements.</summary>
    public int Length => _memory.Length;

    /// <summary>The elements, row-major.</summary>
    public Span<float> Span => _memory.Span;

    /// <summary>The underlying memory.</summary>
    public Memory<float> Memory => _memory;

    /// <summary>Element at a flat index.</summary>
    public float this[int index]
    {
        get => _memory.Span[index];
        set => _memory.Span[index] = value;
    }

    /// <summary>Element of a 4-D NCHW tensor.</summary>
    public float this[int n, int c, int h, int w]
    {
        get => _memory.Span[((n * Shape[1] + c) * Shape[2] + h) * Shape[3] + w];
        set => _memory.Span[((n * Shape[1] + c) * Shape[2] + h) * Shape[3] + w] = value;
    }

    /// <summary>A view of the same memory with another shape of equal element count.</summary>
    /// <exception cref="ShapeMismatchException">The element counts differ.</exception>
    public Tensor Reshape(Shape shape) => new(shape, _memory);

    /// <summary>A deep copy that owns its memory.</summary>
    public Tensor Clone()
    {
        var t = new Tensor(Shape);
        Span.CopyTo(t.Span);
        return t;
    }

    /// <summary>The elements as a new array.</summary>
    public float[] ToArray() => _memory.ToArray();

    /// <summary>A tensor of independent standard-normal values from a seeded generator (deterministic across runs and platforms).</summary>
    public static Tensor RandomNormal(Shape shape, int seed, float std = 1f)
    {
        var t = new Tensor(shape);
        new SeededRandom((ulong)(uint)seed).FillNormal(t.Span, 0f, std);
        return t;
    }

    /// <summary>A tensor of uniform values in [low, high) from a seeded generator.</summary>
    public static Tensor RandomUniform(Shape shape, int seed, float low = -1f, float high = 1f)
    {
        var t = new Tensor(shape);
        new SeededRandom((ulong)(uint)seed).FillUniform(t.Span, low, high);
        return t;
    }

    /// <summary>A tensor filled with one value.</summary>
    public static Tensor Filled(Shape shape, float value)
    {
        var t = new Tensor(shape);
        t.Span.Fill(value);
        return t;
    }

    /// <summary>Reads little-endian float32 values (the raw <c>.bin</c> format) into a tensor of the given shape.</summary>
    /// <exception cref="ShapeMismatchException">The byte count does not match the shape.</exception>
    public static Tensor FromLittleEndianBytes(Shape shape, ReadOnlySpan<byte> bytes)
    {
        long expected = checked(shape.ElementCount * 4);
        if (bytes.Length != expected)
            throw new ShapeMismatchException("raw float32 data", $"{expected} bytes for shape {shape}", $"{bytes.Length} bytes");
        var t = new Tensor(shape);
        var src = MemoryMarshal.Cast<byte, float>(bytes);
        if (BitConverter.IsLittleEndian) src.CopyTo(t.Span);
        else for (int i = 0; i < src.Length; i++) t.Span[i] = BitConverter.Int32BitsToSingle(System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes.Slice(i * 4)));
        return t;
    }
}
