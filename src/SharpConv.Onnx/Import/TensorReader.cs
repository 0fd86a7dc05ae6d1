using System.Buffers.Binary;
using SharpConv.Onnx.Protobuf;

namespace SharpConv.Onnx.Import;

/// <summary>
/// Turns an ONNX <c>TensorProto</c> (initializer, Constant value, test-data .pb) into a <see cref="ConstTensor"/>:
/// float, double, int64, int32 and the small integer/bool types; payload in <c>raw_data</c> (little-endian),
/// in the typed fields, or in an external file next to the model. Every size is checked against
/// <see cref="Limits"/> and against the bytes actually present before anything is allocated.
/// </summary>
internal static class TensorReader
{
    /// <summary>Reads <paramref name="t"/>; <paramref name="modelDirectory"/> resolves external data (null: refused).</summary>
    /// <exception cref="ModelFormatException">Malformed or unsupported tensor.</exception>
    /// <exception cref="LimitExceededException">Larger than <see cref="Limits.MaxTensorElements"/>.</exception>
    public static ConstTensor Read(TensorProto t, string? modelDirectory, string what)
    {
        string name = string.IsNullOrEmpty(t.Name) ? what : $"{what} '{t.Name}'";
        var dims = new int[t.Dims.Count];
        long count = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            long d = t.Dims[i];
            if (d < 0 || d > int.MaxValue)
                throw new ModelFormatException($"{name}: dimension {i} is {d}; dimensions must be in 0..{int.MaxValue}.");
            dims[i] = (int)d;
            count = count > 0 && d > 0 && count > long.MaxValue / d ? long.MaxValue : count * d;
        }
        if (count > Limits.MaxTensorElements || count > Array.MaxLength)
            throw new LimitExceededException(name, $"dims [{string.Join(",", t.Dims)}] make {count:N0} elements", Math.Min(Limits.MaxTensorElements, Array.MaxLength));
        int n = (int)count;
        int type = t.DataType;
        int elemSize = ElementSize(type);
        if (elemSize == 0)
            throw new ModelFormatException($"{name}: element type {TypeName(type)} is not supported (float, double, int64, int32, int16, int8, uint8, bool are).");

