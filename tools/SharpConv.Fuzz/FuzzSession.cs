using System.Diagnostics;
using System.Text;
using SharpConv.Onnx.Protobuf;

namespace SharpConv.Fuzz;

/// <summary>Settings of an in-process fuzz run.</summary>
public sealed record FuzzOptions
{
    /// <summary>Number of mutated cases.</summary>
    public int Iterations { get; init; } = 10_000;
    /// <summary>Seed; case <c>i</c> of seed <c>s</c> is the same mutant on every machine (see <see cref="FuzzSession.CaseSeed"/>).</summary>
    public int Seed { get; init; } = 1;
    /// <summary>First case index (to replay one case: <c>--start i --iterations 1</c>).</summary>
    public int Start { get; init; }
    /// <summary>Seed models (<c>.onnx</c>).</summary>
    public IReadOnlyList<string> Models { get; init; } = [];
    /// <summary>Seed images (<c>.png .jpg .bmp .gif</c>).</summary>
    public IReadOnlyList<string> Images { get; init; } = [];
    /// <summary>Fraction of cases that fuzz the image decoder (when there are seed images).</summary>
    public double ImageFraction { get; init; } = 0.1;
    /// <summary>Where failing inputs are saved (null: not saved).</summary>
    public string? CrashDirectory { get; init; }
    /// <summary>Per-case bounds.</summary>
    public CaseSettings Case { get; init; } = new();
    /// <summary>Progress lines (null: silent).</summary>
    public TextWriter? Log { get; init; }
}

/// <summary>One failing case.</summary>
/// <param name="Index">Case index.</param>
/// <param name="Seed">The seed file it was mutated from.</param>
/// <param name="Mutations">The mutations applied.</param>
/// <param name="Result">What happened.</param>
/// <param name="SavedAs">Where the input was saved, if it was.</param>
public sealed record FuzzFailure(int Index, string Seed, string Mutations, CaseResult Result, string? SavedAs);

/// <summary>Counts of a fuzz run.</summary>
public sealed class FuzzReport
{
    /// <summary>Cases run.</summary>
    public int Iterations { get; internal set; }
    /// <summary>Model cases.</summary>
    public int ModelCases { get; internal set; }
    /// <summary>Image cases.</summary>
    public int ImageCases { get; internal set; }
    /// <summary>Count per outcome.</summary>
    public Dictionary<Outcome, int> Counts { get; } = Enum.GetValues<Outcome>().ToDictionary(o => o, _ => 0);
    /// <summary>Failures (crashes, hangs, over-allocations, mismatches).</summary>
    public List<FuzzFailure> Failures { get; } = [];
    /// <summary>Longest case.</summary>
    public TimeSpan MaxCaseTime { get; internal set; }
    /// <summary>What the longest case was.</summary>
    public string MaxCaseWhat { get; internal set; } = "";
    /// <summary>Most bytes one case allocated.</summary>
    public long MaxAllocatedBytes { get; internal set; }
    /// <summary>Wall time of the run.</summary>
    public TimeSpan Elapsed { get; internal set; }
    /// <summary>Count of each mutation applied.</summary>
    public Dictionary<string, int> Mutations { get; } = new();

    /// <summary>Number of failing cases.</summary>
    public int FailureCount => Failures.Count;

    /// <summary>A multi-line summary.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{Iterations:N0} cases ({ModelCases:N0} models, {ImageCases:N0} images) in {Elapsed.TotalSeconds:N1} s");
        foreach (var (o, n) in Counts) sb.AppendLine($"  {o,-16} {n,10:N0}");
        sb.AppendLine($"  failures         {Failures.Count,10:N0}");
        sb.AppendLine($"  max case time    {MaxCaseTime.TotalMilliseconds,10:N0} ms ({MaxCaseWhat})");
        sb.AppendLine($"  max allocation   {MaxAllocatedBytes / 1048576.0,10:N1} MiB");
        foreach (var f in Failures.Take(20))
            sb.AppendLine($"  FAIL #{f.Index} {f.Result.Outcome} from {Path.GetFileName(Path.GetDirectoryName(f.Seed))}/{Path.GetFileName(f.Seed)} [{f.Mutations}] {f.SavedAs}: {FirstLines(f.Result.Detail, 3)}");
        return sb.ToString();
    }

    private static string FirstLines(string? s, int n) => s is null ? "" : string.Join(" | ", s.Split('\n').Take(n).Select(l => l.Trim()));
}

