using System.CommandLine;
using System.CommandLine.Help;
using SharpConv.Cli.Commands;
using Spectre.Console;

namespace SharpConv.Cli;

/// <summary>
/// The <c>sharpconv</c> tool. Each command lives in one file under <c>Commands/</c> as a static <c>Create(CliContext)</c>
/// returning a <see cref="Command"/>; adding a command is that file plus one line in <see cref="Commands"/>.
/// </summary>
public static class Program
{
    /// <summary>
    /// Every command, in the order <c>--help</c> lists them. Other commands (classify, profile, bench, report, export)
    /// register here the same way.
    /// </summary>
    public static IReadOnlyList<Func<CliContext, Command>> Commands { get; } =
    [
        ZooCommand.Create,
        SummaryCommand.Create,
        RunCommand.Create,
        ExplainCommand.Create,
        ProfileCommand.Create,
        ReportCommand.Create,
        FiltersCommand.Create,
        FeatureMapsCommand.Create,
        BenchCommand.Create,
        ClassifyCommand.Create,
        ExportCommand.Create,
    ];

    /// <summary>The process entry point: the real console, with colours and progress bars where it is a terminal.</summary>
    public static int Main(string[] args) => Run(args, CliContext.ForTerminal());

    /// <summary>
    /// Runs the tool in-process with everything written to <paramref name="output"/> as plain text (no colours, no
    /// live progress), for tests and for embedding. Returns the exit code.
    /// </summary>
    public static int Run(string[] args, TextWriter output) => Run(args, CliContext.ForWriter(output));

    /// <summary>Runs the tool against a prepared context. Returns the exit code: 0 success, 1 error, 130 cancelled.</summary>
    public static int Run(string[] args, CliContext context)
    {
        // A plain Command rather than RootCommand: RootCommand names itself after the executable (SharpConv.Cli), but
        // users type the tool's command name.
        var root = new Command("sharpconv", "build, summarise, explain, run, export and classify with the classic CNN architectures and ONNX models (pure managed C#).")
        {
            new HelpOption(),
            new VersionOption(),
        };
        foreach (var create in Commands) root.Subcommands.Add(create(context));
        try
        {
            var parse = root.Parse(args);
            // Our own handler below prints one red line; the default one would print a stack trace.
            return parse.Invoke(new InvocationConfiguration
            {
                Output = context.Out,
                Error = context.Out,
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (Exception e) when (e is SharpConvException or CliException)
        {
            context.Error(e.Message);
            return 1;
        }
        // Unreadable or unwritable files (permissions, a full disk): their messages name the file.
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Error(e.Message);
            return 1;
        }
        catch (OperationCanceledException)
        {
            context.Error("cancelled.");
            return 130;
        }
    }
}
