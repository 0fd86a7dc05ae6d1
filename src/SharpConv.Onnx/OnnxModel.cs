using SharpConv.Graph;
using SharpConv.Onnx.Import;

namespace SharpConv.Onnx;

/// <summary>
/// Loads ONNX models into a SharpConv <see cref="Network"/> — the same graph the <see cref="NetworkBuilder"/> makes,
/// so compilation, fast kernels, the summary and the profiler work unchanged.
/// </summary>
/// <remarks>
/// Shape glue (<c>Shape → Gather → Unsqueeze → Concat → Reshape</c>, computed pads, <c>If</c> on a constant
/// condition) is folded at load time; the batch dimension stays dynamic. Supported operators and opsets:
/// <see cref="OnnxOperators.Table"/> (also <c>docs/onnx-operators.md</c>).
/// </remarks>
public static class OnnxModel
{
    /// <summary>Loads an <c>.onnx</c> file; external tensor data is read from files next to it.</summary>
    /// <exception cref="ModelFormatException">The file is malformed (truncated, not ONNX, cycles, missing initializers…).</exception>
    /// <exception cref="UnsupportedOperatorException">The model uses an operator, attribute or opset SharpConv does not implement.</exception>
    /// <exception cref="LimitExceededException">The file or a tensor is larger than <see cref="Limits"/> allows.</exception>
    public static Network Load(string path, OnnxLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var model = ModelReader.ReadFile(path);
        options ??= new OnnxLoadOptions();
        string dir = options.ExternalDataDirectory ?? Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        return OnnxImporter.Import(model, Path.GetFileName(path), dir, options);
    }

    /// <summary>Loads a model from a stream (read to its end). External data needs <see cref="OnnxLoadOptions.ExternalDataDirectory"/>.</summary>
    public static Network Load(Stream stream, OnnxLoadOptions? options = null)
    {
        var model = ModelReader.ReadStream(stream, "stream");
        options ??= new OnnxLoadOptions();
        return OnnxImporter.Import(model, "stream", options.ExternalDataDirectory, options);
    }

    /// <summary>Loads a model held in memory. External data needs <see cref="OnnxLoadOptions.ExternalDataDirectory"/>.</summary>
    public static Network Load(byte[] bytes, OnnxLoadOptions? options = null)
    {
        var model = ModelReader.Parse(bytes, "bytes");
        options ??= new OnnxLoadOptions();
        return OnnxImporter.Import(model, "bytes", options.ExternalDataDirectory, options);
    }
}
