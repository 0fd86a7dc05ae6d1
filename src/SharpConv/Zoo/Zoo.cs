using SharpConv.Graph;

namespace SharpConv.Zoo;

/// <summary>Knobs shared by every zoo builder.</summary>
public sealed record ZooOptions
{
    /// <summary>Weight seed (weights are He-initialised lazily from it).</summary>
    public int Seed { get; init; }
    /// <summary>Declared batch size of the input.</summary>
    public int Batch { get; init; } = 1;
    /// <summary>Classifier outputs (1000 for ImageNet networks, 10 for CIFAR and LeNet by default when null).</summary>
    public int? Classes { get; init; }
    /// <summary>Input side length where the architecture allows another (null: the paper's size).</summary>
    public int? InputSize { get; init; }
    /// <summary>Divides every channel width (tests run deep networks narrow; 1 = the paper's widths).</summary>
    public int WidthDivisor { get; init; } = 1;
}

/// <summary>One architecture of the zoo.</summary>
/// <param name="Name">Command-line name, e.g. <c>resnet50</c>.</param>
/// <param name="Family">Family for grouping, e.g. <c>ResNet</c>.</param>
/// <param name="Description">One line: paper, year, defining trait.</param>
/// <param name="Build">Builds the network.</param>
/// <param name="PublishedParameters">The published parameter count this architecture must reproduce, when there is one.</param>
public sealed record ZooEntry(string Name, string Family, string Description, Func<ZooOptions, Network> Build, long? PublishedParameters = null);

/// <summary>Every architecture SharpConv can build, by name.</summary>
public static partial class Zoo
{
    /// <summary>Every entry, in the order of the lecture's history.</summary>
    public static IReadOnlyList<ZooEntry> All => Catalog.Value;

    private static readonly Lazy<IReadOnlyList<ZooEntry>> Catalog = new(() => Entries().ToList());

    /// <summary>The entry called <paramref name="name"/> (case-insensitive; '-' and '_' ignored).</summary>
    /// <exception cref="KeyNotFoundException">No such architecture; the message lists the known names.</exception>
    public static ZooEntry Get(string name)
    {
        string key = Normalize(name);
        return All.FirstOrDefault(e => Normalize(e.Name) == key)
            ?? throw new KeyNotFoundException($"no zoo architecture '{name}'. Known: {string.Join(", ", All.Select(e => e.Name))}.");
    }

    /// <summary>Builds the architecture called <paramref name="name"/>.</summary>
    public static Network Build(string name, ZooOptions? options = null) => Get(name).Build(options ?? new ZooOptions());

    private static string Normalize(string s) => s.Replace("-", "").Replace("_", "").ToLowerInvariant();

    private static IEnumerable<ZooEntry> Entries()
    {
        yield return new("lenet5", "LeNet", "LeNet-5 (LeCun 1998), modern form: ReLU, max pooling, full C3 connections", o => LeNet5(o), 61_706);
        yield return new("lenet5-original", "LeNet", "LeNet-5 as published: tanh, average pooling (subsampling), full connections", o => LeNet5Original(o), 61_706);
    }
}
