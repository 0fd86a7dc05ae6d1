using System.Text;

namespace SharpConv.Onnx.Import;

/// <summary>Element families the constant folder keeps: floats (float32, float64 narrowed) and integers (int64, int32, bool…).</summary>
internal enum ConstKind { Float, Int }

/// <summary>
/// A small constant tensor known at load time: an initializer, a <c>Constant</c> node, or the folded result of
/// shape glue. Integers may be symbolic in the batch size (<see cref="SymInt"/>); the dimensions never are.
/// </summary>
internal sealed class ConstTensor
{
    private ConstTensor(int[] dims, ConstKind kind, int onnxType, float[]? floats, SymInt[]? ints)
    {
        Dims = dims; Kind = kind; OnnxType = onnxType; Floats = floats; Ints = ints;
    }

    /// <summary>The dimensions (empty for a scalar).</summary>
    public int[] Dims { get; }
    /// <summary>Float or integer.</summary>
    public ConstKind Kind { get; }
    /// <summary>The ONNX element type it was read as (TensorProto.DataType numbering), kept for Cast and export.</summary>
    public int OnnxType { get; }
    /// <summary>Float elements (when <see cref="Kind"/> is Float).</summary>
    public float[]? Floats { get; }
    /// <summary>Integer elements (when <see cref="Kind"/> is Int).</summary>
    public SymInt[]? Ints { get; }

    /// <summary>Element count.</summary>
    public int Length => Kind == ConstKind.Float ? Floats!.Length : Ints!.Length;
    /// <summary>Rank.</summary>
    public int Rank => Dims.Length;

    public const int TypeFloat = 1, TypeUInt8 = 2, TypeInt8 = 3, TypeUInt16 = 4, TypeInt16 = 5, TypeInt32 = 6, TypeInt64 = 7,
        TypeString = 8, TypeBool = 9, TypeFloat16 = 10, TypeDouble = 11, TypeUInt32 = 12, TypeUInt64 = 13;

    /// <summary>A float tensor.</summary>
    public static ConstTensor FromFloats(int[] dims, float[] data, int onnxType = TypeFloat)
    {
        Check(dims, data.Length);
        return new ConstTensor(dims, ConstKind.Float, onnxType, data, null);
    }

    /// <summary>An integer tensor.</summary>
    public static ConstTensor FromInts(int[] dims, SymInt[] data, int onnxType = TypeInt64)
    {
        Check(dims, data.Length);
        return new ConstTensor(dims, ConstKind.Int, onnxType, null, data);
    }

    /// <summary>An integer tensor of known values.</summary>
    public static ConstTensor FromLongs(int[] dims, long[] data, int onnxType = TypeInt64) =>
        FromInts(dims, Array.ConvertAll(data, SymInt.Of), onnxType);

    /// <summary>A 1-D int64 tensor.</summary>
    public static ConstTensor Vector(params long[] values) => FromLongs([values.Length], values);

    /// <summary>A scalar float.</summary>
    public static ConstTensor Scalar(float value) => FromFloats([], [value]);

    private static void Check(int[] dims, int length)
    {
        // A hostile graph can fold a constant whose dimensions multiply past any count (found by fuzzing): refuse it
        // as a malformed model instead of overflowing.
        long n = 1;
        foreach (int d in dims)
        {
            if (d < 0 || (d > 0 && n > long.MaxValue / d))
                throw new ModelFormatException($"constant of shape [{string.Join(",", dims)}]: the dimensions are negative or their product overflows.");
            n *= d;
        }
        if (n != length) throw new ModelFormatException($"constant of shape [{string.Join(",", dims)}] holds {length} elements, not {n}.");
    }

    /// <summary>The shape as a SharpConv shape.</summary>
    public Shape Shape => new(Dims);

    /// <summary>The value as a float SharpConv tensor (integers converted; symbolic values refused).</summary>
    public Tensor ToTensor()
    {
        if (Kind == ConstKind.Float) return new Tensor(Shape, (float[])Floats!.Clone());
        var f = new float[Ints!.Length];
        for (int i = 0; i < f.Length; i++) f[i] = Ints[i].Value;
        return new Tensor(Shape, f);
    }

    /// <summary>Element <paramref name="i"/> as a double (integers must be known).</summary>
    public double GetDouble(int i) => Kind == ConstKind.Float ? Floats![i] : Ints![i].Value;

    /// <summary>The integers as known longs; throws <see cref="ModelFormatException"/> naming <paramref name="what"/> if symbolic or float.</summary>
    public long[] ToLongs(string what)
    {
        if (Kind != ConstKind.Int)
        {
            // Callers may bind integer inputs as float tensors (SharpConv tensors are float32): accept integral values.
            var l = new long[Floats!.Length];
            for (int i = 0; i < l.Length; i++)
            {
                float f = Floats[i];
                if (f != MathF.Round(f) || float.IsInfinity(f)) throw new ModelFormatException($"{what}: expected integers, found {f}.");
                l[i] = (long)f;
            }
            return l;
        }
        var r = new long[Ints!.Length];
        for (int i = 0; i < r.Length; i++)
        {
            if (!Ints[i].IsKnown) throw new ModelFormatException($"{what}: value {Ints[i]} depends on the batch size here, which SharpConv cannot express.");
            r[i] = Ints[i].Coef;
        }
        return r;
    }

    /// <summary>The elements as doubles (for float attributes fed as inputs, e.g. Clip min/max).</summary>
    public double[] ToDoubles()
    {
        var r = new double[Length];
        for (int i = 0; i < r.Length; i++) r[i] = GetDouble(i);
        return r;
    }

    /// <summary>Same elements, other dimensions.</summary>
    public ConstTensor WithDims(int[] dims) =>
        Kind == ConstKind.Float ? FromFloats(dims, Floats!, OnnxType) : FromInts(dims, Ints!, OnnxType);

    /// <summary>Short description for error messages, e.g. <c>int64[2] {N, -1}</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(Kind == ConstKind.Float ? "float" : "int").Append('[').Append(string.Join(",", Dims)).Append("] {");
        int show = Math.Min(Length, 8);
        for (int i = 0; i < show; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(Kind == ConstKind.Float ? Floats![i].ToString("G6", System.Globalization.CultureInfo.InvariantCulture) : Ints![i].ToString());
        }
        if (Length > show) sb.Append(", …");
        return sb.Append('}').ToString();
    }
}
