namespace SharpConv.Benchmarks;

/// <summary>
/// Knobs read by the lanes' parameter sources. BenchmarkDotNet builds lanes from static members, so the command line
/// sets these before the run (in-process toolchain: the same process reads them).
/// </summary>
public static class SuiteSettings
{
    /// <summary>Dry mode: every lane runs once with its smallest parameters (CI proves the lanes build and execute).</summary>
    public static bool Dry { get; set; }

    /// <summary>Networks of the whole-network lanes.</summary>
    public static string[] Networks { get; set; } = Models.Networks;
}
