namespace SharpConv.Tests;

/// <summary>Measures what a steady-state call allocates, apart from the JIT's one-off tier-up work.</summary>
public static class SteadyState
{
    /// <summary>
    /// Bytes allocated on this thread by one call of <paramref name="run"/>, measured over blocks of 20 calls after a
    /// warm-up. Tiered compilation may allocate while it re-jits hot methods (once, early); an allocation in the run
    /// path itself shows in every block. So: the smallest of five blocks, per call — zero means the run path allocates
    /// nothing.
    /// </summary>
    public static long AllocatedBytesPerRun(Action run, int warmup = 50)
    {
        for (int i = 0; i < warmup; i++) run();
        long best = long.MaxValue;
        for (int block = 0; block < 5 && best > 0; block++)
        {
            long start = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++) run();
            best = Math.Min(best, (GC.GetAllocatedBytesForCurrentThread() - start) / 20);
            if (best > 0) Thread.Sleep(100); // give the background tier-up a moment before the next block
        }
        return best;
    }
}