/// <summary>Runs mutated models and images in-process, case by case, each under a deadline.</summary>
public static class FuzzSession
{
    /// <summary>The RNG seed of case <paramref name="index"/> of a run seeded with <paramref name="seed"/> (SplitMix64; stable across runs and machines).</summary>
    public static int CaseSeed(int seed, int index)
    {
        ulong z = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)(uint)index + 0x632BE59BD9B4E019UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)(z ^ (z >> 31));
    }

    /// <summary>Seed files under <paramref name="directory"/> (recursive): models and images.</summary>
    public static (List<string> Models, List<string> Images) Corpus(string directory)
    {
        var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var models = files.Where(f => f.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)).ToList();
        var images = files.Where(f => Path.GetExtension(f).ToLowerInvariant() is ".png" or ".jpg" or ".jpeg" or ".bmp" or ".gif").ToList();
        return (models, images);
    }

    /// <summary>Runs the fuzz loop. The process-wide <see cref="Limits"/> are lowered while it runs (<see cref="CaseRunner.UseFuzzLimits"/>).</summary>
    public static FuzzReport Run(FuzzOptions options)
    {
        if (options.Models.Count == 0 && options.Images.Count == 0) throw new ArgumentException("no seed models or images.");
        var seeds = options.Models.Select(p => (Path: p, Bytes: File.ReadAllBytes(p))).ToList();
        var parsed = seeds.Select(s => ModelProto.Parser.ParseFrom(s.Bytes)).ToList();
        var images = options.Images.Select(p => (Path: p, Bytes: File.ReadAllBytes(p))).ToList();
        if (options.CrashDirectory is not null) Directory.CreateDirectory(options.CrashDirectory);

        var report = new FuzzReport();
        var restore = CaseRunner.UseFuzzLimits();
        var total = Stopwatch.StartNew();
        var lastLog = Stopwatch.StartNew();
        try
        {
            for (int i = options.Start; i < options.Start + options.Iterations; i++)
            {
                var rng = new Random(CaseSeed(options.Seed, i));
                bool image = images.Count > 0 && (seeds.Count == 0 || rng.NextDouble() < options.ImageFraction);
                var applied = new List<string>();
                byte[] input; string seedPath; CaseResult result;
                if (image)
                {
                    var s = images[rng.Next(images.Count)];
                    seedPath = s.Path;
                    input = ByteMutator.Mutate(rng, s.Bytes);
                    applied.Add("bytes");
                    result = CaseRunner.RunImage(input, options.Case);
                    report.ImageCases++;
                }
                else
                {
                    int k = rng.Next(seeds.Count);
                    seedPath = seeds[k].Path;
                    input = new OnnxMutator(rng).Mutate(parsed[k], seeds[k].Bytes, applied);
                    result = CaseRunner.RunModel(input, options.Case);
                    report.ModelCases++;
                }
                report.Iterations++;
                report.Counts[result.Outcome]++;
                foreach (var a in applied) report.Mutations[a] = report.Mutations.GetValueOrDefault(a) + 1;
                if (result.Elapsed > report.MaxCaseTime)
                {
                    report.MaxCaseTime = result.Elapsed;
                    report.MaxCaseWhat = $"#{i} {Path.GetFileName(Path.GetDirectoryName(seedPath))} [{string.Join(",", applied)}] → {result.Outcome}";
                }
                report.MaxAllocatedBytes = Math.Max(report.MaxAllocatedBytes, result.AllocatedBytes);
                if (result.IsFailure)
                {
                    string? saved = null;
                    if (options.CrashDirectory is not null)
                    {
                        string ext = image ? Path.GetExtension(seedPath) : ".onnx";
                        saved = Path.Combine(options.CrashDirectory, $"{result.Outcome.ToString().ToLowerInvariant()}-s{options.Seed}-i{i}{ext}");
                        File.WriteAllBytes(saved, input);
                        File.WriteAllText(saved + ".txt", $"seed file: {seedPath}\nmutations: {string.Join(", ", applied)}\nreplay: --seed {options.Seed} --start {i} --iterations 1\noutcome: {result.Outcome}\n{result.Detail}\n");
                    }
                    var failure = new FuzzFailure(i, seedPath, string.Join(",", applied), result, saved);
                    report.Failures.Add(failure);
                    options.Log?.WriteLine($"FAIL #{i} {result.Outcome} [{failure.Mutations}] {saved}: {result.Detail?.Split('\n')[0]}");
                    if (CaseRunner.AbandonedThreads > 4) { options.Log?.WriteLine("too many hung cases still running; stopping."); break; }
                }
                if (options.Log is not null && lastLog.Elapsed > TimeSpan.FromSeconds(30))
                {
                    lastLog.Restart();
                    options.Log.WriteLine($"[{total.Elapsed:hh\\:mm\\:ss}] {report.Iterations:N0} cases, {report.Counts[Outcome.Ok]:N0} ran, {report.FailureCount} failures, max case {report.MaxCaseTime.TotalMilliseconds:N0} ms");
                }
            }
        }
        finally { restore(); }
        report.Elapsed = total.Elapsed;
        return report;
    }
}
