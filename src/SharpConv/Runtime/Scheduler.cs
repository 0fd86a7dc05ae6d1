using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace SharpConv.Runtime;

/// <summary>
/// The body of a parallel loop: processes a contiguous range of work items on one thread.
/// Implement it on a struct holding pointers/sizes; the scheduler never boxes it. The thread index (in
/// <c>[0, ThreadCount)</c>) selects a per-thread scratch slice; an item's result must not depend on it, nor on
/// which other items the same call received.
/// </summary>
public interface IParallelBody
{
    /// <summary>Processes items <c>[begin, end)</c> on thread <paramref name="threadIndex"/>.</summary>
    void Run(int begin, int end, int threadIndex);
}

/// <summary>
/// A parallel-for over work items with one knob, the thread count.
/// <list type="bullet">
/// <item>It owns <c>ThreadCount − 1</c> dedicated background threads, created once; the calling thread works too.
/// The shared .NET ThreadPool is never used, so several networks with their own schedulers do not oversubscribe
/// each other's pool.</item>
/// <item>Waking: after a loop a worker spins for a short while (<see cref="SpinMicroseconds"/>, longer than the gaps
/// between the loops of a run) watching for the next loop, then blocks on a monitor — an idle scheduler never burns a
/// core for longer than that.
/// The caller likewise spins briefly for the workers to finish before blocking.</item>
/// <item>Partitioning is dynamic: threads claim chunks of consecutive items from a shared counter, so a thread
/// slowed by another process (these machines are shared) does not hold the others up. Kernels make each item's
/// arithmetic independent of who runs it and of the chunking, so results are bit-identical for every thread count.</item>
/// <item>A call allocates nothing: the body is a struct passed by value into a generic method and reached by the
/// workers through a pointer to the caller's stack copy plus a static function pointer.</item>
/// <item>The first exception thrown by any share is rethrown to the caller after every share has finished.</item>
/// <item>Calls are serialised (one loop at a time per scheduler); a nested call from inside a body runs inline.</item>
/// </list>
/// </summary>
public sealed unsafe class Scheduler : IDisposable
{
    /// <summary>
    /// How long an idle worker (and a waiting caller) spins before blocking. A blocked worker takes tens of microseconds
    /// to wake on a virtual machine while the caller starts the next loop alone, and a layer at batch 1 lasts 0.1–0.3 ms.
    /// Paired in one process (`SpeedProbe -b 1 -t 2 -pairs 16 -vs spin100`, the 2-core Zen 1), 100 µs against 500 read
    /// 1.008–1.012 on SqueezeNet 1.0/1.1, GoogLeNet and DenseNet-121: 500 µs is about 1 % faster. (Runs in separate
    /// processes had suggested 5–10 %: that was the shared machine's phase.)
    /// </summary>
    public const int SpinMicroseconds = 500;

    private readonly Thread[] _workers;
    private readonly object _gate = new();      // workers and the caller block on it; protects _error
    private readonly object _callGate = new();  // serialises concurrent For calls
    private long _generation;                   // bumps once per job; workers wait for a change
    private int _pending;                       // workers still running the current job
    private int _sleepers;                      // workers blocked (or about to block) on _gate
    private int _callerBlocked;                 // 1 while the caller blocks waiting for _pending == 0
    private volatile bool _disposed;
    private ExceptionDispatchInfo? _error;

    // The current job: a pointer to the body (on the caller's stack, which cannot move) and the trampoline
    // that knows its type; items are claimed from _next in chunks of _chunk.
    private void* _body;
    private delegate*<void*, int, int, int, void> _invoke;
    private int _count, _chunk;
    private int _next;

    /// <summary>The spin in timestamp ticks (a measurement knob for the perf probes; never changes results).</summary>
    internal static long SpinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;

    [ThreadStatic] private static Scheduler? t_running;
    [ThreadStatic] private static bool t_primed;

    /// <summary>Creates a scheduler that runs loops on <paramref name="threadCount"/> threads (the caller plus
    /// <c>threadCount − 1</c> workers). 1 runs everything inline.</summary>
    /// <param name="threadCount">1 or more; values above 256 are rejected.</param>
    /// <exception cref="ArgumentOutOfRangeException">threadCount is below 1 or above 256.</exception>
    public Scheduler(int threadCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threadCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threadCount, 256);
        ThreadCount = threadCount;
        // Give the monitor its wait machinery now (the first Wait on an object inflates its lock, which may allocate),
        // so the first time a steady-state loop has to block it allocates nothing.
        lock (_gate) Monitor.Wait(_gate, 0);
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

