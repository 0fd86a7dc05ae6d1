using System.CommandLine;
using SharpConv.Analysis;
using SharpConv.Compilation;
using SharpConv.Zoo;
using Spectre.Console;

namespace SharpConv.Cli.Commands;

/// <summary>
/// <c>sharpconv profile &lt;arch|model.onnx&gt;</c>: where the time goes, layer by layer — the compiled step, the kernel
/// the compiler chose, shape, parameters, MACs, activation bytes, median time over the runs, its share and the GFLOP/s it
/// achieved — then the same rolled up by layer type and by stage. Writes JSON and CSV on request.
/// </summary>
public static class ProfileCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("model") { Description = "architecture name (see `sharpconv zoo`) or a path to an .onnx file" };
        var batch = new Option<int>("--batch", "-b") { Description = "images per run", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads", "-t") { Description = "worker threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var runs = new Option<int>("--runs", "-r") { Description = "timed runs; each layer's time is its median over them", DefaultValueFactory = _ => 10 };
        var warmup = new Option<int>("--warmup") { Description = "untimed runs first (weights materialised, caches warm)", DefaultValueFactory = _ => 2 };
        var seed = new Option<int>("--seed") { Description = "seed of the random input (and of zoo weights)", DefaultValueFactory = _ => 0 };
        var json = new Option<string?>("--json") { Description = "also write the profile as JSON to this file" };
        var csv = new Option<string?>("--csv") { Description = "also write the per-layer rows as CSV to this file" };
        var command = new Command("profile", "time every layer of a compiled network: per-layer table, rollups by layer type and stage, JSON/CSV")
            { model, batch, threads, runs, warmup, seed, json, csv };
        command.SetAction(parse =>
        {
            int n = parse.GetValue(batch), t = parse.GetValue(threads), r = parse.GetValue(runs), w = parse.GetValue(warmup);
            if (n < 1) throw new CliException($"--batch must be ≥ 1, found {n}.");
            if (t < 1) throw new CliException($"--threads must be ≥ 1, found {t}.");
            if (r < 1) throw new CliException($"--runs must be ≥ 1, found {r}.");
            if (w < 0) throw new CliException($"--warmup must be ≥ 0, found {w}.");
            var source = NetworkSource.Resolve(parse.GetValue(model)!, new ZooOptions { Seed = parse.GetValue(seed) });
            using var ctrlC = CtrlC.Listen();
            var report = Execute(context, source, n, t, r, w, parse.GetValue(seed), ctrlC.Token);
            Render(context.Console, report);
            Write(context, parse.GetValue(json), report.ToJson(), "JSON");
            Write(context, parse.GetValue(csv), report.ToCsv(), "CSV");
            return 0;
        });
        return command;
    }

    /// <summary>Compiles <paramref name="source"/> with the fast kernels and profiles it, with a progress bar on a terminal.</summary>
    public static ProfileReport Execute(CliContext context, NetworkSource source, int batch, int threads, int runs, int warmup, int seed,
        CancellationToken cancellation)
    {
        using var compiled = source.Network.Compile(new CompileOptions { Threads = threads });
        var input = Tensor.RandomNormal(source.Network.InputShape.WithBatch(batch), seed);
        if (!context.Interactive) return Profiler.Run(compiled, input, runs, warmup, null, cancellation);
        ProfileReport? result = null;
        context.Console.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask($"profiling {Markup.Escape(source.Label)}", maxValue: warmup + runs);
                result = Profiler.Run(compiled, input, runs, warmup, new InlineProgress(done => task.Value = done), cancellation);
            });
        return result!;
    }

    /// <summary>Renders the per-layer table, the rollups and the totals.</summary>
    public static void Render(IAnsiConsole console, ProfileReport p)
    {
        console.Write(new Rule($"[bold]{Markup.Escape(p.Network)}[/]  batch {p.Batch}, {p.Threads} thread(s), median of {p.Runs} run(s)").LeftJustified());
        var t = new Table().Border(TableBorder.Simple)
            .AddColumn(new TableColumn("#").RightAligned()).AddColumn("Layer").AddColumn("Type").AddColumn("Algorithm")
            .AddColumn(new TableColumn("Output").RightAligned()).AddColumn(new TableColumn("Params").RightAligned())
            .AddColumn(new TableColumn("MACs").RightAligned()).AddColumn(new TableColumn("Activations").RightAligned())
            .AddColumn(new TableColumn("Median ms").RightAligned()).AddColumn(new TableColumn("% time").RightAligned())
            .AddColumn(new TableColumn("GFLOP/s").RightAligned());
        for (int i = 0; i < p.Rows.Count; i++)
        {
            var r = p.Rows[i];
            t.AddRow(i.ToString(), Markup.Escape(r.Name), Markup.Escape(r.Kind), Markup.Escape(r.Algorithm), r.OutputShape.ToString(),
                r.Parameters == 0 ? "[grey]0[/]" : Units.Exact(r.Parameters), r.Macs == 0 ? "[grey]0[/]" : Units.Exact(r.Macs),
                Units.Bytes(r.ActivationBytes), Ms(r.MedianMs), Pct(r.Percent), r.GFlops == 0 ? "[grey]–[/]" : Units.F(r.GFlops, "0.0"));
        }
        console.Write(t);
        console.Write(Groups("By layer type", "Type", p.ByKind));
        if (p.ByStage.Count < p.Rows.Count) console.Write(Groups("By stage", "Stage", p.ByStage));

        var totals = new Table().Border(TableBorder.Rounded).HideHeaders().AddColumn("what").AddColumn(new TableColumn("value").RightAligned()).AddColumn("note");
        totals.AddRow("Sum of layer medians", $"[bold]{Ms(p.LayerSumMs)} ms[/]", $"{p.Rows.Count} compiled steps");
        totals.AddRow("End-to-end median", $"[bold]{Ms(p.EndToEndMedianMs)} ms[/]", $"{Units.F(p.Batch / (p.EndToEndMedianMs / 1000), "0.0")} img/s");
        totals.AddRow("Multiply-accumulates", Units.Exact(p.Macs), $"{Units.Giga(p.Macs)} GMACs per run (1 MAC = 2 FLOPs)");
        totals.AddRow("Achieved", $"{Units.F(p.GFlops, "0.0")} GFLOP/s", "at the end-to-end median");
        console.Write(totals);
        // The rows are compiled steps, not the layers as built: say so, or a reader comparing with `summary` is misled.
        console.MarkupLine("[grey]Rows are compiled steps: BatchNorm is folded into the convolution before it (which gains a bias), activations are fused; " +
            "`sharpconv summary` lists the network as built.[/]");
    }

    private static Table Groups(string title, string key, IReadOnlyList<ProfileGroup> groups)
    {
        var t = new Table().Border(TableBorder.Simple).Title(title)
            .AddColumn(key).AddColumn(new TableColumn("Layers").RightAligned()).AddColumn(new TableColumn("Params").RightAligned())
            .AddColumn(new TableColumn("MACs").RightAligned()).AddColumn(new TableColumn("Activations").RightAligned())
            .AddColumn(new TableColumn("Median ms").RightAligned()).AddColumn(new TableColumn("% time").RightAligned())
            .AddColumn(new TableColumn("GFLOP/s").RightAligned());
        foreach (var g in groups)
            t.AddRow(Markup.Escape(g.Key), g.Layers.ToString(), Units.Exact(g.Parameters), Units.Exact(g.Macs), Units.Bytes(g.ActivationBytes),
                Ms(g.MedianMs), Pct(g.Percent), g.GFlops == 0 ? "[grey]–[/]" : Units.F(g.GFlops, "0.0"));
        return t;
    }

    // Half the time or more in one place is the profile's headline: make it stand out, as the summary does for shares.
    private static string Pct(double percent) => percent >= 50 ? $"[bold]{Units.F(percent, "0.0")} %[/]" : $"{Units.F(percent, "0.0")} %";

    private static string Ms(double ms) => Units.F(ms, ms >= 100 ? "0.0" : ms >= 1 ? "0.000" : "0.0000");

    private static void Write(CliContext context, string? path, string text, string what)
    {
        if (string.IsNullOrEmpty(path)) return;
        File.WriteAllText(path, text);
        context.Console.MarkupLine($"[grey]{what} written to {Markup.Escape(Path.GetFullPath(path))}[/]");
    }
}

/// <summary>
/// An <see cref="IProgress{T}"/> that calls back on the reporting thread. <see cref="Progress{T}"/> would post to the
/// thread pool, so a progress bar could lag behind — or update after the work it reports on has finished.
/// </summary>
internal sealed class InlineProgress(Action<int> report) : IProgress<int>
{
    public void Report(int value) => report(value);
}
