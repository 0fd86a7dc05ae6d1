using SharpConv.Graph;
using SharpConv.Zoo;

namespace SharpConv.Cli;

/// <summary>Resolves architecture names for the commands, turning an unknown name into the list of known ones.</summary>
public static class Architectures
{
    /// <summary>The zoo entry called <paramref name="name"/>.</summary>
    /// <exception cref="CliException">Unknown name; the message lists every known architecture.</exception>
    public static ZooEntry Find(string name)
    {
        try { return Zoo.Zoo.Get(name); }
        catch (KeyNotFoundException)
        {
            throw new CliException($"unknown architecture '{name}'. Known architectures: {string.Join(", ", Zoo.Zoo.All.Select(e => e.Name))}.");
        }
    }

    /// <summary>Builds <paramref name="name"/> shape-only (weights stay lazy until something runs it).</summary>
    public static Network Build(string name, ZooOptions? options = null) => Find(name).Build(options ?? new ZooOptions());

    /// <summary>Builds <paramref name="name"/> when the zoo has it, else null (for optional lecture examples).</summary>
    public static Network? TryBuild(string name)
    {
        try { return Zoo.Zoo.Build(name); }
        catch (KeyNotFoundException) { return null; }
    }
}
