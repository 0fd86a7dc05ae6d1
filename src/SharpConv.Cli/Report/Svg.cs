using System.Globalization;
using System.Net;
using System.Text;
using SharpConv.Analysis;

namespace SharpConv.Cli.Report;

/// <summary>
/// The report's charts as inline SVG, drawn by hand: no script, no library, so the file opens anywhere and prints.
/// Native <c>&lt;title&gt;</c> elements give hover tooltips with the exact numbers.
/// </summary>
internal static class Svg
{
    /// <summary>Colours by family: the lecture's story reads left to right in time, so neighbours get distinct hues.</summary>
    private static readonly string[] Palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

    public static string Colour(IReadOnlyList<string> families, string family) => Palette[Math.Max(0, IndexOf(families, family)) % Palette.Length];

    private static int IndexOf(IReadOnlyList<string> list, string s) { for (int i = 0; i < list.Count; i++) if (list[i] == s) return i; return -1; }

    internal static string F(double v, string format = "0.##") => v.ToString(format, CultureInfo.InvariantCulture);

    internal static string H(string s) => WebUtility.HtmlEncode(s);

    /// <summary>A "nice" axis maximum: 1, 2 or 5 times a power of ten, at or above <paramref name="v"/>.</summary>
    private static double NiceCeiling(double v)
    {
        if (v <= 0) return 1;
        double p = Math.Pow(10, Math.Floor(Math.Log10(v)));
        foreach (double m in (double[])[1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
        return 10 * p;
    }

    /// <summary>
    /// The lecture's comparison chart (after Canziani, Paszke &amp; Culurciello 2016): x = GFLOPs per image (1 MAC = 2 FLOPs),
    /// y = published top-1, bubble area proportional to parameters.
    /// </summary>
    public static string Bubbles(IReadOnlyList<ArchTotals> rows, IReadOnlyList<string> families)
    {
        const int W = 1000, Hh = 560, L = 70, R = 190, T = 20, B = 60;
        double xMax = NiceCeiling(rows.Max(r => r.Summary.GFlops) * 1.05);
        double yLo = Math.Floor(rows.Min(r => r.Top1!.Top1!.Value) / 5) * 5 - 2.5, yHi = Math.Ceiling(rows.Max(r => r.Top1!.Top1!.Value) / 5) * 5 + 2.5;
        double pMax = rows.Max(r => (double)r.Summary.TrainableParameters);
        const double rMax = 38;
        double X(double g) => L + g / xMax * (W - L - R);
        double Y(double a) => T + (yHi - a) / (yHi - yLo) * (Hh - T - B);
        double Rad(long p) => Math.Max(2.5, rMax * Math.Sqrt(p / pMax));
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" viewBox=\"0 0 {W} {Hh}\" width=\"{W}\" height=\"{Hh}\" role=\"img\" aria-label=\"top-1 accuracy against GFLOPs, bubble area = parameters\">");
        // Grid and axes.
        for (int i = 0; i <= 10; i++)
        {
            double g = xMax * i / 10;
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(X(g))}\" y1=\"{T}\" x2=\"{F(X(g))}\" y2=\"{Hh - B}\" class=\"grid\"/><text x=\"{F(X(g))}\" y=\"{Hh - B + 18}\" class=\"tick\" text-anchor=\"middle\">{F(g)}</text>");
        }
        for (double a = Math.Ceiling(yLo / 5) * 5; a <= yHi; a += 5)
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{L}\" y1=\"{F(Y(a))}\" x2=\"{W - R}\" y2=\"{F(Y(a))}\" class=\"grid\"/><text x=\"{L - 8}\" y=\"{F(Y(a) + 4)}\" class=\"tick\" text-anchor=\"end\">{F(a)} %</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{L}\" y1=\"{Hh - B}\" x2=\"{W - R}\" y2=\"{Hh - B}\" class=\"axis\"/><line x1=\"{L}\" y1=\"{T}\" x2=\"{L}\" y2=\"{Hh - B}\" class=\"axis\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{(L + W - R) / 2}\" y=\"{Hh - 14}\" text-anchor=\"middle\" class=\"label\">operations per image [GFLOPs, 1 MAC = 2 FLOPs]</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(18 {(T + Hh - B) / 2}) rotate(-90)\" text-anchor=\"middle\" class=\"label\">published top-1 accuracy [%]</text>");
        // Largest bubbles first so small ones stay visible on top.
        foreach (var r in rows.OrderByDescending(r => r.Summary.TrainableParameters))
        {
            double x = X(r.Summary.GFlops), y = Y(r.Top1!.Top1!.Value), rad = Rad(r.Summary.TrainableParameters);
            string tip = $"{r.Name}: top-1 {F(r.Top1.Top1.Value, "0.0##")} %, {Units.Giga(2.0 * r.Summary.Macs)} GFLOPs, {Units.Exact(r.Summary.TrainableParameters)} parameters ({r.Top1.Source})";
            sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(x)}\" cy=\"{F(y)}\" r=\"{F(rad)}\" fill=\"{Colour(families, r.Family)}\" class=\"bubble\"><title>{H(tip)}</title></circle>");
        }
        // Labels: VGG-11, VGG-11-BN and VGG-A-LRN share an x; place each label greedily where it hits no earlier one,
        // trying right of the point first, then further up or down, then left, with a leader line when moved.
        var placed = new List<(double X0, double Y0, double X1, double Y1)>();
        foreach (var r in rows.OrderBy(r => r.Summary.GFlops).ThenByDescending(r => r.Top1!.Top1!.Value))
        {
            double x = X(r.Summary.GFlops), y = Y(r.Top1!.Top1!.Value);
            double w = 6.2 * r.Name.Length, h = 11;
            (double Lx, double Ly)? best = null;
            foreach (int side in (int[])[1, -1])
            {
                foreach (int dy in (int[])[0, -12, 12, -24, 24, -36, 36, -48, 48])
                {
                    double tx = side > 0 ? x + 6 : x - 6 - w, ty = y + 3 + dy;
                    var box = (tx - 1, ty - h + 2, tx + w + 1, ty + 3);
                    if (tx < L || tx + w > W - R + 4 || placed.Any(b => b.X0 < box.Item3 && box.Item1 < b.X1 && b.Y0 < box.Item4 && box.Item2 < b.Y1)) continue;
                    best = (tx, ty); placed.Add(box); break;
                }
                if (best is not null) break;
            }
            var (bx, by) = best ?? (x + 6, y + 3);
            if (Math.Abs(by - (y + 3)) > 1)
                sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(x)}\" y1=\"{F(y)}\" x2=\"{F(bx < x ? bx + w : bx)}\" y2=\"{F(by - 4)}\" class=\"leader\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(bx)}\" y=\"{F(by)}\" class=\"blabel\">{H(r.Name)}</text><circle cx=\"{F(x)}\" cy=\"{F(y)}\" r=\"1.5\" fill=\"#222\"/>");
        }
        // Legend: families, then bubble sizes.
        int ly = T + 10;
        foreach (var fam in families.Where(f => rows.Any(r => r.Family == f)))
        {
            sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{W - R + 24}\" cy=\"{ly}\" r=\"6\" fill=\"{Colour(families, fam)}\" class=\"bubble\"/><text x=\"{W - R + 36}\" y=\"{ly + 4}\" class=\"tick\">{H(fam)}</text>");
            ly += 20;
        }
        ly += 14;
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{W - R + 18}\" y=\"{ly}\" class=\"tick\">area = parameters</text>");
        ly += 12;
        foreach (long p in (long[])[5_000_000, 50_000_000, 150_000_000])
        {
            double rad = Rad(p);
            ly += (int)rad + 4;
            sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(W - R + 18 + rMax / 2)}\" cy=\"{ly}\" r=\"{F(rad)}\" class=\"sizekey\"/><text x=\"{F(W - R + 24 + rMax)}\" y=\"{ly + 4}\" class=\"tick\">{Units.Short(p)}</text>");
            ly += (int)rad + 4;
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    /// <summary>Horizontal bars: one labelled value per row, scaled to the largest.</summary>
    public static string Bars(IReadOnlyList<(string Label, double Value, string Text, string Colour)> rows, string unit)
    {
        const int W = 1000, Row = 24, L = 170, R = 230;
        int h = rows.Count * Row + 30;
        double max = Math.Max(1e-12, rows.Max(r => r.Value));
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" viewBox=\"0 0 {W} {h}\" width=\"{W}\" height=\"{h}\" role=\"img\" aria-label=\"{H(unit)}\">");
        for (int i = 0; i < rows.Count; i++)
        {
            var (label, value, text, colour) = rows[i];
            double y = 10 + i * Row, w = value / max * (W - L - R);
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{L - 8}\" y=\"{F(y + 15)}\" text-anchor=\"end\" class=\"tick\">{H(label)}</text>");
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{L}\" y=\"{F(y + 3)}\" width=\"{F(Math.Max(1, w))}\" height=\"{Row - 8}\" fill=\"{colour}\"><title>{H(label + ": " + text)}</title></rect>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(L + w + 6)}\" y=\"{F(y + 15)}\" class=\"tick\">{H(text)}</text>");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{L}\" y=\"{h - 4}\" class=\"tick\">{H(unit)}</text></svg>");
        return sb.ToString();
    }

    /// <summary>One row of the side-by-side layer chart.</summary>
    public sealed record LayerBar(string Label, string Kind, double[] Values, string[] Texts, bool Dimmed);

    /// <summary>
    /// Side-by-side bars, one column per quantity (parameters, activations, MACs, time), each scaled to its own column's
    /// largest value, so the shape of each column shows where that quantity lives.
    /// </summary>
    public static string LayerColumns(IReadOnlyList<LayerBar> rows, IReadOnlyList<string> columns, IReadOnlyList<string> totals, IReadOnlyList<string> colours)
    {
        int n = columns.Count;
        const int L = 210, ColW = 190, Gap = 14, Row = 13, Top = 40;
        int W = L + n * (ColW + Gap), h = Top + rows.Count * Row + 8;
        var max = new double[n];
        for (int c = 0; c < n; c++) max[c] = Math.Max(1e-12, rows.Count == 0 ? 0 : rows.Max(r => r.Values[c]));
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart layers\" viewBox=\"0 0 {W} {h}\" width=\"{W}\" height=\"{h}\" role=\"img\" aria-label=\"per-layer parameters, activations, MACs and time\">");
        for (int c = 0; c < n; c++)
        {
            int x0 = L + c * (ColW + Gap);
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x0}\" y=\"14\" class=\"colhead\">{H(columns[c])}</text><text x=\"{x0}\" y=\"30\" class=\"tick\">{H(totals[c])}</text>");
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x0}\" y1=\"{Top - 4}\" x2=\"{x0}\" y2=\"{h - 4}\" class=\"axis\"/>");
        }
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            double y = Top + i * Row;
            if (i % 2 == 1) sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"0\" y=\"{F(y)}\" width=\"{W}\" height=\"{Row}\" class=\"stripe\"/>");
            string label = r.Label.Length > 30 ? "…" + r.Label[^29..] : r.Label;
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{L - 6}\" y=\"{F(y + 10)}\" text-anchor=\"end\" class=\"lname{(r.Dimmed ? " dim" : "")}\">{H(label)}<title>{H(r.Label + " (" + r.Kind + ")")}</title></text>");
            for (int c = 0; c < n; c++)
            {
                double w = r.Values[c] / max[c] * ColW;
                if (w <= 0) continue;
                sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{L + c * (ColW + Gap)}\" y=\"{F(y + 2)}\" width=\"{F(Math.Max(0.8, w))}\" height=\"{Row - 3}\" fill=\"{colours[c]}\"><title>{H($"{r.Label} — {columns[c]}: {r.Texts[c]}")}</title></rect>");
            }
        }
        sb.Append("</svg>");
        return sb.ToString();
    }
}
