using Google.Protobuf;
using SharpConv.Onnx.Protobuf;

namespace SharpConv.Onnx.Import;

/// <summary>
/// Parses the protobuf envelope of an ONNX file with size checks, and turns every parser failure into a
/// <see cref="ModelFormatException"/>. ONNX has no magic number, so "is this an ONNX file" is decided by the
/// parse succeeding and the result having a graph, an IR version and an opset for the default domain.
/// </summary>
internal static class ModelReader
{
    /// <summary>Reads a file, checking its size against <see cref="Limits.MaxModelBytes"/> before reading it.</summary>
    public static ModelProto ReadFile(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"ONNX model '{path}' not found.", path);
        if (info.Length > Limits.MaxModelBytes || info.Length > Array.MaxLength)
            throw new LimitExceededException($"ONNX model '{path}'", $"{info.Length:N0} bytes", Math.Min(Limits.MaxModelBytes, Array.MaxLength));
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads a stream to its end (at most <see cref="Limits.MaxModelBytes"/> bytes).</summary>
    public static ModelProto ReadStream(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long limit = Math.Min(Limits.MaxModelBytes, Array.MaxLength);
        if (stream.CanSeek && stream.Length - stream.Position > limit)
            throw new LimitExceededException($"ONNX model {source}", $"{stream.Length - stream.Position:N0} bytes", limit);
        using var ms = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (ms.Length + read > limit) throw new LimitExceededException($"ONNX model {source}", $"more than {limit:N0} bytes", limit);
            ms.Write(buffer, 0, read);
        }
        return Parse(ms.ToArray(), source);
    }

    /// <summary>Parses and sanity-checks a model held in memory.</summary>
    public static ModelProto Parse(byte[] bytes, string source)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.LongLength > Limits.MaxModelBytes)
            throw new LimitExceededException($"ONNX model {source}", $"{bytes.LongLength:N0} bytes", Limits.MaxModelBytes);
        if (bytes.Length == 0) throw new ModelFormatException($"{source}: the file is empty, not an ONNX model.");
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ModelFormatException($"{source}: not a valid ONNX model (protobuf parse failed: {e.Message}). The file may be truncated or not ONNX at all.", e);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or OverflowException)
        {
            throw new ModelFormatException($"{source}: not a valid ONNX model ({e.Message}).", e);
        }
        if (model.Graph is null)
            throw new ModelFormatException($"{source}: no graph in the file; it is not an ONNX model (or it is truncated).");
        if (model.IrVersion <= 0)
            throw new ModelFormatException($"{source}: ir_version is {model.IrVersion}; an ONNX model must declare one (≥ 1). The file is probably not ONNX.");
        if (model.Graph.Node.Count > Limits.MaxNodes)
            throw new LimitExceededException($"ONNX model {source}", $"{model.Graph.Node.Count:N0} nodes", Limits.MaxNodes);
        return model;
    }

    /// <summary>The opset of the default (ai.onnx) domain; IR version 3+ files must declare it.</summary>
    public static int DefaultOpset(ModelProto model, string source)
    {
        foreach (var o in model.OpsetImport)
            if (o.Domain is "" or "ai.onnx")
            {
                if (o.Version < 1 || o.Version > 1000) throw new ModelFormatException($"{source}: opset version {o.Version} for ai.onnx is not valid.");
                return (int)o.Version;
            }
        if (model.OpsetImport.Count == 0 && model.IrVersion < 3) return 1;
        throw new ModelFormatException($"{source}: no opset_import for the default ONNX domain (ai.onnx).");
    }
}
