using System.Text.Json;
using SharpConv.Analysis;
using SharpConv.Graph;

namespace SharpConv.Tests.Analysis;

public class ProfilerTests
{
    private static Network Net()
    {
        var b = new NetworkBuilder("prof");
        var x = b.Input(3, 16, 16);
        using (b.Scope("stem")) x = x.Conv(8, 3, padding: 1).Relu();
        using (b.Scope("body")) x = x.Conv(8, 3, padding: 1).Relu().MaxPool(2, 2);
        using (b.Scope("head")) x = x.GlobalAvgPool().Flatten().Linear(4);
        return b.Build(x);
    }

    [Fact]
    public void RowsAndRollupsAreConsistent()
    {
        using var c = Net().Compile();
        var report = Profiler.Run(c, Tensor.RandomNormal(new Shape(2, 3, 16, 16), 1), runs: 5, warmup: 1);
        Assert.Equal(c.PlanFor(2).Steps.Count, report.Rows.Count);
        Assert.Equal(["stem", "body", "head"], report.ByStage.Select(g => g.Key));
        Assert.Equal(report.Rows.Count, report.ByKind.Sum(g => g.Layers));
        Assert.Equal(100.0, report.Rows.Sum(r => r.Percent), 6);
        Assert.Equal(report.Macs, report.ByStage.Sum(g => g.Macs));
        Assert.Equal(2L * 8 * 16 * 16 * 3 * 9, report.Rows[0].Macs);
        Assert.True(report.EndToEndMedianMs > 0);
        Assert.Equal(report.ByKind.Select(g => g.MedianMs).OrderByDescending(t => t), report.ByKind.Select(g => g.MedianMs));
    }

    [Fact]
    public void JsonAndCsvCarryEveryRow()
    {
        using var c = Net().Compile();
        var report = Profiler.Run(c, Tensor.RandomNormal(new Shape(1, 3, 16, 16), 1), runs: 3, warmup: 0);
        using var doc = JsonDocument.Parse(report.ToJson());
        Assert.Equal(report.Rows.Count, doc.RootElement.GetProperty("layers").GetArrayLength());
        Assert.Equal("1 MAC = 2 FLOPs", doc.RootElement.GetProperty("flopConvention").GetString());
        var lines = report.ToCsv().TrimEnd().Split('\n');
        Assert.Equal(report.Rows.Count + 1, lines.Length);
        Assert.StartsWith("name,kind,algorithm", lines[0]);
    }

    [Fact]
    public void ProfilingHonoursCancellation()
    {
        using var c = Net().Compile();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => Profiler.Run(c, Tensor.RandomNormal(new Shape(1, 3, 16, 16), 1), cancellation: cts.Token));
    }
}
