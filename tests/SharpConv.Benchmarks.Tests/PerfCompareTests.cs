using SharpConv.Benchmarks;

namespace SharpConv.Benchmarks.Tests;

public class PerfCompareTests
{
    private static SuiteTimings Suite(params (string Id, double[] Medians)[] lanes) =>
        new("test machine", "2026-11-23", lanes.Select(l => new LaneTiming(l.Id, l.Medians)).ToList());

    // A baseline of five lanes, each measured three times with the 10–20 % scatter this machine shows.
    private static readonly SuiteTimings Baseline = Suite(
        ("NetworkBenchmarks.sharpconv(Network=resnet18,Batch=1,Threads=2)", [60e6, 66e6, 71e6]),
        ("NetworkBenchmarks.sharpconv(Network=vgg16,Batch=8,Threads=2)", [2.0e9, 2.3e9, 2.2e9]),
        ("ConvBenchmarks.conv(Layer=vgg16.conv1_2,Algorithm=winograd43)", [40e6, 44e6, 41e6]),
        ("GemmBenchmarks.packed-sgemm(Size=1024,Threads=1)", [24e6, 25e6, 28e6]),
        ("OpBenchmarks.fast(Op=lrn.alexnet)", [3e6, 3.3e6, 3.1e6]));

    [Fact]
    public void AForcedTwofoldSlowdownIsFlagged()
    {
        var current = Suite(Baseline.Lanes.Select((l, i) => (l.Id, l.Medians.Select(m => i == 2 ? 2 * m : m).ToArray())).ToArray());
        var result = PerfCompare.Compare(Baseline, current);
        var flagged = Assert.Single(result, r => r.Verdict == Verdict.Regression);
        Assert.Equal(Baseline.Lanes[2].Id, flagged.Id);
        Assert.Equal(2.0, flagged.Ratio!.Value, 6);
    }

    [Fact]
    public void NoiseOfTwentyPercentIsNotFlagged()
    {
        var random = new Random(4);
        for (int trial = 0; trial < 200; trial++)
        {
            // Every repeat of every lane moves by up to ±20 %: the run-to-run scatter of a shared 2-core machine.
            var current = Suite(Baseline.Lanes.Select(l => (l.Id, l.Medians.Select(m => m * (0.8 + 0.4 * random.NextDouble())).ToArray())).ToArray());
            Assert.DoesNotContain(PerfCompare.Compare(Baseline, current), r => r.Verdict is Verdict.Regression or Verdict.Improvement);
        }
    }

    [Fact]
    public void ThresholdGrowsWithTheMeasuredSpread()
    {
        var noisy = Suite(("lane", [1e6, 1.6e6]));           // 60 % spread between repeats
        var slower = Suite(("lane", [1.9e6, 2.0e6]));        // 1.9× the best
        var row = Assert.Single(PerfCompare.Compare(noisy, slower));
        Assert.Equal(1 + PerfCompare.NoiseFactor * 0.6, row.Threshold, 6);
        Assert.Equal(Verdict.Same, row.Verdict);             // 1.9 < 2.2: inside this lane's own noise
    }

    [Fact]
    public void NewAndMissingLanesAreReported()
    {
        var current = Suite(("brand-new", [1e6]), (Baseline.Lanes[0].Id, Baseline.Lanes[0].Medians));
        var result = PerfCompare.Compare(Baseline, current);
        Assert.Contains(result, r => r.Id == "brand-new" && r.Verdict == Verdict.New);
        Assert.Equal(4, result.Count(r => r.Verdict == Verdict.Missing));
    }

    [Fact]
    public void ImprovementsAreReportedNotFlaggedAsRegressions()
    {
        var current = Suite(Baseline.Lanes.Select(l => (l.Id, l.Medians.Select(m => m / 3).ToArray())).ToArray());
        Assert.All(PerfCompare.Compare(Baseline, current), r => Assert.Equal(Verdict.Improvement, r.Verdict));
    }

    [Fact]
    public void BaselinesRoundTripThroughJson()
    {
        string path = Path.GetTempFileName();
        try
        {
            PerfCompare.Save(Baseline, path);
            var back = PerfCompare.Load(path);
            Assert.Equal(Baseline.Lanes.Select(l => (l.Id, l.Best)), back.Lanes.Select(l => (l.Id, l.Best)));
            Assert.Contains("| OpBenchmarks.fast(Op=lrn.alexnet) |", PerfCompare.ToMarkdown(PerfCompare.Compare(Baseline, back)));
        }
        finally { File.Delete(path); }
    }
}
