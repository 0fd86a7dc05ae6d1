using System.CommandLine;
using SharpConv.Cli.Report;
using Spectre.Console;

namespace SharpConv.Cli.Commands;

/// <summary>
/// <c>sharpconv report [--out report.html] [--runs R] [--archs a,b,…]</c>: the teaching report — one self-contained
/// HTML file with the lecture's accuracy/operations/parameters chart, measured forward times, per-layer bars of
/// parameters, activations, MACs and time, the worked examples, and ZFNet-style filters and feature maps.
/// </summary>
public static class ReportCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var output = new Option<string>("--out", "-o") { Description = "HTML file to write", DefaultValueFactory = _ => "report.html" };
        var runs = new Option<int>("--runs", "-r") { Description = "timed runs per architecture (median reported)", DefaultValueFactory = _ => 5 };
        var warmup = new Option<int>("--warmup") { Description = "untimed runs first", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads", "-t") { Description = "worker threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var archs = new Option<string>("--archs", "-a")
        {
            Description = "comma-separated architectures to time and draw layer by layer (the chart always shows every one with a published top-1)",
            DefaultValueFactory = _ => string.Join(",", ReportOptions.DefaultArchs),
        };
        var pictures = new Option<string>("--pictures") { Description = "network whose filters and feature maps are drawn: a zoo name, an .onnx path, or 'none'", DefaultValueFactory = _ => "alexnet" };
        var layer = new Option<string?>("--pictures-layer") { Description = "layer whose feature maps are drawn (default: the first convolution)" };
        var image = new Option<string?>("--image", "-i") { Description = "image for the feature maps (default: the built-in demo photo)" };
        var command = new Command("report", "write the teaching report: accuracy/operations/parameters chart, timings, per-layer bars, worked examples, filters (one HTML file)")
            { output, runs, warmup, threads, archs, pictures, layer, image };
        command.SetAction(parse =>
        {
            int r = parse.GetValue(runs), w = parse.GetValue(warmup), t = parse.GetValue(threads);
            if (r < 1) throw new CliException($"--runs must be ≥ 1, found {r}.");
            if (w < 0) throw new CliException($"--warmup must be ≥ 0, found {w}.");
            if (t < 1) throw new CliException($"--threads must be ≥ 1, found {t}.");
            var names = parse.GetValue(archs)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var n in names) Architectures.Find(n); // fail before minutes of timing, not after
            string pic = parse.GetValue(pictures)!;
            var options = new ReportOptions
            {
                Archs = names, Runs = r, Warmup = w, Threads = t,
                PicturesModel = pic.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : pic,
                PicturesLayer = parse.GetValue(layer), PicturesImage = parse.GetValue(image),
            };
            string path = parse.GetValue(output)!;
            using var ctrlC = CtrlC.Listen();
            var model = Gather(context, options, ctrlC.Token);
            // Written only once everything is gathered: a cancelled run leaves no half report behind.
            File.WriteAllText(path, HtmlReport.Render(model));
            context.Console.MarkupLine($"report written to [bold]{Markup.Escape(Path.GetFullPath(path))}[/] " +
                $"({model.Architectures.Count(a => a.Top1?.Top1 is not null)} architectures on the chart, {model.Details.Count} timed)");
            return 0;
        });
        return command;
    }

    private static ReportModel Gather(CliContext context, ReportOptions options, CancellationToken cancellation)
    {
        if (!context.Interactive)
        {
            // Plain output (pipes, CI logs, tests): one line per timed architecture, no redraws.
            return ReportBuilder.Build(options, (what, _, _) =>
            {
                if (what.StartsWith("timing ", StringComparison.Ordinal)) context.Console.MarkupLine($"[grey]{Markup.Escape(what)}…[/]");
            }, cancellation);
        }
        ReportModel? model = null;
        context.Console.Progress().AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("report");
                model = ReportBuilder.Build(options, (what, done, total) =>
                {
                    task.MaxValue = total;
                    task.Value = done;
                    task.Description = Markup.Escape(what);
                }, cancellation);
            });
        return model!;
    }
}
