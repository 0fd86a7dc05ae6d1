using SharpConv.Graph;
using SharpConv.Onnx;
using SharpConv.Zoo;

namespace SharpConv.Cli;

/// <summary>A model a command was given: the network and where it came from.</summary>
/// <param name="Network">The network (zoo: built shape-only, weights lazy; ONNX: imported with its weights).</param>
/// <param name="Argument">What the user typed.</param>
/// <param name="Entry">The zoo entry, for a zoo name; null for a file.</param>
/// <param name="Path">The full path of the <c>.onnx</c> file; null for a zoo name.</param>
public sealed record ModelSourceResult(Network Network, string Argument, ZooEntry? Entry, string? Path)
{
    /// <summary>True when the model was imported from an ONNX file.</summary>
    public bool IsFile => Path is not null;

    /// <summary>A short description for headers: the zoo name, or the path as given.</summary>
    public string DisplayName => Entry?.Name ?? Argument;
}

/// <summary>
/// The one place the commands turn a model argument into a <see cref="Network"/>: a zoo architecture name
/// (<c>resnet18</c>, see <c>sharpconv zoo</c>) or the path of an <c>.onnx</c> file. Every command that takes a model
/// resolves it here, so zoo names and ONNX paths are accepted everywhere alike.
/// </summary>
/// <remarks>
/// The rule: an argument that names an existing file, ends in <c>.onnx</c>, or contains a path separator is a
/// file; anything else (a folder of the same name included) is a zoo name. A missing file and an unknown name are <see cref="CliException"/>s with
/// a one-line message (the unknown-name message lists the zoo).
/// </remarks>
public static class ModelSource
{
    /// <summary>The network for <paramref name="nameOrPath"/>, declared at batch <paramref name="batch"/> (it runs at any batch).</summary>
    /// <param name="nameOrPath">A zoo architecture name or an <c>.onnx</c> path.</param>
    /// <param name="batch">The declared batch size (the summary's numbers are for it).</param>
    /// <param name="seed">The weight seed of a zoo network (ignored for files, whose weights are their own).</param>
    /// <exception cref="CliException">No such file, or no such architecture.</exception>
    /// <exception cref="SharpConvException">The file is not a model SharpConv can import (a typed error naming why).</exception>
    public static Network Load(string nameOrPath, int batch = 1, int seed = 0) => Resolve(nameOrPath, batch, seed).Network;

    /// <summary>As <see cref="Load"/>, also telling whether the model is a zoo entry or a file.</summary>
    /// <inheritdoc cref="Load" path="/param"/>
    /// <inheritdoc cref="Load" path="/exception"/>
    public static ModelSourceResult Resolve(string nameOrPath, int batch = 1, int seed = 0) =>
        Resolve(nameOrPath, new ZooOptions { Batch = batch, Seed = seed });

    /// <summary>
    /// As <see cref="Resolve(string, int, int)"/> with every zoo option (input size, width divisor, classes…); a file
    /// takes only <see cref="ZooOptions.Batch"/> from <paramref name="zoo"/>.
    /// </summary>
    /// <exception cref="CliException">No such file, or no such architecture.</exception>
    /// <exception cref="SharpConvException">The file is not a model SharpConv can import (a typed error naming why).</exception>
    public static ModelSourceResult Resolve(string nameOrPath, ZooOptions zoo)
    {
        ArgumentNullException.ThrowIfNull(nameOrPath);
        ArgumentNullException.ThrowIfNull(zoo);
        int batch = zoo.Batch;
        if (batch < 1) throw new CliException($"--batch must be ≥ 1, found {batch}.");
        if (string.IsNullOrWhiteSpace(nameOrPath)) throw new CliException("no model given: pass an architecture name (see `sharpconv zoo`) or an .onnx file.");
        if (!IsPath(nameOrPath))
        {
            var entry = Architectures.Find(nameOrPath);
            return new ModelSourceResult(entry.Build(zoo), nameOrPath, entry, null);
        }
        string full = System.IO.Path.GetFullPath(nameOrPath);
        if (Directory.Exists(full)) throw new CliException($"'{nameOrPath}' is a folder, not a model file.");
        if (!File.Exists(full)) throw new CliException($"model file '{nameOrPath}' not found.");
        var network = OnnxModel.Load(full, new OnnxLoadOptions { BatchSize = batch, Name = NetworkName(full) });
        return new ModelSourceResult(network, nameOrPath, null, full);
    }

    /// <summary>
    /// The name an imported network gets (summary and run titles): the file name without extension, or the folder's
    /// name for the common <c>NAME/model.onnx</c> layout.
    /// </summary>
    public static string NetworkName(string path)
    {
        string name = System.IO.Path.GetFileNameWithoutExtension(path);
        string? folder = System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)));
        return name.Equals("model", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(folder) ? folder : name;
    }

    /// <summary>True when <paramref name="argument"/> is taken as a file path rather than a zoo name.</summary>
    /// <remarks>A bare name that happens to be a folder (<c>resnet18/</c> beside you) is still a zoo name.</remarks>
    public static bool IsPath(string argument) =>
        File.Exists(argument)
        || argument.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)
        || argument.Contains('/') || argument.Contains(System.IO.Path.DirectorySeparatorChar);
}
