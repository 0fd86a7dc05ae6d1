using SharpConv.Onnx.Import;

namespace SharpConv.Onnx;

/// <summary>Options for <see cref="OnnxModel.Load(string, OnnxLoadOptions?)"/>.</summary>
public sealed class OnnxLoadOptions
{
    /// <summary>
    /// The batch size the network is declared with when the model's batch dimension is symbolic (the usual
    /// PyTorch export with a dynamic batch). The imported network still runs at any batch size. Default 1.
    /// </summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>The network's name; default: the graph name, or the file name.</summary>
    public string? Name { get; init; }

    /// <summary>
    /// Graph inputs to treat as constants, by name — for models that feed weights, shapes or axes as inputs
    /// (the ONNX conformance tests do). Integer inputs may be given as integral float values.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor>? Constants { get; init; }

    /// <summary>Shapes for graph inputs whose non-batch dimensions are symbolic or missing (batch first).</summary>
    public IReadOnlyDictionary<string, Shape>? InputShapes { get; init; }

    /// <summary>Where external tensor data files live when the model is loaded from a stream or bytes (default: the model file's folder).</summary>
    public string? ExternalDataDirectory { get; init; }

    /// <summary>Constants bound with their ONNX element types (tests feed .pb tensors this way).</summary>
    internal IReadOnlyDictionary<string, ConstTensor>? TypedConstants { get; init; }
}