        if (t.DataLocation == TensorProto.Types.DataLocation.External)
        {
            var bytes = ReadExternal(t, modelDirectory, name, (long)n * elemSize);
            return FromRaw(dims, type, bytes, n, name);
        }
        if (t.HasRawData)
        {
            var raw = t.RawData.Span;
            if (raw.Length != (long)n * elemSize)
                throw new ModelFormatException($"{name}: raw_data holds {raw.Length} bytes, shape [{string.Join(",", dims)}] of {TypeName(type)} needs {(long)n * elemSize}.");
            return FromRaw(dims, type, raw, n, name);
        }
        return FromTyped(t, dims, type, n, name);
    }

    private static ConstTensor FromRaw(int[] dims, int type, ReadOnlySpan<byte> raw, int n, string name)
    {
        switch (type)
        {
            case ConstTensor.TypeFloat:
            {
                var f = new float[n];
                for (int i = 0; i < n; i++) f[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(i * 4));
                return ConstTensor.FromFloats(dims, f);
            }
            case ConstTensor.TypeDouble:
            {
                var f = new float[n];
                for (int i = 0; i < n; i++) f[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(raw.Slice(i * 8));
                return ConstTensor.FromFloats(dims, f, type);
            }
            default:
            {
                var v = new SymInt[n];
                for (int i = 0; i < n; i++)
                    v[i] = SymInt.Of(type switch
                    {
                        ConstTensor.TypeInt64 => BinaryPrimitives.ReadInt64LittleEndian(raw.Slice(i * 8)),
                        ConstTensor.TypeUInt64 => UInt64(BinaryPrimitives.ReadUInt64LittleEndian(raw.Slice(i * 8)), name),
                        ConstTensor.TypeInt32 => BinaryPrimitives.ReadInt32LittleEndian(raw.Slice(i * 4)),
                        ConstTensor.TypeUInt32 => BinaryPrimitives.ReadUInt32LittleEndian(raw.Slice(i * 4)),
                        ConstTensor.TypeInt16 => BinaryPrimitives.ReadInt16LittleEndian(raw.Slice(i * 2)),
                        ConstTensor.TypeUInt16 => BinaryPrimitives.ReadUInt16LittleEndian(raw.Slice(i * 2)),
                        ConstTensor.TypeInt8 => (sbyte)raw[i],
                        ConstTensor.TypeUInt8 or ConstTensor.TypeBool => raw[i],
                        _ => throw new ModelFormatException($"{name}: element type {TypeName(type)} is not supported."),
                    });
                return ConstTensor.FromInts(dims, v, type);
            }
        }
    }

    private static ConstTensor FromTyped(TensorProto t, int[] dims, int type, int n, string name)
    {
        void Expect(int found, string field)
        {
            if (found != n)
                throw new ModelFormatException($"{name}: {field} holds {found} values, shape [{string.Join(",", dims)}] needs {n}.");
        }
        switch (type)
        {
            case ConstTensor.TypeFloat:
                Expect(t.FloatData.Count, "float_data");
                return ConstTensor.FromFloats(dims, t.FloatData.ToArray());
            case ConstTensor.TypeDouble:
                Expect(t.DoubleData.Count, "double_data");
                return ConstTensor.FromFloats(dims, t.DoubleData.Select(d => (float)d).ToArray(), type);
            case ConstTensor.TypeInt64:
                Expect(t.Int64Data.Count, "int64_data");
                return ConstTensor.FromInts(dims, t.Int64Data.Select(SymInt.Of).ToArray(), type);
            case ConstTensor.TypeUInt32:
            case ConstTensor.TypeUInt64:
                Expect(t.Uint64Data.Count, "uint64_data");
                return ConstTensor.FromInts(dims, t.Uint64Data.Select(u => SymInt.Of(UInt64(u, name))).ToArray(), type);
            default: // int32, int16, int8, uint16, uint8, bool all live in int32_data
                Expect(t.Int32Data.Count, "int32_data");
                return ConstTensor.FromInts(dims, t.Int32Data.Select(i => SymInt.Of(i)).ToArray(), type);
        }
    }

    /// <summary>A uint64 element as a long; values above 2^63 − 1 are refused rather than wrapped.</summary>
    private static long UInt64(ulong u, string name) =>
        u <= long.MaxValue ? (long)u : throw new ModelFormatException($"{name}: the uint64 value {u} is larger than SharpConv's integer range (2^63 − 1).");

    private static byte[] ReadExternal(TensorProto t, string? modelDirectory, string name, long needed)
    {
        string? location = null; long offset = 0, length = -1;
        foreach (var e in t.ExternalData)
        {
            switch (e.Key)
            {
                case "location": location = e.Value; break;
                case "offset": if (!long.TryParse(e.Value, out offset) || offset < 0) throw new ModelFormatException($"{name}: external data offset '{e.Value}' is not a non-negative integer."); break;
                case "length": if (!long.TryParse(e.Value, out length) || length < 0) throw new ModelFormatException($"{name}: external data length '{e.Value}' is not a non-negative integer."); break;
            }
        }
        if (string.IsNullOrEmpty(location)) throw new ModelFormatException($"{name}: external data without a 'location'.");
        if (modelDirectory is null)
            throw new ModelFormatException($"{name}: stored in external file '{location}', but the model was not loaded from a file; set OnnxLoadOptions.ExternalDataDirectory.");
        string path = ResolveExternalPath(modelDirectory, location, name);
        if (length >= 0 && length != needed)
            throw new ModelFormatException($"{name}: external data length {length} does not match the {needed} bytes its shape needs.");
        var info = new FileInfo(path);
        if (!info.Exists) throw new ModelFormatException($"{name}: external data file '{location}' not found next to the model ({path}).");
        if (offset > info.Length || needed > info.Length - offset)
            throw new ModelFormatException($"{name}: external file '{location}' has {info.Length} bytes; {needed} are needed from offset {offset}.");
        var buffer = new byte[needed];
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        fs.Seek(offset, SeekOrigin.Begin);
        fs.ReadExactly(buffer);
        return buffer;
    }

    /// <summary>
    /// Resolves an external-data location against the model's folder, refusing absolute paths and anything that
    /// escapes the folder (<c>../secret</c>) — a model must not be able to read arbitrary files.
    /// </summary>
    internal static string ResolveExternalPath(string modelDirectory, string location, string name)
    {
        if (Path.IsPathRooted(location) || location.Contains(':') || location.Contains('\0'))
            throw new ModelFormatException($"{name}: external data location '{location}' must be a relative path inside the model's folder.");
        string root = Path.GetFullPath(modelDirectory);
        string rootWithSep = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        string full = Path.GetFullPath(Path.Combine(root, location));
        if (!full.StartsWith(rootWithSep, StringComparison.Ordinal))
            throw new ModelFormatException($"{name}: external data location '{location}' leaves the model's folder; refused.");
        return full;
    }

    /// <summary>Bytes per element in raw_data, or 0 for unsupported types.</summary>
    internal static int ElementSize(int type) => type switch
    {
        ConstTensor.TypeFloat or ConstTensor.TypeInt32 or ConstTensor.TypeUInt32 => 4,
        ConstTensor.TypeDouble or ConstTensor.TypeInt64 or ConstTensor.TypeUInt64 => 8,
        ConstTensor.TypeInt16 or ConstTensor.TypeUInt16 => 2,
        ConstTensor.TypeInt8 or ConstTensor.TypeUInt8 or ConstTensor.TypeBool => 1,
        _ => 0,
    };

    /// <summary>The ONNX name of an element type.</summary>
    internal static string TypeName(int type) => type switch
    {
        1 => "float", 2 => "uint8", 3 => "int8", 4 => "uint16", 5 => "int16", 6 => "int32", 7 => "int64", 8 => "string",
        9 => "bool", 10 => "float16", 11 => "double", 12 => "uint32", 13 => "uint64", 14 => "complex64", 15 => "complex128",
        16 => "bfloat16", _ => $"type #{type}",
    };

    /// <summary>Writes a float tensor as a TensorProto with raw_data (for the exporter and test files).</summary>
    internal static TensorProto FromTensor(string name, Tensor tensor)
    {
        var t = new TensorProto { Name = name, DataType = ConstTensor.TypeFloat };
        foreach (int d in tensor.Shape.Dims) t.Dims.Add(d);
        var bytes = new byte[tensor.Length * 4];
        var span = tensor.Span;
        for (int i = 0; i < span.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), span[i]);
        t.RawData = Google.Protobuf.ByteString.CopyFrom(bytes);
        return t;
    }

    /// <summary>Writes an int64 vector as a TensorProto with raw_data.</summary>
    internal static TensorProto FromLongs(string name, long[] values)
    {
        var t = new TensorProto { Name = name, DataType = ConstTensor.TypeInt64 };
        t.Dims.Add(values.Length);
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), values[i]);
        t.RawData = Google.Protobuf.ByteString.CopyFrom(bytes);
        return t;
    }
}
