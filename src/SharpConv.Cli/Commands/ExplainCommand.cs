using System.CommandLine;
using SharpConv.Analysis;
using Spectre.Console;

namespace SharpConv.Cli.Commands;

/// <summary><c>sharpconv explain [topic]</c>: the lecture's arithmetic with its derivations, computed by the engine.</summary>
public static class ExplainCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var topic = new Argument<string?>("topic")
        {
            Description = "one of: " + string.Join(", ", Lecture.Topics.Select(t => t.Topic)) + " (all when omitted)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("explain", "the lecture's arithmetic (output size, receptive field, parameters, Inception cost, GAP, memory) with derivations") { topic };
        command.SetAction(parse =>
        {
            string? t = parse.GetValue(topic)?.ToLowerInvariant();
            if (t is not null && Lecture.Topics.All(x => x.Topic != t))
                throw new CliException($"unknown topic '{t}'. Topics: {string.Join(", ", Lecture.Topics.Select(x => x.Topic))}.");
            var results = Lecture.WorkedExamples(t, Architectures.TryBuild);
            var console = context.Console;
            if (t is null)
            {
                console.MarkupLine("[bold]Topics[/] (sharpconv explain <topic>):");
                foreach (var (name, description) in Lecture.Topics) console.MarkupLine($"  [cyan]{name,-16}[/] {Markup.Escape(description)}");
                console.WriteLine();
            }
            foreach (var r in results) Render(console, r);
            // Examples over whole networks need the zoo; say so rather than silently printing less.
            foreach (var needs in new[] { "memory", "where" })
                if ((t is null || t == needs) && results.All(r => r.Topic != needs))
                    console.MarkupLine($"[yellow]{needs}: needs vgg16 in the zoo, which this build does not have yet.[/]");
            return 0;
        });
        return command;
    }

    private static void Render(IAnsiConsole console, LectureResult r)
    {
        console.Write(new Rule($"[bold]{Markup.Escape(r.Title)}[/]  [grey]({r.Topic})[/]").LeftJustified());
        console.WriteLine(r.Derivation);
        console.MarkupLine($"[green]→ {Markup.Escape(r.Answer)}[/]");
        if (r.Correction is not null) console.MarkupLine($"[yellow]⚠ correction:[/] {Markup.Escape(r.Correction)}");
        console.WriteLine();
    }
}
