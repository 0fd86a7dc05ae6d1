namespace SharpConv.Cli;

/// <summary>
/// Turns Ctrl+C into a cancellation token for long commands (profile, report). The key press is swallowed
/// (<see cref="ConsoleCancelEventArgs.Cancel"/> = true) so the process is not killed mid-write: the work notices the
/// token between layers, unwinds, and <see cref="Program.Run(string[], CliContext)"/> prints "cancelled." and exits 130.
/// </summary>
public sealed class CtrlC : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly ConsoleCancelEventHandler _handler;

    private CtrlC(CancellationToken outer)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _handler = (_, e) =>
        {
            e.Cancel = true;
            // A second Ctrl+C after cancellation has been asked for falls through to the default: kill the process.
            if (_source.IsCancellationRequested) { e.Cancel = false; return; }
            _source.Cancel();
        };
        Console.CancelKeyPress += _handler;
    }

    /// <summary>Cancelled by Ctrl+C or by <c>outer</c> (System.CommandLine's own termination token).</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Starts listening; dispose to stop.</summary>
    public static CtrlC Listen(CancellationToken outer = default) => new(outer);

    /// <inheritdoc/>
    public void Dispose()
    {
        Console.CancelKeyPress -= _handler;
        _source.Dispose();
    }
}
