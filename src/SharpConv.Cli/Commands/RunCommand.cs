using System.CommandLine;
using System.Diagnostics;
using SharpConv.Analysis;
using SharpConv.Compilation;
using SharpConv.Zoo;
using Spectre.Console;

namespace SharpConv.Cli.Commands;

/// <summary><c>sharpconv run &lt;arch&gt;</c>: compile, run on a seeded random batch, report the median time per run and images per second.</summary>
public static class RunCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var arch = new Argument<string>("arch") { Description = "architecture name (see `sharpconv zoo`)" };
        var batch = new Option<int>("--batch", "-b") { Description = "images per run", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads", "-t") { Description = "worker threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var runs = new Option<int>("--runs", "-r") { Description = "timed runs (after one warm-up run)", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "seed of the random input and weights", DefaultValueFactory = _ => 0 };
        var command = new Command("run", "compile with the fast kernels and time runs on a seeded random input") { arch, batch, threads, runs, seed };
        command.SetAction((parse, cancel) =>
        {
            int n = parse.GetValue(batch), t = parse.GetValue(threads), r = parse.GetValue(runs), s = parse.GetValue(seed);
            if (n < 1) throw new CliException($"--batch must be ≥ 1, found {n}.");
            if (t < 1) throw new CliException($"--threads must be ≥ 1, found {t}.");
            if (r < 1) throw new CliException($"--runs must be ≥ 1, found {r}.");
            var entry = Architectures.Find(parse.GetValue(arch)!);
            var result = Execute(entry, n, t, r, s, cancel);
            Render(context.Console, result);
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>What a timed run measured.</summary>
    public sealed record Result(string Network, int Batch, int Threads, Shape InputShape, Shape OutputShape, long Macs,
        TimeSpan Compile, TimeSpan FirstRun, IReadOnlyList<TimeSpan> Runs, float Checksum, IReadOnlyDictionary<string, int> Algorithms)
    {
        /// <summary>Median of the timed runs.</summary>
        public TimeSpan Median => Runs.Order().ElementAt(Runs.Count / 2);
        /// <summary>Images per second at the median.</summary>
        public double ImagesPerSecond => Batch / Median.TotalSeconds;
        /// <summary>Achieved GFLOP/s at the median (1 MAC = 2 FLOPs).</summary>
        public double GFlopsPerSecond => 2.0 * Macs / Median.TotalSeconds / 1e9;
    }

    /// <summary>Builds, compiles and times <paramref name="entry"/>.</summary>
    public static Result Execute(ZooEntry entry, int batch, int threads, int runs, int seed, CancellationToken cancel = default)
    {
        var net = entry.Build(new ZooOptions { Seed = seed });
        var clock = Stopwatch.StartNew();
        using var compiled = net.Compile(new CompileOptions { Threads = threads });
        var plan = compiled.PlanFor(batch);
        var compile = clock.Elapsed;

        var input = Tensor.RandomNormal(net.InputShape.WithBatch(batch), seed);
        var output = new Tensor(plan.SlotShapes[plan.OutputSlots[0]]);
        // The first run materialises lazy weights and rents the arena: report it apart from the steady state.
        clock.Restart();
        compiled.Run(input, output, cancel);
        var first = clock.Elapsed;
        var times = new List<TimeSpan>(runs);
        for (int i = 0; i < runs; i++)
        {
            clock.Restart();
            compiled.Run(input, output, cancel);
            times.Add(clock.Elapsed);
        }
        float checksum = 0;
        foreach (float v in output.Span) checksum += v;
        // Which kernels ran: the timing means little without knowing whether the fast paths were chosen.
        var algorithms = plan.Steps.GroupBy(st => st.Algorithm).OrderByDescending(g => g.Count()).ToDictionary(g => g.Key, g => g.Count());
        return new Result(net.Name, batch, threads, input.Shape, output.Shape, plan.Steps.Sum(st => st.Macs), compile, first, times, checksum, algorithms);
    }

    private static void Render(IAnsiConsole console, Result r)
    {
        var t = new Table().Border(TableBorder.Rounded).HideHeaders().AddColumn("what").AddColumn(new TableColumn("value").RightAligned());
        t.Title($"{Markup.Escape(r.Network)}: batch {r.Batch}, {r.Threads} thread(s)");
        t.AddRow("Input", r.InputShape.ToString());
        t.AddRow("Output", r.OutputShape.ToString());
        t.AddRow("Compile", $"{r.Compile.TotalMilliseconds:0.0} ms");
        t.AddRow("First run (weights materialised)", $"{r.FirstRun.TotalMilliseconds:0.000} ms");
        t.AddRow($"Median of {r.Runs.Count} run(s)", $"[bold]{r.Median.TotalMilliseconds:0.000} ms[/]");
        t.AddRow("Fastest run", $"{r.Runs.Min().TotalMilliseconds:0.000} ms");
        t.AddRow("Throughput", $"[bold]{Units.F(r.ImagesPerSecond, "0.0")} img/s[/]");
        t.AddRow("Achieved", $"{Units.F(r.GFlopsPerSecond, "0.00")} GFLOP/s ({Units.Giga(r.Macs)} GMACs per run, 1 MAC = 2 FLOPs)");
        t.AddRow("Output checksum", Units.F(r.Checksum, "g6"));
        t.AddRow("Kernels (steps)", Markup.Escape(string.Join(", ", r.Algorithms.Select(a => $"{a.Key} {a.Value}"))));
        console.Write(t);
    }
}
