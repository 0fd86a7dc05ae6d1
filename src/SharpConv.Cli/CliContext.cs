using Spectre.Console;

namespace SharpConv.Cli;

/// <summary>
/// What every command writes to: a Spectre console over a <see cref="TextWriter"/>, plus whether it is a live
/// terminal (progress bars and colours) or a plain writer (tests, pipes, files).
/// </summary>
public sealed class CliContext
{
    private CliContext(IAnsiConsole console, TextWriter writer, bool interactive)
    {
        Console = console; Out = writer; Interactive = interactive;
    }

    /// <summary>The Spectre console commands render to.</summary>
    public IAnsiConsole Console { get; }
    /// <summary>The underlying writer (System.CommandLine writes help and parse errors here).</summary>
    public TextWriter Out { get; }
    /// <summary>True on a real terminal: live progress bars are shown.</summary>
    public bool Interactive { get; }

    /// <summary>The process console, detected: colours and progress on a terminal, plain and wide when redirected.</summary>
    public static CliContext ForTerminal()
    {
        bool redirected = System.Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Out = new AnsiConsoleOutput(System.Console.Out),
        });
        // Redirected output has no width; Spectre would assume 80 and wrap every summary table.
        if (redirected) console.Profile.Width = 180;
        return new CliContext(console, System.Console.Out, !redirected && console.Profile.Capabilities.Interactive);
    }

    /// <summary>A plain, wide, non-interactive console over <paramref name="writer"/> (what tests read).</summary>
    public static CliContext ForWriter(TextWriter writer, int width = 200)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = width;
        return new CliContext(console, writer, interactive: false);
    }

    /// <summary>Writes one red error line (no stack trace: errors name what was wrong, that is enough).</summary>
    public void Error(string message) => Console.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
}

/// <summary>A user error found by the command layer (unknown architecture or topic, a bad option value).</summary>
public sealed class CliException(string message) : Exception(message);
