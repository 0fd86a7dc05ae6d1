using SharpConv.Graph;
using SharpConv.Zoo;

namespace SharpConv.Cli;

/// <summary>A network named on the command line: a zoo architecture or an <c>.onnx</c> file.</summary>
/// <param name="Network">The network, weights lazy for zoo entries.</param>
/// <param name="Label">What to call it in output: the zoo name or the file name.</param>
/// <param name="Entry">The zoo entry, or null for a model file.</param>
public sealed record NetworkSource(Network Network, string Label, ZooEntry? Entry)
{
    /// <summary>True when the argument is taken as a model file rather than a zoo name (<see cref="ModelSource.IsPath"/>).</summary>
    public static bool IsModelPath(string arg) => ModelSource.IsPath(arg);

    /// <summary>
    /// Resolves <paramref name="arg"/> through <see cref="ModelSource"/> (the CLI's one resolver): an <c>.onnx</c> path
    /// is imported, anything else is a zoo name built with <paramref name="options"/>.
    /// </summary>
    /// <exception cref="CliException">Unknown architecture, or a model file that does not exist.</exception>
    public static NetworkSource Resolve(string arg, ZooOptions? options = null)
    {
        var r = ModelSource.Resolve(arg, options ?? new ZooOptions());
        return new NetworkSource(r.Network, r.Entry?.Name ?? Path.GetFileName(arg), r.Entry);
    }
}
