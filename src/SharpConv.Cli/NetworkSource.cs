using SharpConv.Graph;
using SharpConv.Onnx;
using SharpConv.Zoo;

namespace SharpConv.Cli;

/// <summary>A network named on the command line: a zoo architecture or an <c>.onnx</c> file.</summary>
/// <param name="Network">The network, weights lazy for zoo entries.</param>
/// <param name="Label">What to call it in output: the zoo name or the file name.</param>
/// <param name="Entry">The zoo entry, or null for a model file.</param>
public sealed record NetworkSource(Network Network, string Label, ZooEntry? Entry)
{
    /// <summary>True when the argument looks like a model file rather than a zoo name.</summary>
    public static bool IsModelPath(string arg) =>
        arg.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) || arg.Contains('/') || arg.Contains('\\');

    /// <summary>
    /// Resolves <paramref name="arg"/>: a path ending in <c>.onnx</c> (or containing a directory separator) is loaded
    /// with <see cref="OnnxModel.Load(string, OnnxLoadOptions?)"/>; anything else is a zoo name built with
    /// <paramref name="options"/>.
    /// </summary>
    /// <exception cref="CliException">Unknown architecture, or a model file that does not exist.</exception>
    public static NetworkSource Resolve(string arg, ZooOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(arg);
        if (IsModelPath(arg))
        {
            // A missing file is the user's typo, not a malformed model: say which path was tried.
            if (!File.Exists(arg)) throw new CliException($"model file '{arg}' not found (full path: {Path.GetFullPath(arg)}).");
            return new NetworkSource(OnnxModel.Load(arg), Path.GetFileName(arg), null);
        }
        var entry = Architectures.Find(arg);
        return new NetworkSource(entry.Build(options ?? new ZooOptions()), entry.Name, entry);
    }
}
