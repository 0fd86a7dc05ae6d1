namespace SharpConv;

/// <summary>
/// Process-wide limits checked <em>before</em> anything large is allocated, so a hostile model or input
/// fails with a <see cref="LimitExceededException"/> instead of exhausting memory.
/// </summary>
public static class Limits
{
    /// <summary>Largest element count of one tensor (default 2^29 ≈ 537M floats = 2 GiB).</summary>
    public static long MaxTensorElements { get; set; } = 1L << 29;

    /// <summary>Largest total of float elements a compiled network may plan for its arena and weights (default 2^31 = 8 GiB).</summary>
    public static long MaxTotalElements { get; set; } = 1L << 31;

    /// <summary>Largest number of nodes in one network (default 100,000).</summary>
    public static int MaxNodes { get; set; } = 100_000;

    /// <summary>Largest model file accepted by importers, in bytes (default 2 GiB).</summary>
    public static long MaxModelBytes { get; set; } = 2L << 30;

    /// <summary>Checks a tensor size against <see cref="MaxTensorElements"/> and returns it as an int.</summary>
    /// <exception cref="LimitExceededException">Too large.</exception>
    public static int CheckTensorElements(Shape shape, string what)
    {
        long n;
        try { n = shape.ElementCount; }
        catch (OverflowException) { throw new LimitExceededException(what, $"shape {shape} overflows 64 bits", MaxTensorElements); }
        if (n > MaxTensorElements || n > Array.MaxLength)
            throw new LimitExceededException(what, $"shape {shape} has {n:N0} elements", Math.Min(MaxTensorElements, Array.MaxLength));
        return (int)n;
    }
}
