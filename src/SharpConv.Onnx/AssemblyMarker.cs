namespace SharpConv.Onnx;
/// <summary>Placeholder so the project builds until the importer lands.</summary>
internal static class OnnxAssemblyMarker { }
