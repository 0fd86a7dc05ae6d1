using System.Globalization;
using System.Reflection;
using System.Text;

namespace SharpConv.Cli.Report;

/// <summary>One row of <c>data/imagenet-top1.csv</c>: a zoo architecture's published ImageNet top-1, or why it has none.</summary>
/// <param name="Arch">Zoo name.</param>
/// <param name="Top1">Top-1 accuracy in percent, or null when none is published.</param>
/// <param name="Source">Where the number is printed (paper and table, or torchvision weights).</param>
/// <param name="Note">What exactly was measured, or why there is no number.</param>
public sealed record Top1Entry(string Arch, double? Top1, string Source, string Note);

/// <summary>
/// The published accuracies the comparison chart plots. They are data, not code: <c>data/imagenet-top1.csv</c>, with
/// a source per row, embedded in the tool so a report can be made from any directory.
/// </summary>
public static class ImageNetTop1
{
    private static readonly Lazy<IReadOnlyList<Top1Entry>> Embedded = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("imagenet-top1.csv")
            ?? throw new InvalidOperationException("imagenet-top1.csv is not embedded in the CLI assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return Parse(reader.ReadToEnd());
    });

    /// <summary>Every row of the embedded table.</summary>
    public static IReadOnlyList<Top1Entry> All => Embedded.Value;

    /// <summary>The row of <paramref name="arch"/>, or null.</summary>
    public static Top1Entry? Find(string arch) => All.FirstOrDefault(e => string.Equals(e.Arch, arch, StringComparison.OrdinalIgnoreCase));

    /// <summary>Parses the CSV: <c>#</c> comment lines, a header, then <c>arch,top1,source,note</c> with RFC 4180 quoting.</summary>
    /// <exception cref="FormatException">A row has the wrong number of fields or an unreadable accuracy.</exception>
    public static IReadOnlyList<Top1Entry> Parse(string text)
    {
        var rows = new List<Top1Entry>();
        bool header = true;
        int lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            string line = raw.TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (header) { header = false; continue; }
            var f = SplitCsv(line);
            if (f.Count != 4) throw new FormatException($"imagenet-top1.csv line {lineNo}: expected 4 fields (arch,top1,source,note), found {f.Count}.");
            double? top1 = null;
            if (f[1].Length > 0)
            {
                if (!double.TryParse(f[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || v <= 0 || v > 100)
                    throw new FormatException($"imagenet-top1.csv line {lineNo}: top1 '{f[1]}' is not a percentage.");
                top1 = v;
            }
            rows.Add(new Top1Entry(f[0], top1, f[2], f[3]));
        }
        return rows;
    }

    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else sb.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(sb.ToString()); sb.Clear(); }
            else sb.Append(c);
        }
        fields.Add(sb.ToString());
        return fields;
    }
}
