using SharpConv.Runtime;

namespace SharpConv.Tests.Kernels;

public class SchedulerTests
{
    private unsafe struct Fill : IParallelBody
    {
        public int* Data;
        public int* ThreadOf;
        public void Run(int begin, int end, int thread)
        {
            for (int i = begin; i < end; i++) { Data[i] += i * 2; ThreadOf[i] = thread; }
        }
    }

    private struct Throws : IParallelBody
    {
        public int Bad;
        public void Run(int begin, int end, int thread)
        {
            for (int i = begin; i < end; i++) if (i == Bad) throw new InvalidOperationException("item " + i);
        }
    }

    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(5)]
    public unsafe void EveryItemRunsOnceOnAValidThread(int threads)
    {
        using var s = new Scheduler(threads);
        foreach (int count in new[] { 1, 2, 3, 7, 100, 1000 })
        {
            var data = new int[count]; var who = new int[count];
            fixed (int* d = data) fixed (int* w = who)
                s.For(count, new Fill { Data = d, ThreadOf = w });
            for (int i = 0; i < count; i++)
            {
                Assert.Equal(i * 2, data[i]);
                Assert.InRange(who[i], 0, threads - 1);
            }
        }
    }

    private unsafe struct SlowStart : IParallelBody
    {
        public int* ThreadOf;
        public void Run(int begin, int end, int thread)
        {
            if (begin == 0) Thread.Sleep(100);   // whoever runs the first chunk is held up in it
            for (int i = begin; i < end; i++) ThreadOf[i] = thread;
        }
    }

    [Fact]
    public unsafe void ADelayedThreadDoesNotHoldUpTheItemsAfterItsChunk()
    {
        // The thread that runs items 0–5 stalls there for 100 ms; the other one takes on everything after, the first half
        // of the items included. (With a static split, thread 1 would never touch items 0–49.)
        using var s = new Scheduler(2);
        var who = new int[100];
        fixed (int* w = who) s.For(100, new SlowStart { ThreadOf = w });
        Assert.Contains(1, who[1..50]);
    }

    [Fact]
    public unsafe void ManyBackToBackLoopsAndIdleGapsComplete()
    {
        // Exercises both wake-up paths: loops that follow at once (workers still spinning) and loops after a pause
        // longer than the spin (workers blocked).
        using var s = new Scheduler(3);
        var data = new int[50]; var who = new int[50];
        fixed (int* d = data) fixed (int* w = who)
            for (int round = 0; round < 2000; round++)
            {
                s.For(50, new Fill { Data = d, ThreadOf = w });
                if (round % 500 == 0) Thread.Sleep(5);
            }
        for (int i = 0; i < 50; i++) Assert.Equal(2000 * i * 2, data[i]);
    }

    [Theory]
    [InlineData(1, 0)] [InlineData(2, 0)] [InlineData(2, 99)] [InlineData(3, 50)]
    public void ExceptionReachesCaller(int threads, int bad)
    {
        using var s = new Scheduler(threads);
        var ex = Assert.Throws<InvalidOperationException>(() => s.For(100, new Throws { Bad = bad }));
        Assert.Equal("item " + bad, ex.Message);
        s.For(100, new Throws { Bad = -1 });   // still usable afterwards
    }

    [Fact]
    public unsafe void SteadyStateCallAllocatesNothing()
    {
        using var s = new Scheduler(2);
        var data = new int[64]; var who = new int[64];
        fixed (int* d = data) fixed (int* w = who)
        {
            var body = new Fill { Data = d, ThreadOf = w };
            Assert.Equal(0, SteadyState.AllocatedBytesPerRun(() => s.For(64, body)));
        }
    }

    [Fact]
    public void DisposeStopsWorkersAndRejectsCalls()
    {
        var s = new Scheduler(3);
        s.Dispose();
        s.Dispose();
        Assert.Throws<ObjectDisposedException>(() => s.For(10, new Throws { Bad = -1 }));
    }
}
