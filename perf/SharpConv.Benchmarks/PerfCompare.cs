using System.Text.Json;
using System.Text.Json.Serialization;

namespace SharpConv.Benchmarks;

/// <summary>One lane's timings over the repeated runs of a suite invocation.</summary>
/// <param name="Id">Stable lane id: <c>Class.Method(param=value,…)</c>.</param>
/// <param name="Medians">The median time (ns) of each repeat.</param>
public sealed record LaneTiming(string Id, double[] Medians)
{
    /// <summary>The lane's estimate: the minimum of the repeats' medians (the least disturbed run).</summary>
    public double Best => Medians.Min();

    /// <summary>Relative spread of the repeats: max / min − 1 (0 when only one repeat).</summary>
    public double Noise => Medians.Length < 2 ? 0 : Medians.Max() / Medians.Min() - 1;
}

/// <summary>A suite run as saved to JSON: the machine, and every lane's timings.</summary>
public sealed record SuiteTimings(string Machine, string Date, List<LaneTiming> Lanes);

/// <summary>The verdict on one lane.</summary>
public enum Verdict { Same, Regression, Improvement, New, Missing }

/// <summary>One lane compared with its baseline.</summary>
public sealed record LaneComparison(string Id, double? Baseline, double? Current, double? Ratio, double Threshold, Verdict Verdict);

/// <summary>
/// Flags regressions against a baseline. Method: each side's estimate is the minimum of the medians of its repeated
/// runs (noise only ever adds time, so the minimum is the most reproducible statistic); the threshold for a lane is
/// <c>max(MinimumThreshold, 1 + NoiseFactor × noise)</c>, where noise is the larger of the two sides' repeat spread and
/// <see cref="AssumedNoise"/> (what this kind of shared machine shows between runs, 10–20 %). A lane regresses when
/// current / baseline exceeds its threshold, and improves below its inverse.
/// </summary>
public static class PerfCompare
{
    /// <summary>Smallest ratio ever flagged.</summary>
    public const double MinimumThreshold = 1.25;
    /// <summary>How many spreads a change must exceed.</summary>
    public const double NoiseFactor = 2.0;
    /// <summary>Noise assumed when a side has a single repeat.</summary>
    public const double AssumedNoise = 0.15;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() };

    /// <summary>Compares every lane of <paramref name="current"/> with <paramref name="baseline"/>.</summary>
    public static List<LaneComparison> Compare(SuiteTimings baseline, SuiteTimings current)
    {
        var result = new List<LaneComparison>();
        var byId = baseline.Lanes.ToDictionary(l => l.Id);
        foreach (var lane in current.Lanes)
        {
            if (!byId.Remove(lane.Id, out var b)) { result.Add(new(lane.Id, null, lane.Best, null, 0, Verdict.New)); continue; }
            double noise = Math.Max(AssumedNoise, Math.Max(b.Noise, lane.Noise));
            double threshold = Math.Max(MinimumThreshold, 1 + NoiseFactor * noise);
            double ratio = lane.Best / b.Best;
            var verdict = ratio > threshold ? Verdict.Regression : ratio < 1 / threshold ? Verdict.Improvement : Verdict.Same;
            result.Add(new(lane.Id, b.Best, lane.Best, ratio, threshold, verdict));
        }
        foreach (var missing in byId.Values) result.Add(new(missing.Id, missing.Best, null, null, 0, Verdict.Missing));
        return result;
    }

    /// <summary>Reads a saved suite run.</summary>
    public static SuiteTimings Load(string path) =>
        JsonSerializer.Deserialize<SuiteTimings>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty baseline.");

    /// <summary>Saves a suite run.</summary>
    public static void Save(SuiteTimings timings, string path) => File.WriteAllText(path, JsonSerializer.Serialize(timings, Json));

    /// <summary>The comparison as a Markdown table (regressions first).</summary>
    public static string ToMarkdown(IEnumerable<LaneComparison> rows)
    {
        var sb = new System.Text.StringBuilder("| lane | baseline ms | current ms | ratio | threshold | verdict |\n|---|---:|---:|---:|---:|---|\n");
        foreach (var r in rows.OrderBy(r => r.Verdict != Verdict.Regression).ThenBy(r => r.Id, StringComparer.Ordinal))
            sb.Append($"| {r.Id} | {Ms(r.Baseline)} | {Ms(r.Current)} | {(r.Ratio is { } x ? x.ToString("0.00") : "—")} | {(r.Threshold > 0 ? r.Threshold.ToString("0.00") : "—")} | {r.Verdict} |\n");
        return sb.ToString();
    }

    private static string Ms(double? ns) => ns is { } v ? (v / 1e6).ToString("0.000") : "—";
}
