using BenchmarkDotNet.Reports;

namespace SharpConv.Benchmarks;

/// <summary>The lane families and how their results become <see cref="SuiteTimings"/>.</summary>
public static class Lanes
{
    private static readonly Dictionary<string, Type[]> Families = new()
    {
        ["peak"] = [typeof(PeakBenchmarks)],
        ["gemm"] = [typeof(GemmBenchmarks)],
        ["conv"] = [typeof(ConvBenchmarks), typeof(ConvReferenceBenchmarks)],
        ["ops"] = [typeof(OpBenchmarks)],
        ["networks"] = [typeof(NetworkBenchmarks)],
    };

    /// <summary>The benchmark classes of the named families (unknown names are reported and skipped).</summary>
    public static Type[] Select(IEnumerable<string> names) =>
        names.SelectMany(n => Families.TryGetValue(n, out var t) ? t : Warn(n)).Distinct().ToArray();

    private static Type[] Warn(string name)
    {
        Console.Error.WriteLine($"lane family '{name}' does not exist here; known: {string.Join(", ", Families.Keys)}.");
        return [];
    }

    /// <summary>A stable id for a benchmark case.</summary>
    public static string Id(BenchmarkReport report)
    {
        var c = report.BenchmarkCase;
        string parameters = string.Join(",", c.Parameters.Items.Select(p => $"{p.Name}={p.Value}"));
        return $"{c.Descriptor.Type.Name}.{c.Descriptor.WorkloadMethodDisplayInfo.Trim('\'')}({parameters})";
    }

    /// <summary>Collects each lane's median per repeat.</summary>
    public static SuiteTimings Timings(IReadOnlyList<Summary[]> repeats)
    {
        var medians = new Dictionary<string, List<double>>();
        foreach (var summaries in repeats)
            foreach (var report in summaries.SelectMany(s => s.Reports))
            {
                if (report.ResultStatistics is not { } stats) continue;
                string id = Id(report);
                if (!medians.TryGetValue(id, out var list)) medians[id] = list = new();
                list.Add(stats.Median);
            }
        string machine = $"{Environment.ProcessorCount} cores, AVX-512 {(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "yes" : "no")}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
        return new SuiteTimings(machine, DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'"), medians.Select(kv => new LaneTiming(kv.Key, kv.Value.ToArray())).ToList());
    }
}
