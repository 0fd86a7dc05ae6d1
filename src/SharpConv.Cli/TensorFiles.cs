using System.Buffers.Binary;
using System.Globalization;
using SharpConv.IO;

namespace SharpConv.Cli;

/// <summary>
/// Tensor files for <c>sharpconv run --input/--output</c>: NumPy <c>.npy</c> (float32 written; float, int and bool
/// dtypes read and converted to float32) and raw little-endian float32 <c>.bin</c> (C order, no header; the shape
/// comes from <c>--shape</c> or from the model).
/// </summary>
public static class TensorFiles
{
    /// <summary>Parses <c>2,3,224,224</c> (or <c>2x3x224x224</c>, <c>2×3×224×224</c>) into a shape.</summary>
    /// <exception cref="CliException">Not a list of positive integers.</exception>
    public static Shape ParseShape(string text)
    {
        var parts = text.Split([',', 'x', 'X', '×'], StringSplitOptions.TrimEntries);
        var dims = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]) || dims[i] < 1)
                throw new CliException($"--shape '{text}' is not a list of positive integers such as 2,3,224,224.");
        return new Shape(dims);
    }

    /// <summary>
    /// Reads an input tensor. A <c>.bin</c> file takes <paramref name="shape"/>; without it, the batch is inferred
    /// from the file size and the model's per-item shape <paramref name="itemShape"/> (e.g. 1×32×32).
    /// </summary>
    /// <exception cref="CliException">No such file, an unknown extension, or a size that does not match the shape.</exception>
    /// <exception cref="SharpConvException">A malformed <c>.npy</c> file (<see cref="ModelFormatException"/>) or a tensor over the limits.</exception>
    public static Tensor Read(string path, Shape? shape, Shape itemShape)
    {
        if (!File.Exists(path)) throw new CliException($"input file '{path}' not found.");
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext == ".npy")
        {
            var t = NpyFile.Read(path);
            if (shape is { } s && s != t.Shape)
                throw new CliException($"--shape {s} does not match the shape {t.Shape} stored in '{path}' (a .npy file carries its own shape; leave --shape out).");
            return t;
        }
        if (ext != ".bin") throw new CliException($"'{path}': input files must be .npy or raw little-endian float32 .bin (with --shape).");
        long bytes = new FileInfo(path).Length;
        if (bytes % 4 != 0) throw new CliException($"'{path}' holds {bytes} bytes, not a whole number of float32 values.");
        long values = bytes / 4;
        Shape target;
        if (shape is { } given)
        {
            if (given.ElementCount != values)
                throw new CliException($"'{path}' holds {values:N0} float32 values ({bytes:N0} bytes), but --shape {given} needs {given.ElementCount:N0}.");
            target = given;
        }
        else
        {
            long per = itemShape.ElementCount;
            if (values == 0 || values % per != 0)
                throw new CliException($"'{path}' holds {values:N0} float32 values, not a whole number of {itemShape} items; pass --shape.");
            target = new Shape([checked((int)(values / per)), .. itemShape.Dims]);
        }
        Limits.CheckTensorElements(target, path);
        return Tensor.FromLittleEndianBytes(target, File.ReadAllBytes(path));
    }

    /// <summary>Writes <paramref name="tensor"/> as <c>.npy</c> or raw little-endian float32 <c>.bin</c>, by extension.</summary>
    /// <exception cref="CliException">Another extension.</exception>
    public static void Write(string path, Tensor tensor)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext == ".npy") { NpyFile.Write(path, tensor); return; }
        if (ext != ".bin") throw new CliException($"--output '{path}' must end in .npy or .bin (raw little-endian float32).");
        var bytes = new byte[tensor.Length * 4];
        var span = tensor.Span;
        for (int i = 0; i < span.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), span[i]);
        File.WriteAllBytes(path, bytes);
    }
}
