using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace SharpConv.IO;

/// <summary>
/// NumPy <c>.npy</c> files for tensors: read float32 (also float64 and the common integer types, converted to
/// float32) in C order; write float32 (format 1.0). The header is parsed strictly and the shape is checked
/// against <see cref="Limits"/> before the data is allocated; a malformed file raises <see cref="ModelFormatException"/>.
/// </summary>
public static class NpyFile
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a tensor from a <c>.npy</c> file.</summary>
    /// <exception cref="ModelFormatException">Not a .npy file, Fortran order, or an unsupported dtype.</exception>
    /// <exception cref="LimitExceededException">The shape is larger than <see cref="Limits.MaxTensorElements"/>.</exception>
    public static Tensor Read(string path)
    {
        using var fs = File.OpenRead(path);
        return Read(fs, path);
    }

    /// <summary>Reads a tensor from a stream positioned at the start of <c>.npy</c> data.</summary>
    public static Tensor Read(Stream stream, string source = "stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> pre = stackalloc byte[10];
        if (ReadFully(stream, pre) < 8 || !pre[..6].SequenceEqual(Magic))
            throw new ModelFormatException($"{source}: not a .npy file (missing the \\x93NUMPY magic).");
        int major = pre[6];
        int headerLength;
        if (major == 1)
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(pre[8..]);
        else if (major is 2 or 3)
        {
            Span<byte> extra = stackalloc byte[2];
            if (ReadFully(stream, extra) != 2) throw new ModelFormatException($"{source}: truncated .npy header.");
            uint len = BinaryPrimitives.ReadUInt32LittleEndian([pre[8], pre[9], extra[0], extra[1]]);
            if (len > 1 << 20) throw new ModelFormatException($"{source}: .npy header of {len} bytes is implausibly large.");
            headerLength = (int)len;
        }
        else throw new ModelFormatException($"{source}: .npy format version {major}.{pre[7]} is not supported (1.0–3.0 are).");
        var headerBytes = new byte[headerLength];
        if (ReadFully(stream, headerBytes) != headerLength) throw new ModelFormatException($"{source}: truncated .npy header.");
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);

        string descr = HeaderValue(header, "descr", source).Trim().Trim('\'', '"');
        string fortran = HeaderValue(header, "fortran_order", source).Trim();
        string shapeText = HeaderValue(header, "shape", source).Trim();
        if (fortran != "False") throw new ModelFormatException($"{source}: Fortran-order arrays are not supported; save with np.ascontiguousarray.");
        var shape = ParseShape(shapeText, source);
        int n = Limits.CheckTensorElements(shape, $"{source} (.npy)");

        (int size, bool little, char kind) = ParseDescr(descr, source);
        long bytesNeeded = (long)n * size;
        if (stream.CanSeek && stream.Length - stream.Position < bytesNeeded)
            throw new ModelFormatException($"{source}: .npy data is truncated: {bytesNeeded} bytes needed for shape {shape}, {stream.Length - stream.Position} present.");
        var data = new byte[bytesNeeded];
        if (ReadFully(stream, data) != bytesNeeded)
            throw new ModelFormatException($"{source}: .npy data is truncated: {bytesNeeded} bytes needed for shape {shape}.");
        var t = new Tensor(shape);
        var span = t.Span;
        for (int i = 0; i < n; i++)
        {
            var b = data.AsSpan(i * size, size);
            span[i] = (kind, size) switch
            {
                ('f', 4) => little ? BinaryPrimitives.ReadSingleLittleEndian(b) : BinaryPrimitives.ReadSingleBigEndian(b),
                ('f', 8) => (float)(little ? BinaryPrimitives.ReadDoubleLittleEndian(b) : BinaryPrimitives.ReadDoubleBigEndian(b)),
                ('i', 8) => little ? BinaryPrimitives.ReadInt64LittleEndian(b) : BinaryPrimitives.ReadInt64BigEndian(b),
                ('i', 4) => little ? BinaryPrimitives.ReadInt32LittleEndian(b) : BinaryPrimitives.ReadInt32BigEndian(b),
                ('u', 1) => b[0],
                ('i', 1) => (sbyte)b[0],
                ('b', 1) => b[0] != 0 ? 1f : 0f,
                _ => throw new ModelFormatException($"{source}: dtype '{descr}' is not supported."),
            };
        }
        return t;
    }

    /// <summary>Writes a float32 tensor as a <c>.npy</c> file (format 1.0, little-endian, C order).</summary>
    public static void Write(string path, Tensor tensor)
    {
        using var fs = File.Create(path);
        Write(fs, tensor);
    }

    /// <summary>Writes a float32 tensor in <c>.npy</c> format to a stream.</summary>
    public static void Write(Stream stream, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensor);
        var dims = tensor.Shape.ToArray();
        string shape = dims.Length == 1 ? $"({dims[0]},)" : "(" + string.Join(", ", dims) + ")";
        string dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}";
        // Pad with spaces so that magic + length + header + '\n' is a multiple of 64 bytes.
        int total = 10 + dict.Length + 1;
        int pad = (64 - total % 64) % 64;
        string header = dict + new string(' ', pad) + "\n";
        Span<byte> pre = stackalloc byte[10];
        Magic.CopyTo(pre);
        pre[6] = 1; pre[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(pre[8..], (ushort)header.Length);
        stream.Write(pre);
        stream.Write(Encoding.Latin1.GetBytes(header));
        var buffer = new byte[4096 * 4];
        var span = tensor.Span;
        for (int start = 0; start < span.Length; start += 4096)
        {
            int count = Math.Min(4096, span.Length - start);
            for (int i = 0; i < count; i++) BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(i * 4), span[start + i]);
            stream.Write(buffer, 0, count * 4);
        }
    }

    private static int ReadFully(Stream s, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int r = s.Read(buffer[total..]);
            if (r == 0) break;
            total += r;
        }
        return total;
    }

    private static string HeaderValue(string header, string key, string source)
    {
        int k = header.IndexOf($"'{key}'", StringComparison.Ordinal);
        if (k < 0) k = header.IndexOf($"\"{key}\"", StringComparison.Ordinal);
        if (k < 0) throw new ModelFormatException($"{source}: .npy header has no '{key}': {header.Trim()}");
        int colon = header.IndexOf(':', k);
        if (colon < 0) throw new ModelFormatException($"{source}: malformed .npy header: {header.Trim()}");
        int start = colon + 1;
        int end;
        int open = header.IndexOf('(', start);
        if (key == "shape" && open >= 0)
        {
            end = header.IndexOf(')', open);
            if (end < 0) throw new ModelFormatException($"{source}: malformed shape in .npy header: {header.Trim()}");
            return header[open..(end + 1)];
        }
        end = header.IndexOf(',', start);
        int brace = header.IndexOf('}', start);
        if (end < 0 || (brace >= 0 && brace < end)) end = brace;
        if (end < 0) throw new ModelFormatException($"{source}: malformed .npy header: {header.Trim()}");
        return header[start..end];
    }

    private static Shape ParseShape(string text, string source)
    {
        if (!text.StartsWith('(') || !text.EndsWith(')')) throw new ModelFormatException($"{source}: malformed .npy shape '{text}'.");
        var parts = text[1..^1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length > 32) throw new ModelFormatException($"{source}: .npy shape '{text}' has too many dimensions.");
        var dims = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            string p = parts[i].TrimEnd('L');
            if (!long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out long d))
                throw new ModelFormatException($"{source}: .npy shape '{text}' has a non-numeric dimension.");
            if (d > int.MaxValue) throw new LimitExceededException($"{source} (.npy)", $"dimension {d}", Limits.MaxTensorElements);
            dims[i] = (int)d;
        }
        return new Shape(dims);
    }

    private static (int Size, bool Little, char Kind) ParseDescr(string descr, string source)
    {
        if (descr.Length < 3) throw new ModelFormatException($"{source}: .npy dtype '{descr}' is not supported.");
        char order = descr[0], kind = descr[1];
        if (!int.TryParse(descr.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out int size))
            throw new ModelFormatException($"{source}: .npy dtype '{descr}' is not supported.");
        bool little = order is '<' or '|' || (order == '=' && BitConverter.IsLittleEndian);
        bool ok = (kind, size) is ('f', 4) or ('f', 8) or ('i', 8) or ('i', 4) or ('u', 1) or ('i', 1) or ('b', 1);
        if (!ok) throw new ModelFormatException($"{source}: .npy dtype '{descr}' is not supported (float32, float64, int64, int32, int8, uint8, bool are; all become float32).");
        return (size, little, kind);
    }
}
