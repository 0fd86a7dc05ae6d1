using System.CommandLine;
using System.Diagnostics;
using SharpConv.Analysis;
using SharpConv.Zoo;
using Spectre.Console;

namespace SharpConv.Cli.Commands;

/// <summary><c>sharpconv zoo</c>: every architecture, one line each — exact parameters, GMACs, peak activation memory, published-count check.</summary>
public static class ZooCommand
{
    /// <summary>One architecture's line (kept as data so tests and other commands can reuse the survey).</summary>
    public sealed record Row(ZooEntry Entry, Summary? Summary, string? Error, TimeSpan BuildTime)
    {
        /// <summary>True when the built count equals the published one; null when none is published or the build failed.</summary>
        public bool? MatchesPublished => Summary is null || Entry.PublishedParameters is null ? null : Summary.TrainableParameters == Entry.PublishedParameters;
    }

    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var family = new Option<string?>("--family", "-f") { Description = "only this family (e.g. ResNet)" };
        var command = new Command("zoo", "every architecture and variant: exact parameters, GMACs, peak activation memory, published-count check") { family };
        command.SetAction(parse =>
        {
            var entries = Zoo.Zoo.All.Where(e => parse.GetValue(family) is not string f || e.Family.Equals(f, StringComparison.OrdinalIgnoreCase)).ToList();
            if (entries.Count == 0)
                throw new CliException($"no architecture of family '{parse.GetValue(family)}'. Families: {string.Join(", ", Zoo.Zoo.All.Select(e => e.Family).Distinct())}.");
            var rows = Survey(context, entries);
            Render(context.Console, rows);
            return rows.Any(r => r.Error is not null || r.MatchesPublished == false) ? 1 : 0;
        });
        return command;
    }

    /// <summary>Builds each entry shape-only and summarises it, with a progress bar on a terminal.</summary>
    public static IReadOnlyList<Row> Survey(CliContext context, IReadOnlyList<ZooEntry> entries)
    {
        var rows = new Row[entries.Count];
        void Work(Action<string>? starting, Action? done)
        {
            for (int i = 0; i < entries.Count; i++)
            {
                starting?.Invoke(entries[i].Name);
                rows[i] = Measure(entries[i]);
                done?.Invoke();
            }
        }
        if (context.Interactive)
            context.Console.Progress().AutoClear(true).HideCompleted(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("building", maxValue: entries.Count);
                    Work(name => task.Description = $"building {Markup.Escape(name)}", () => task.Increment(1));
                });
        else Work(null, null);
        return rows;
    }

    private static Row Measure(ZooEntry entry)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var net = entry.Build(new ZooOptions());
            var summary = Summary.Of(net, 1);
            return new Row(entry, summary, null, clock.Elapsed);
        }
        // One broken builder must not hide the rest of the zoo: report it on its line.
        catch (SharpConvException e) { return new Row(entry, null, e.Message, clock.Elapsed); }
    }

    // One line per architecture: the description gets what the other columns leave and is cut with an ellipsis.
    private static string Fit(string text, int width) => width < 8 ? "" : text.Length <= width ? text : text[..(width - 1)] + "…";

    private static void Render(IAnsiConsole console, IReadOnlyList<Row> rows)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("Architecture").AddColumn("Family")
            .AddColumn(new TableColumn("Parameters").RightAligned()).AddColumn(new TableColumn("≈").RightAligned())
            .AddColumn(new TableColumn("GMACs").RightAligned()).AddColumn(new TableColumn("Peak act.").RightAligned())
            .AddColumn(new TableColumn("Published").Centered()).AddColumn("Description");
        foreach (var c in table.Columns) c.NoWrap();
        // Widest cell per fixed column (+2 for the padding); the rest of the line is the description's.
        int fixedWidth = new[]
        {
            rows.Max(r => r.Entry.Name.Length), rows.Max(r => r.Entry.Family.Length), 13, 8, 10, 10, 14,
        }.Sum(w => w + 2) + 2;
        int descriptionWidth = console.Profile.Width - fixedWidth;
        foreach (var r in rows)
        {
            if (r.Summary is not Summary s)
            {
                table.AddRow(new Text(r.Entry.Name), new Text(r.Entry.Family), Text.Empty, Text.Empty, Text.Empty, Text.Empty, new Markup("[red]✗[/]"),
                    new Text($"build failed: {r.Error}", new Style(Color.Red)).Overflow(Overflow.Ellipsis));
                continue;
            }
            string check = r.MatchesPublished switch
            {
                true => "[green]✓[/]",
                false => $"[red]✗ {Units.Exact(r.Entry.PublishedParameters!.Value)}[/]",
                null => "[grey]—[/]",
            };
            table.AddRow(
                new Text(r.Entry.Name), new Text(r.Entry.Family), new Text(Units.Exact(s.TrainableParameters)), new Text(Units.Short(s.TrainableParameters)),
                new Text(Units.Giga(s.Macs)), new Text(Units.Megabytes(s.PeakActivationBytes)), new Markup(check), new Text(Fit(r.Entry.Description, descriptionWidth)));
        }
        console.Write(table);
        int ok = rows.Count(r => r.MatchesPublished == true), bad = rows.Count(r => r.MatchesPublished == false || r.Error is not null);
        console.MarkupLine($"{rows.Count} architectures built shape-only in {rows.Sum(r => r.BuildTime.TotalMilliseconds):0} ms; published parameter counts: {ok} match, {bad} differ or failed.");
        console.MarkupLine("[grey]GMACs per image (1 MAC = 2 FLOPs); peak = liveness-planned activation arena of a forward pass at batch 1.[/]");
    }
}