    /// <summary>An even static split of <paramref name="count"/> items: the share thread <paramref name="thread"/> of
    /// <paramref name="threads"/> would get (for planning tile counts; <see cref="For{TBody}"/> hands items out dynamically).</summary>
    public static (int Begin, int End) Partition(int count, int thread, int threads)
        => ((int)((long)count * thread / threads), (int)((long)count * (thread + 1) / threads));

    /// <summary>Runs <paramref name="body"/> over items <c>[0, count)</c> on all threads and returns when all are done.</summary>
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

        if (!t_primed)
        {
            // Same for this calling thread's own wait state, once per thread (warm-up, not steady state).
            lock (_gate) Monitor.Wait(_gate, 0);
            t_primed = true;
        }

        lock (_callGate)
        {
            _body = Unsafe.AsPointer(ref body);  // 'body' is a by-value parameter: it lives on this stack frame
            _invoke = &Trampoline<TBody>;
            _count = count;
            // Small chunks balance better, big ones cost fewer claims: ~8 claims per thread.
            _chunk = Math.Max(1, count / (ThreadCount * 8));
            _next = 0;
            _error = null;
            _pending = _workers.Length;
            Interlocked.Increment(ref _generation);        // publishes the fields above (full fence)
            if (Volatile.Read(ref _sleepers) > 0)
                lock (_gate) Monitor.PulseAll(_gate);

            t_running = this;
            try { Work(0); }
            catch (Exception ex) { lock (_gate) _error ??= ExceptionDispatchInfo.Capture(ex); }
            finally { t_running = null; }

            // Wait for the workers: spin briefly (they usually finish with us), then block.
            if (Volatile.Read(ref _pending) > 0)
            {
                long until = Stopwatch.GetTimestamp() + SpinTicks;
                while (Volatile.Read(ref _pending) > 0 && Stopwatch.GetTimestamp() < until) Thread.SpinWait(20);   // pause instructions only: never yields the core
                if (Volatile.Read(ref _pending) > 0)
                {
                    lock (_gate)
                    {
                        Interlocked.Exchange(ref _callerBlocked, 1);
                        while (Volatile.Read(ref _pending) > 0) Monitor.Wait(_gate);
                        _callerBlocked = 0;
                    }
                }
            }

            _body = null;
            var error = _error;
            _error = null;
            error?.Throw();
        }
    }

    // Claims chunks until none are left.
    private void Work(int thread)
    {
        int count = _count, chunk = _chunk;
        void* body = _body;
        var invoke = _invoke;
        while (true)
        {
            int begin = Interlocked.Add(ref _next, chunk) - chunk;
            if (begin >= count) return;
            invoke(body, begin, Math.Min(count, begin + chunk), thread);
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
            // Spin a little for the next loop (the next layer usually follows within microseconds) …
            if (Volatile.Read(ref _generation) == seen && !_disposed)
            {
                long until = Stopwatch.GetTimestamp() + SpinTicks;
                while (Volatile.Read(ref _generation) == seen && !_disposed && Stopwatch.GetTimestamp() < until) Thread.SpinWait(20);   // pause instructions only: never yields the core
            }
            // … then block until one arrives.
            if (Volatile.Read(ref _generation) == seen && !_disposed)
            {
                lock (_gate)
                {
                    Interlocked.Increment(ref _sleepers);
                    while (Volatile.Read(ref _generation) == seen && !_disposed) Monitor.Wait(_gate);
                    Interlocked.Decrement(ref _sleepers);
                }
            }
            if (_disposed) return;
            seen = Volatile.Read(ref _generation);

            try { Work(index); }
            catch (Exception ex) { lock (_gate) _error ??= ExceptionDispatchInfo.Capture(ex); }

            if (Interlocked.Decrement(ref _pending) == 0 && Volatile.Read(ref _callerBlocked) != 0)
                lock (_gate) Monitor.PulseAll(_gate);
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
