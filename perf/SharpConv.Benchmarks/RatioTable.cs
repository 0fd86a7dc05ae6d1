using System.Runtime.Intrinsics;
using System.Text;
using BenchmarkDotNet.Reports;
using SharpConv.Compilation;

namespace SharpConv.Benchmarks;

/// <summary>Turns one suite run into the Markdown tables of perf/README.md: ratios measured side by side in that run.</summary>
public static class RatioTable
{
    /// <summary>Builds the tables.</summary>
    public static string Build(Summary[] summaries)
    {
        var reports = summaries.SelectMany(s => s.Reports).Where(r => r.ResultStatistics is not null).ToList();
        var sb = new StringBuilder();
        int lanes = Vector512.IsHardwareAccelerated ? 16 : 8;
        double peak1 = Gflops(reports, "fma-peak-v" + (lanes * 32), PeakBenchmarks.Flops(lanes));
        double peak2 = Gflops(reports, "fma-peak-2t", 2 * PeakBenchmarks.Flops(lanes));
        if (peak2 <= 0) peak2 = 2 * peak1;
        sb.AppendLine($"FMA peak measured in this run (12 independent chains, {(lanes == 16 ? "Vector512" : "Vector256")}): **{peak1:0.0} GFLOP/s on 1 thread, {peak2:0.0} on 2 threads**.");
        sb.AppendLine();
        double Peak(int threads) => threads >= 2 ? peak2 : peak1;

        var gemm = Of<GemmBenchmarks>(reports).ToList();
        if (gemm.Count > 0)
        {
            sb.AppendLine("### SGEMM (packed, fused epilogue)").AppendLine();
            sb.AppendLine("| size | threads | ms | GFLOP/s | % of peak |").AppendLine("|---:|---:|---:|---:|---:|");
            foreach (var r in gemm)
            {
                int n = (int)r.BenchmarkCase.Parameters["Size"], t = (int)r.BenchmarkCase.Parameters["Threads"];
                double ms = Ms(r), g = 2.0 * n * n * n / (ms * 1e6);
                sb.AppendLine($"| {n}³ | {t} | {ms:0.000} | {g:0.0} | {100 * g / Peak(t):0}% |");
            }
            sb.AppendLine();
        }

        var conv = Of<ConvBenchmarks>(reports).ToList();
        if (conv.Count > 0)
        {
            var reference = Of<ConvReferenceBenchmarks>(reports).ToDictionary(r => (string)r.BenchmarkCase.Parameters["Layer"], Ms);
            sb.AppendLine("### Convolution layers (batch 1, 1 thread): each algorithm vs ONNX Runtime and vs the reference kernel").AppendLine();
            sb.AppendLine("| layer | algorithm | SharpConv ms | ORT ms | SharpConv / ORT speed | vs reference | GFLOP/s | % of peak |");
            sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
            foreach (var g in conv.GroupBy(r => ((string)r.BenchmarkCase.Parameters["Case"]).Split('/')[0]))
            {
                var shape = LayerShapes.Get(g.Key);
                long macs = shape.Macs;
                string Alg(BenchmarkReport r) => ((string)r.BenchmarkCase.Parameters["Case"]).Split('/')[1];
                double ort = g.Where(r => Alg(r) == "ort").Select(Ms).DefaultIfEmpty(double.NaN).First();
                foreach (var r in g.Where(r => Alg(r) != "ort" && !ConvBenchmarks.Unsupported.Contains((g.Key, Alg(r)))).OrderBy(Ms))
                {
                    string algorithm = Alg(r) == "auto" ? "auto → " + AutoChoice(shape) : Alg(r);
                    double ms = Ms(r);
                    double gf = 2.0 * macs / (ms * 1e6);
                    string vsRef = reference.TryGetValue(g.Key, out double refMs) ? $"{refMs / ms:0}×" : "—";
                    sb.AppendLine($"| {g.Key} | {algorithm} | {ms:0.000} | {ort:0.000} | {ort / ms:0.00}× | {vsRef} | {gf:0.0} | {100 * gf / peak1:0}% |");
                }
            }
            sb.AppendLine();
        }

        var ops = Of<OpBenchmarks>(reports).ToList();
        if (ops.Count > 0)
        {
            sb.AppendLine("### Other operators (1 thread): fast kernel vs reference kernel").AppendLine();
            sb.AppendLine("| op | reference ms | fast ms | speed-up |").AppendLine("|---|---:|---:|---:|");
            foreach (var g in ops.GroupBy(r => (string)r.BenchmarkCase.Parameters["Op"]))
            {
                double reference = g.Where(r => Method(r) == nameof(OpBenchmarks.Reference)).Select(Ms).FirstOrDefault();
                double fast = g.Where(r => Method(r) == nameof(OpBenchmarks.Fast)).Select(Ms).FirstOrDefault();
                sb.AppendLine($"| {g.Key} | {reference:0.000} | {fast:0.000} | {reference / fast:0.0}× |");
            }
            sb.AppendLine();
        }

        var net = Of<NetworkBenchmarks>(reports).ToList();
        if (net.Count > 0)
        {
            sb.AppendLine("### Whole networks: SharpConv vs ONNX Runtime on the same ONNX file").AppendLine();
            sb.AppendLine("| network | batch | threads | SharpConv ms | ORT ms | SharpConv / ORT throughput | SharpConv img/s | SharpConv GFLOP/s | % of peak |");
            sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var g in net.GroupBy(r => r.BenchmarkCase.Parameters.DisplayInfo))
            {
                var sharp = g.FirstOrDefault(r => Method(r) == nameof(NetworkBenchmarks.SharpConv));
                var ort = g.FirstOrDefault(r => Method(r) == nameof(NetworkBenchmarks.Ort));
                if (sharp is null || ort is null) continue;
                var prm = sharp.BenchmarkCase.Parameters;
                string name = (string)prm["Network"]; int batch = (int)prm["Batch"]; int threads = (int)prm["Threads"];
                double sMs = Ms(sharp), oMs = Ms(ort);
                long macs = MacsPerImage(name);
                double gflops = macs > 0 ? 2.0 * macs * batch / (sMs * 1e6) : 0;
                sb.AppendLine($"| {name} | {batch} | {threads} | {sMs:0.00} | {oMs:0.00} | {oMs / sMs:0.00}× | {batch * 1000 / sMs:0.0} | {gflops:0.0} | {100 * gflops / Peak(threads):0}% |");
            }
        }
        return sb.ToString();
    }

    private static IEnumerable<BenchmarkReport> Of<T>(List<BenchmarkReport> reports) =>
        reports.Where(r => r.BenchmarkCase.Descriptor.Type == typeof(T));

    private static string Method(BenchmarkReport r) => r.BenchmarkCase.Descriptor.WorkloadMethod.Name;

    private static double Ms(BenchmarkReport r) => r.ResultStatistics!.Median / 1e6;

    private static string AutoChoice(ConvShape shape)
    {
        using var c = shape.Build().Compile(new CompileOptions { Threads = 1 });
        return c.Steps[0].Algorithm;
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

    private static double Gflops(List<BenchmarkReport> reports, string description, double flops)
    {
        var r = reports.FirstOrDefault(x => x.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\'') == description);
        return r?.ResultStatistics is null ? 0 : flops / r.ResultStatistics.Median; // FLOP per ns = GFLOP/s
    }
}
