using System.CommandLine;
using System.Diagnostics;
using SharpConv.Analysis;
using SharpConv.Compilation;
using SharpConv.Graph;
using SharpConv.Zoo;
using Spectre.Console;

namespace SharpConv.Cli.Commands;

/// <summary>
/// <c>sharpconv run &lt;model&gt;</c>: compile, run on a seeded random batch, report the median time per run and images per
/// second; or, with <c>--input x.npy [--output y.npy]</c>, run once on a tensor file and write the output.
/// </summary>
public static class RunCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("model") { Description = "architecture name (see `sharpconv zoo`) or path of an .onnx file" };
        var batch = new Option<int>("--batch", "-b") { Description = "images per run (random input)", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads", "-t") { Description = "worker threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var runs = new Option<int>("--runs", "-r") { Description = "timed runs (after one warm-up run)", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "seed of the random input and of zoo weights", DefaultValueFactory = _ => 0 };
        var input = new Option<string?>("--input", "-i") { Description = "run once on this tensor instead of timing a random batch: .npy, or raw little-endian float32 .bin" };
        var output = new Option<string?>("--output", "-o") { Description = "with --input: write the output tensor here (.npy or raw float32 .bin)" };
        var shape = new Option<string?>("--shape") { Description = "with a .bin --input: its shape, e.g. 2,3,224,224 (default: the model's input shape, batch from the file size)" };
        var command = new Command("run", "compile with the fast kernels and time runs on a seeded random input, or run once on a tensor file (--input x.npy --output y.npy)")
            { model, batch, threads, runs, seed, input, output, shape };
        command.SetAction((parse, cancel) =>
        {
            int n = parse.GetValue(batch), t = parse.GetValue(threads), r = parse.GetValue(runs), s = parse.GetValue(seed);
            if (n < 1) throw new CliException($"--batch must be ≥ 1, found {n}.");
            if (t < 1) throw new CliException($"--threads must be ≥ 1, found {t}.");
            if (r < 1) throw new CliException($"--runs must be ≥ 1, found {r}.");
            string? inPath = parse.GetValue(input), outPath = parse.GetValue(output), shapeText = parse.GetValue(shape);
            if (inPath is null)
            {
                if (outPath is not null || shapeText is not null) throw new CliException("--output and --shape go with --input (a tensor file to run on).");
                var source = ModelSource.Resolve(parse.GetValue(model)!, n, s);
                Render(context.Console, Execute(source.Network, n, t, r, s, cancel));
                return Task.FromResult(0);
            }
            // Check the cheap things before spending time on the model.
            if (outPath is not null && Path.GetExtension(outPath).ToLowerInvariant() is not (".npy" or ".bin"))
                throw new CliException($"--output '{outPath}' must end in .npy or .bin (raw little-endian float32).");
            var tensorShape = shapeText is null ? (Shape?)null : TensorFiles.ParseShape(shapeText);
            var src = ModelSource.Resolve(parse.GetValue(model)!, 1, s);
            RenderFile(context.Console, RunFile(src, inPath, tensorShape, outPath, t, cancel));
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>What a run on a tensor file did.</summary>
    /// <param name="Model">The model's display name.</param>
    /// <param name="InputPath">The input file.</param>
    /// <param name="Output">The output tensor (the network's first output).</param>
    /// <param name="InputShape">The input's shape.</param>
    /// <param name="Compile">Compilation time.</param>
    /// <param name="Run">Time of the run (weights of a zoo network are materialised in it).</param>
    /// <param name="OutputPath">Where the output was written, if anywhere.</param>
    public sealed record FileResult(string Model, string InputPath, Tensor Output, Shape InputShape, TimeSpan Compile, TimeSpan Run, string? OutputPath);

    /// <summary>
    /// Runs <paramref name="source"/> once on the tensor in <paramref name="inputPath"/> and writes the first output
    /// to <paramref name="outputPath"/> when given.
    /// </summary>
    /// <exception cref="CliException">A missing or mis-sized input file, or an input whose shape the model cannot take.</exception>
    public static FileResult RunFile(ModelSourceResult source, string inputPath, Shape? shape, string? outputPath, int threads, CancellationToken cancel = default)
    {
        var net = source.Network;
        if (net.Inputs.Count != 1) throw new CliException($"{source.DisplayName} has {net.Inputs.Count} inputs; --input feeds a single-input model.");
        var declared = net.InputShape;
        var item = new Shape(declared.Dims[1..]);
        var x = TensorFiles.Read(inputPath, shape, item);
        if (x.Shape.Rank != declared.Rank || !x.Shape.Dims[1..].SequenceEqual(item.Dims))
            throw new CliException($"'{inputPath}' has shape {x.Shape}, but {source.DisplayName} takes N×{item} (input '{net.Inputs[0].Name}').");
        var timer = Stopwatch.StartNew();
        using var compiled = net.Compile(new CompileOptions { Threads = threads });
        var compile = timer.Elapsed;
        timer.Restart();
        var y = compiled.Run(x, cancel);
        var run = timer.Elapsed;
        if (outputPath is not null) TensorFiles.Write(outputPath, y);
        return new FileResult(source.DisplayName, inputPath, y, x.Shape, compile, run, outputPath);
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
    public static Result Execute(ZooEntry entry, int batch, int threads, int runs, int seed, CancellationToken cancel = default) =>
        Execute(entry.Build(new ZooOptions { Seed = seed }), batch, threads, runs, seed, cancel);

    /// <summary>Compiles and times <paramref name="net"/> on a random batch drawn from <paramref name="seed"/>.</summary>
    public static Result Execute(Network net, int batch, int threads, int runs, int seed, CancellationToken cancel = default)
    {
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

    private static void RenderFile(IAnsiConsole console, FileResult r)
    {
        var t = new Table().Border(TableBorder.Rounded).HideHeaders().AddColumn("what").AddColumn(new TableColumn("value").RightAligned());
        t.Title(Markup.Escape(r.Model));
        t.AddRow("Input", $"{r.InputShape} from {Markup.Escape(r.InputPath)}");
        t.AddRow("Output", $"[bold]{r.Output.Shape}[/]");
        t.AddRow("Compile", $"{r.Compile.TotalMilliseconds:0.0} ms");
        t.AddRow("Run", $"[bold]{r.Run.TotalMilliseconds:0.000} ms[/]");
        var span = r.Output.Span;
        float min = float.PositiveInfinity, max = float.NegativeInfinity; double sum = 0;
        foreach (float v in span) { min = MathF.Min(min, v); max = MathF.Max(max, v); sum += v; }
        t.AddRow("Output min / mean / max", $"{Units.F(min, "g5")} / {Units.F(sum / span.Length, "g5")} / {Units.F(max, "g5")}");
        if (r.Output.Shape.Rank == 2 && r.Output.Shape[1] > 1)
        {
            int rows = r.Output.Shape[0], k = r.Output.Shape[1];
            var best = new List<int>();
            for (int i = 0; i < Math.Min(rows, 16); i++)
            {
                var row = span.Slice(i * k, k);
                int b = 0;
                for (int j = 1; j < k; j++) if (row[j] > row[b]) b = j;
                best.Add(b);
            }
            t.AddRow("Argmax per item", string.Join(", ", best) + (rows > best.Count ? ", …" : ""));
        }
        t.AddRow("Written to", r.OutputPath is null ? "[grey]— (pass --output y.npy)[/]" : Markup.Escape(r.OutputPath));
        console.Write(t);
    }
}
