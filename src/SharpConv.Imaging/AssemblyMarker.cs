namespace SharpConv.Imaging;
/// <summary>Placeholder so the project builds until the decoder lands.</summary>
internal static class ImagingAssemblyMarker { }
