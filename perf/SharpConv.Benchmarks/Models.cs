using SharpConv.Graph;
using SharpConv.Onnx;

namespace SharpConv.Benchmarks;

/// <summary>
/// Where the suite's ONNX files come from: the PyTorch exports in <c>shared/reference/models</c> where they exist,
/// otherwise the zoo network exported by SharpConv's own exporter into <c>perf/.models/</c> (same file for both
/// engines either way, so the comparison is like for like).
/// </summary>
public static class Models
{
    /// <summary>The networks of the whole-network lanes (the list).</summary>
    public static readonly string[] Networks =
        ["resnet18", "resnet50", "googlenet", "densenet121", "squeezenet1_0", "squeezenet1_1", "vgg11", "vgg16", "alexnet"];

    private static readonly Lock Gate = new();

    /// <summary>The ONNX file for <paramref name="name"/>, exporting the zoo network on first use.</summary>
    public static string OnnxPath(string name)
    {
        string reference = Path.Combine(Paths.Shared, "reference", "models", name, "model.onnx");
        if (File.Exists(reference)) return reference;
        return Exported(name, () => SharpConv.Zoo.Zoo.Build(name));
    }

    /// <summary>Exports <paramref name="build"/>'s network once to <c>perf/.models/NAME.onnx</c>.</summary>
    public static string Exported(string name, Func<Network> build)
    {
        lock (Gate)
        {
            Directory.CreateDirectory(Paths.ModelCache);
            string path = Path.Combine(Paths.ModelCache, name + ".onnx");
            if (!File.Exists(path))
            {
                string temp = path + ".tmp";
                OnnxExporter.Save(build(), temp);
                File.Move(temp, path, overwrite: true);
            }
            return path;
        }
    }
}

/// <summary>Folders the suite reads and writes, found from the repository root.</summary>
public static class Paths
{
    /// <summary>The repository root (the folder holding SharpConv.sln).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The shared reference data: <c>$SHARPCONV_SHARED</c> or <c>../shared</c> beside the checkout.</summary>
    public static string Shared => Environment.GetEnvironmentVariable("SHARPCONV_SHARED") is { Length: > 0 } s ? s : Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    /// <summary>Exported models (ignored by git).</summary>
    public static string ModelCache => Path.Combine(Root, "perf", ".models");

    /// <summary>Results of the last run.</summary>
    public static string Results => Path.Combine(Root, "perf", "results");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SharpConv.sln"))) return dir.FullName;
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SharpConv.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("cannot find SharpConv.sln above the benchmark binary or the current folder.");
    }
}
