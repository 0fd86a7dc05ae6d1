namespace SharpConv;

/// <summary>
/// A small, fast, platform-independent generator (SplitMix64) so that seeded weights and inputs are
/// identical on every machine and .NET version — <see cref="Random"/> makes no such promise.
/// </summary>
public struct SeededRandom
{
    private ulong _state;

    /// <summary>Starts the sequence for <paramref name="seed"/>.</summary>
    public SeededRandom(ulong seed) => _state = seed ^ 0x9E3779B97F4A7C15UL;

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Fills with uniform values in [low, high).</summary>
    public void FillUniform(Span<float> target, float low, float high)
    {
        for (int i = 0; i < target.Length; i++) target[i] = (float)(low + (high - low) * NextDouble());
    }

    /// <summary>Fills with normal values (Box–Muller, both outputs used).</summary>
    public void FillNormal(Span<float> target, float mean, float std)
    {
        int i = 0;
        while (i < target.Length)
        {
            double u1 = 1.0 - NextDouble(), u2 = NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            target[i++] = (float)(mean + std * r * Math.Cos(2 * Math.PI * u2));
            if (i < target.Length) target[i++] = (float)(mean + std * r * Math.Sin(2 * Math.PI * u2));
        }
    }

    /// <summary>A stable 32-bit hash of a string (FNV-1a), for deriving per-layer seeds from names.</summary>
    public static int StableHash(string s)
    {
        uint h = 2166136261;
        foreach (char ch in s) { h ^= ch; h *= 16777619; }
        return (int)h;
    }
}
