using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace SharpConv.Runtime;

/// <summary>
/// The body of a parallel loop: processes a contiguous range of work items on one thread.
/// Implement it on a struct holding pointers/sizes; the scheduler never boxes it. The thread index (in
/// <c>[0, ThreadCount)</c>) selects a per-thread scratch slice; an item's result must not depend on it.
/// </summary>
public interface IParallelBody
{
    /// <summary>Processes items <c>[begin, end)</c> on thread <paramref name="threadIndex"/>.</summary>
    void Run(int begin, int end, int threadIndex);
}

/// <summary>
/// A parallel-for over work items with one knob, the thread count.
/// <list type="bullet">
/// <item>It owns <c>ThreadCount − 1</c> dedicated background threads, created once; the calling thread does the first
/// share itself. Idle workers block on a monitor (no spinning), and the shared .NET ThreadPool is never used, so
/// several networks with their own schedulers do not oversubscribe each other's pool.</item>
/// <item>Partitioning is static: thread <c>t</c> of <c>T</c> gets the contiguous items
/// <c>[t·n/T, (t+1)·n/T)</c>. Kernels make each item's arithmetic independent of who runs it, so results are
/// bit-identical for every thread count.</item>
/// <item>A call allocates nothing: the body is a struct passed by value into a generic method and reached by the
/// workers through a pointer to the caller's stack copy plus a static function pointer.</item>
/// <item>The first exception thrown by any share is rethrown to the caller after every share has finished.</item>
/// <item>Calls are serialised (one loop at a time per scheduler); a nested call from inside a body runs inline.</item>
/// </list>
/// </summary>
public sealed unsafe class Scheduler : IDisposable
{
    private readonly Thread[] _workers;
    private readonly object _gate = new();      // protects the job fields below and signals workers
    private readonly object _callGate = new();  // serialises concurrent For calls
    private long _generation;                   // bumps once per job; workers wait for a change
    private int _pending;                       // workers still running the current job
    private bool _disposed;
    private ExceptionDispatchInfo? _error;

    // The current job: a pointer to the body (on the caller's stack, which cannot move) and the trampoline
    // that knows its type.
    private void* _body;
    private delegate*<void*, int, int, int, void> _invoke;
    private int _count;

    [ThreadStatic] private static Scheduler? t_running;

    /// <summary>Creates a scheduler that runs loops on <paramref name="threadCount"/> threads (the caller plus
    /// <c>threadCount − 1</c> workers). 1 runs everything inline.</summary>
    /// <param name="threadCount">1 or more; values above 256 are rejected.</param>
    /// <exception cref="ArgumentOutOfRangeException">threadCount is below 1 or above 256.</exception>
    public Scheduler(int threadCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threadCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threadCount, 256);
        ThreadCount = threadCount;
        _workers = new Thread[threadCount - 1];
        for (int i = 0; i < _workers.Length; i++)
        {
            int index = i + 1;
            _workers[i] = new Thread(() => WorkerLoop(index))
            {
                IsBackground = true,
                Name = $"SharpConv worker {index}",
            };
            _workers[i].Start();
        }
    }

    /// <summary>A shared single-thread scheduler (everything inline); never needs disposing.</summary>
    public static Scheduler Inline { get; } = new(1);

    /// <summary>Number of threads a loop runs on, the caller included.</summary>
    public int ThreadCount { get; }

    /// <summary>The share of <paramref name="count"/> items that thread <paramref name="thread"/> of
    /// <paramref name="threads"/> processes — the static partition used by <see cref="For{TBody}"/>.</summary>
    public static (int Begin, int End) Partition(int count, int thread, int threads)
        => ((int)((long)count * thread / threads), (int)((long)count * (thread + 1) / threads));

    /// <summary>Runs <paramref name="body"/> over items <c>[0, count)</c>, split statically over the threads, and
    /// returns when all are done.</summary>
    /// <exception cref="ObjectDisposedException">The scheduler was disposed.</exception>
    public void For<TBody>(int count, TBody body) where TBody : struct, IParallelBody
    {
        if (count <= 0) return;
        ObjectDisposedException.ThrowIf(_disposed, this);
        int threads = Math.Min(ThreadCount, count);
        if (threads == 1 || t_running != null)
        {
            // Inline: a single thread, a tiny loop, or a nested call from a worker (which would deadlock).
            body.Run(0, count, 0);
            return;
        }

        lock (_callGate)
        {
            lock (_gate)
            {
                _body = Unsafe.AsPointer(ref body);  // 'body' is a by-value parameter: it lives on this stack frame
                _invoke = &Trampoline<TBody>;
                _count = count;
                _error = null;
                _pending = _workers.Length;
                _generation++;
                Monitor.PulseAll(_gate);
            }

            t_running = this;
            try
            {
                var (b, e) = Partition(count, 0, ThreadCount);
                if (b < e) body.Run(b, e, 0);
            }
            catch (Exception ex)
            {
                lock (_gate) _error ??= ExceptionDispatchInfo.Capture(ex);
            }
            finally
            {
                t_running = null;
            }

            ExceptionDispatchInfo? error;
            lock (_gate)
            {
                while (_pending > 0) Monitor.Wait(_gate);
                _body = null;
                error = _error;
                _error = null;
            }
            error?.Throw();
        }
    }

    private static void Trampoline<TBody>(void* body, int begin, int end, int thread) where TBody : struct, IParallelBody
        => Unsafe.AsRef<TBody>(body).Run(begin, end, thread);

    private void WorkerLoop(int index)
    {
        t_running = this;
        long seen = 0;
        while (true)
        {
            void* body;
            delegate*<void*, int, int, int, void> invoke;
            int count;
            lock (_gate)
            {
                while (_generation == seen && !_disposed) Monitor.Wait(_gate);
                if (_disposed) return;
                seen = _generation;
                body = _body; invoke = _invoke; count = _count;
            }

            try
            {
                var (b, e) = Partition(count, index, ThreadCount);
                if (b < e) invoke(body, b, e, index);
            }
            catch (Exception ex)
            {
                lock (_gate) _error ??= ExceptionDispatchInfo.Capture(ex);
            }

            lock (_gate)
            {
                if (--_pending == 0) Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>Stops and joins the worker threads. Loops must not be running.</summary>
    public void Dispose()
    {
        if (ReferenceEquals(this, Inline)) return;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            Monitor.PulseAll(_gate);
        }
        foreach (var w in _workers) w.Join();
    }
}
