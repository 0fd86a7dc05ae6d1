using System.Text;
using BenchmarkDotNet.Reports;

namespace SharpConv.Benchmarks;

/// <summary>Turns one suite run into the Markdown tables of perf/README.md: ratios measured side by side in that run.</summary>
public static class RatioTable
{
    /// <summary>Builds the tables.</summary>
    public static string Build(Summary[] summaries)
    {
        var reports = summaries.SelectMany(s => s.Reports).Where(r => r.ResultStatistics is not null).ToList();
        var sb = new StringBuilder();
        double peak1 = Peak(reports, "fma-peak-v512") is var p512 && p512 > 0 ? p512 : Peak(reports, "fma-peak-v256");
        sb.AppendLine($"Measured FMA peak, one thread: {peak1:0.0} GFLOP/s ({(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "AVX-512" : "AVX2")}); two threads: assumed 2× that.");
        sb.AppendLine();
        sb.AppendLine("| network | batch | threads | SharpConv ms | ORT ms | SharpConv / ORT throughput | SharpConv img/s | SharpConv GFLOP/s | % of peak |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        var net = reports.Where(r => r.BenchmarkCase.Descriptor.Type == typeof(NetworkBenchmarks))
            .GroupBy(r => r.BenchmarkCase.Parameters.DisplayInfo);
        foreach (var g in net)
        {
            var sharp = g.FirstOrDefault(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == nameof(NetworkBenchmarks.SharpConv));
            var ort = g.FirstOrDefault(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == nameof(NetworkBenchmarks.Ort));
            if (sharp is null || ort is null) continue;
            var prm = sharp.BenchmarkCase.Parameters;
            string name = (string)prm["Network"]; int batch = (int)prm["Batch"]; int threads = (int)prm["Threads"];
            double sMs = sharp.ResultStatistics!.Median / 1e6, oMs = ort.ResultStatistics!.Median / 1e6;
            long macs = MacsPerImage(name);
            double gflops = macs > 0 ? 2.0 * macs * batch / (sMs * 1e6) : 0;
            sb.AppendLine($"| {name} | {batch} | {threads} | {sMs:0.00} | {oMs:0.00} | {oMs / sMs:0.00}× | {batch * 1000 / sMs:0.0} | {gflops:0.0} | {(peak1 > 0 ? 100 * gflops / (peak1 * threads) : 0):0}% |");
        }
        return sb.ToString();
    }

    private static readonly Dictionary<string, long> MacsCache = new();

    private static long MacsPerImage(string network)
    {
        lock (MacsCache)
        {
            if (!MacsCache.TryGetValue(network, out long macs))
            {
                try { var n = SharpConv.Onnx.OnnxModel.Load(Models.OnnxPath(network)); macs = n.Macs / Math.Max(1, n.InputShape[0]); }
                catch (SharpConvException) { macs = 0; }
                MacsCache[network] = macs;
            }
            return macs;
        }
    }

    private static double Peak(List<BenchmarkReport> reports, string description)
    {
        var r = reports.FirstOrDefault(x => x.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\'') == description);
        if (r?.ResultStatistics is null) return 0;
        int lanes = description.EndsWith("v512") ? 16 : 8;
        return PeakBenchmarks.Flops(lanes) / r.ResultStatistics.Median; // FLOP per ns = GFLOP/s
    }
}
