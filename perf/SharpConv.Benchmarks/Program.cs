using System.Globalization;
using System.Runtime.Intrinsics;
using System.Text;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using SharpConv.Benchmarks;

// The perf regression suite. See perf/README.md for the commands and the method.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var options = SuiteOptions.Parse(args);
if (options is null) return 2;
SuiteSettings.Dry = options.Dry;
if (options.Networks is not null) SuiteSettings.Networks = options.Networks;

var job = options.Dry
    ? Job.Dry.WithToolchain(InProcessEmitToolchain.Instance)
    : Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
        .WithWarmupCount(2).WithIterationCount(options.Iterations)
        .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(150));
ManualConfig Config(Job j) => ManualConfig.CreateEmpty()
    .AddJob(j)
    .AddColumnProvider(DefaultColumnProviders.Instance)
    .AddLogger(BenchmarkDotNet.Loggers.ConsoleLogger.Default)
    .AddDiagnoser(MemoryDiagnoser.Default)
    .AddExporter(JsonExporter.Full, MarkdownExporter.GitHub)
    .WithArtifactsPath(Path.Combine(Paths.Root, "perf", "BenchmarkDotNet.Artifacts"))
    .WithOptions(ConfigOptions.DisableLogFile);
var config = Config(job);

var laneTypes = Lanes.Select(options.Lanes);
var repeats = new List<Summary[]>();
for (int r = 0; r < options.Repeat; r++)
{
    Console.WriteLine($"== suite run {r + 1}/{options.Repeat}: {string.Join(", ", laneTypes.Select(t => t.Name))}");
    // The reference conv lanes run once per layer: the reference kernel is 100–500× slower than the fast paths.
    var single = Config(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance));
    repeats.Add(laneTypes.Select(t => BenchmarkRunner.Run(t, t == typeof(ConvReferenceBenchmarks) ? single : config)).ToArray());
}

var timings = Lanes.Timings(repeats);
Directory.CreateDirectory(Paths.Results);
PerfCompare.Save(timings, Path.Combine(Paths.Results, options.Dry ? "dry.json" : "latest.json"));
if (options.SaveBaseline is { } save) PerfCompare.Save(timings, save);
string table = RatioTable.Build(repeats.Last());
File.WriteAllText(Path.Combine(Paths.Results, options.Dry ? "dry.md" : "latest.md"), table);
Console.WriteLine(table);

int failures = repeats.Last().Sum(s => s.Reports.Count(r => !r.Success));
if (options.Compare is { } baselinePath)
{
    var comparison = PerfCompare.Compare(PerfCompare.Load(baselinePath), timings);
    Console.WriteLine(PerfCompare.ToMarkdown(comparison));
    int regressions = comparison.Count(c => c.Verdict == Verdict.Regression);
    Console.WriteLine($"{regressions} regression(s) beyond the noise threshold.");
    if (regressions > 0) return 1;
}
if (failures > 0) { Console.Error.WriteLine($"{failures} lane(s) failed to run."); return 1; }
return 0;

/// <summary>Command-line options of the suite.</summary>
internal sealed record SuiteOptions(bool Dry, string[] Lanes, string[]? Networks, int Repeat, int Iterations, string? Compare, string? SaveBaseline)
{
    public static SuiteOptions? Parse(string[] args)
    {
        var o = new SuiteOptions(false, ["peak", "gemm", "conv", "ops", "networks"], null, 1, 5, null, null);
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--dry": o = o with { Dry = true }; break;
                case "--lanes": o = o with { Lanes = Next().Split(',') }; break;
                case "--networks": o = o with { Networks = Next().Split(',') }; break;
                case "--repeat": o = o with { Repeat = int.Parse(Next()) }; break;
                case "--iterations": o = o with { Iterations = int.Parse(Next()) }; break;
                case "--compare": o = o with { Compare = Next() }; break;
                case "--save-baseline": o = o with { SaveBaseline = Next() }; break;
                default:
                    Console.Error.WriteLine($"unknown option {args[i]}. Options: --dry --lanes peak,gemm,conv,ops,networks --networks a,b --repeat R --iterations I --compare BASELINE.json --save-baseline PATH");
                    return null;
            }
        }
        return o;
    }
}
