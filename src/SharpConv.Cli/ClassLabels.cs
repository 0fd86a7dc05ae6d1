using System.Reflection;

namespace SharpConv.Cli;

/// <summary>Class names for <c>sharpconv classify</c>: the embedded ImageNet-1k and Fashion-MNIST lists, or a user file.</summary>
public static class ClassLabels
{
    private static readonly Lazy<IReadOnlyList<string>> ImageNetLabels = new(() => Embedded("imagenet-labels.txt"));
    private static readonly Lazy<IReadOnlyList<string>> FashionLabels = new(() => Embedded("fashion-mnist-labels.txt"));

    /// <summary>The 1000 ImageNet-1k class names in class-index order (torchvision's list; see data/README.md).</summary>
    public static IReadOnlyList<string> ImageNet => ImageNetLabels.Value;

    /// <summary>The 10 Fashion-MNIST class names in class-index order.</summary>
    public static IReadOnlyList<string> FashionMnist => FashionLabels.Value;

    /// <summary>The digits 0–9 (MNIST).</summary>
    public static IReadOnlyList<string> Digits { get; } = Enumerable.Range(0, 10).Select(i => i.ToString()).ToArray();

    /// <summary>Reads a labels file: one class name per line, in class-index order (trailing blank lines ignored).</summary>
    /// <exception cref="CliException">No such file, or the file has no names.</exception>
    public static IReadOnlyList<string> Read(string path)
    {
        if (!File.Exists(path)) throw new CliException($"labels file '{path}' not found.");
        return Parse(File.ReadAllText(path), path);
    }

    private static IReadOnlyList<string> Parse(string text, string source)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n').Select(l => l.Trim()).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        if (lines.Count == 0) throw new CliException($"labels file '{source}' is empty.");
        return lines;
    }

    private static IReadOnlyList<string> Embedded(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the embedded resource '{name}' is missing from the build.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), name);
    }
}
