using System.Globalization;

namespace SharpConv.Analysis;

/// <summary>
/// Number formatting shared by the summary, the lecture arithmetic and the CLI, so every surface prints the same
/// figure the same way. Invariant culture throughout: a lecture slide and a test must read alike on every machine.
/// </summary>
public static class Units
{
    /// <summary>Decimal megabytes (10⁶ bytes, as torchinfo prints them), e.g. <c>96.6 MB</c>.</summary>
    public static string Megabytes(long bytes) => bytes >= 10_000_000
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:0.0} MB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:0.###} MB");

    /// <summary>An exact count with thousands separators, e.g. <c>138,357,544</c>.</summary>
    public static string Exact(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A count in short form, e.g. <c>138.4M</c>, <c>61.7K</c>, <c>15.47G</c>.</summary>
    public static string Short(double n)
    {
        double a = Math.Abs(n);
        return a >= 1e9 ? F(n / 1e9, "0.##") + "G"
             : a >= 1e6 ? F(n / 1e6, "0.##") + "M"
             : a >= 1e3 ? F(n / 1e3, "0.#") + "K"
             : F(n, "0.##");
    }

    /// <summary>
    /// Billions with enough digits to mean something at every scale: <c>15.470</c> for VGG-16, <c>0.000417</c> for
    /// LeNet-5 (three significant digits below 0.1, where a fixed three decimals would print 0.000).
    /// </summary>
    public static string Giga(double n)
    {
        double g = n / 1e9;
        if (g == 0 || Math.Abs(g) >= 0.1) return F(g, "0.000");
        int decimals = Math.Min(12, 2 - (int)Math.Floor(Math.Log10(Math.Abs(g))));
        return g.ToString("F" + decimals, CultureInfo.InvariantCulture);
    }

    /// <summary>Bytes in the largest unit that keeps a small number: <c>40 B</c>, <c>18.8 KB</c>, <c>25.7 MB</c> (decimal units).</summary>
    public static string Bytes(long bytes) => bytes >= 1_000_000 ? Megabytes(bytes)
        : bytes >= 1_000 ? F(bytes / 1e3, "0.0") + " KB"
        : bytes + " B";

    /// <summary>A fraction in [0, 1] as a percentage with one decimal, e.g. <c>89.4 %</c>.</summary>
    public static string Percent(double fraction) => F(fraction * 100, "0.0") + " %";

    /// <summary>Formats with the invariant culture.</summary>
    public static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
