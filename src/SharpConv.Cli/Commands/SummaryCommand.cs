using System.CommandLine;
using SharpConv.Analysis;
using SharpConv.Zoo;
using Spectre.Console;

namespace SharpConv.Cli.Commands;

/// <summary><c>sharpconv summary &lt;model&gt;</c> (zoo name or .onnx file): the per-layer table, the totals, and the breakdowns by kind and stage.</summary>
public static class SummaryCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var arch = new Argument<string>("model") { Description = "architecture name (see `sharpconv zoo`) or path of an .onnx file" };
        var batch = new Option<int>("--batch", "-b") { Description = "batch size the numbers are for", DefaultValueFactory = _ => 1 };
        var noLayers = new Option<bool>("--no-layers") { Description = "skip the per-layer table (deep networks)" };
        var plain = new Option<bool>("--plain") { Description = "the fixed-width text of Summary.ToText() instead of tables" };
        var command = new Command("summary", "per-layer table (type, hyper-parameters, output shape, params, MACs, activations), totals, breakdown by kind and stage")
            { arch, batch, noLayers, plain };
        command.SetAction(parse =>
        {
            int n = parse.GetValue(batch);
            if (n < 1) throw new CliException($"--batch must be ≥ 1, found {n}.");
            var source = ModelSource.Resolve(parse.GetValue(arch)!, n);
            var summary = Summary.Of(source.Network, n);
            if (parse.GetValue(plain)) context.Out.Write(summary.ToText());
            else
            {
                Render(context.Console, source.Entry, summary, !parse.GetValue(noLayers));
                if (source.Path is not null) context.Console.MarkupLine($"[grey]imported from {Markup.Escape(source.Path)}[/]");
            }
            return 0;
        });
        return command;
    }

    /// <summary>Renders a summary as Spectre tables.</summary>
    public static void Render(IAnsiConsole console, ZooEntry? entry, Summary s, bool layers = true)
    {
        console.Write(new Rule($"[bold]{Markup.Escape(s.Network)}[/]  batch {s.Batch}, input {s.InputShape}").LeftJustified());
        if (entry is not null) console.MarkupLine($"[grey]{Markup.Escape(entry.Description)}[/]");

        if (layers)
        {
            var t = new Table().Border(TableBorder.Simple)
                .AddColumn(new TableColumn("#").RightAligned()).AddColumn("Layer").AddColumn("Type").AddColumn("Hyper-parameters")
                .AddColumn(new TableColumn("Output shape").RightAligned()).AddColumn(new TableColumn("Params").RightAligned())
                .AddColumn(new TableColumn("MACs").RightAligned()).AddColumn(new TableColumn("Activations").RightAligned());
            foreach (var l in s.Layers)
                t.AddRow(l.Index.ToString(), Markup.Escape(l.Name), Markup.Escape(l.Kind), Markup.Escape(l.HyperParameters), l.OutputShape.ToString(),
                    l.Parameters == 0 ? "[grey]0[/]" : Units.Exact(l.Parameters), l.Macs == 0 ? "[grey]0[/]" : Units.Exact(l.Macs), Bytes(l.ActivationBytes));
            console.Write(t);
        }

        var totals = new Table().Border(TableBorder.Rounded).HideHeaders().AddColumn("what").AddColumn(new TableColumn("value").RightAligned()).AddColumn("note");
        totals.AddRow("Trainable parameters", Units.Exact(s.TrainableParameters), Units.Short(s.TrainableParameters));
        totals.AddRow("Non-trainable buffers", Units.Exact(s.Buffers), "BatchNorm running statistics");
        totals.AddRow("Multiply-accumulates", Units.Exact(s.Macs), $"{Units.Giga(s.Macs)} GMACs = {Units.Giga(2.0 * s.Macs)} GFLOPs (1 MAC = 2 FLOPs)");
        totals.AddRow("Input", Units.Megabytes(s.InputBytes), s.InputShape.ToString());
        totals.AddRow("Forward activations", Units.Megabytes(s.ActivationBytes), "sum of every layer output, 4 bytes/float, forward only");
        totals.AddRow("Peak activation memory", Units.Megabytes(s.PeakActivationBytes), "liveness-planned arena (input included): what a forward pass holds at once");
        totals.AddRow("Parameters size", Units.Megabytes(s.ParameterBytes), "float32, buffers included");
        console.Write(totals);

        console.Write(Breakdown("By layer kind", "Kind", s.ByKind, stage: false));
        if (s.ByStage.Count < s.Layers.Count) // a network without scopes has one "stage" per layer: nothing to roll up
            console.Write(Breakdown("By stage", "Stage", s.ByStage, stage: true));
    }

    private static Table Breakdown(string title, string key, IReadOnlyList<BreakdownRow> rows, bool stage)
    {
        var t = new Table().Border(TableBorder.Simple).Title(title)
            .AddColumn(key).AddColumn(new TableColumn("Layers").RightAligned())
            .AddColumn(new TableColumn("Params").RightAligned()).AddColumn(new TableColumn("% params").RightAligned())
            .AddColumn(new TableColumn("Activations").RightAligned()).AddColumn(new TableColumn("% act.").RightAligned())
            .AddColumn(new TableColumn("MACs").RightAligned()).AddColumn(new TableColumn("% MACs").RightAligned());
        if (stage) t.AddColumn(new TableColumn("Output").RightAligned());
        foreach (var r in rows)
        {
            var cells = new List<string>
            {
                Markup.Escape(r.Key), r.Layers.ToString(), Units.Exact(r.Parameters), Share(r.ParameterShare),
                Bytes(r.ActivationBytes), Share(r.ActivationShare), Units.Exact(r.Macs), Share(r.MacShare),
            };
            if (stage) cells.Add(r.LastOutputShape.ToString());
            t.AddRow(cells.ToArray());
        }
        return t;
    }

    // Shares of a half or more are the lecture's point (FC parameters, conv compute): make them stand out.
    private static string Share(double f) => f >= 0.5 ? $"[bold]{Units.Percent(f)}[/]" : f == 0 ? "[grey]0.0 %[/]" : Units.Percent(f);

    private static string Bytes(long b) => Units.Bytes(b);
}
