using System.Text;

namespace SharpConv.Analysis;

/// <summary>The plain fixed-width rendering of a <see cref="Summary"/> (what <see cref="Summary.ToText"/> returns).</summary>
internal static class SummaryText
{
    public static string Render(Summary s)
    {
        var sb = new StringBuilder();
        string[] header = ["Layer (type)", "Hyper-parameters", "Output shape", "Params", "MACs", "Act. bytes"];
        var rows = s.Layers.Select(l => new[]
        {
            $"{l.Name} ({l.Kind})", l.HyperParameters, l.OutputShape.ToString(),
            Units.Exact(l.Parameters), Units.Exact(l.Macs), Units.Exact(l.ActivationBytes),
        }).ToList();
        // Hyper-parameter strings of imported models can be long; cap the column so the table stays readable.
        var widths = header.Select((h, i) => Math.Min(i == 1 ? 28 : 60, Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length)))).ToArray();
        string Line(string[] cells) => string.Join("  ", cells.Select((c, i) =>
        {
            string t = c.Length > widths[i] ? c[..(widths[i] - 1)] + "…" : c;
            return i >= 3 ? t.PadLeft(widths[i]) : t.PadRight(widths[i]);
        })).TrimEnd();
        int total = widths.Sum() + 2 * (widths.Length - 1);
        string rule = new('=', total), thin = new('-', total);

        sb.AppendLine($"{s.Network}  (batch {s.Batch}, input {s.InputShape})");
        sb.AppendLine(rule).AppendLine(Line(header)).AppendLine(rule);
        foreach (var r in rows) sb.AppendLine(Line(r));
        sb.AppendLine(rule);
        sb.AppendLine($"Trainable params:        {Units.Exact(s.TrainableParameters)}");
        sb.AppendLine($"Non-trainable buffers:   {Units.Exact(s.Buffers)}");
        sb.AppendLine($"Total mult-adds (MACs):  {Units.Exact(s.Macs)}  = {Units.Giga(s.Macs)} GMACs = {Units.Giga(2.0 * s.Macs)} GFLOPs (1 MAC = 2 FLOPs)");
        sb.AppendLine(thin);
        sb.AppendLine($"Input size:              {Units.Megabytes(s.InputBytes)}");
        sb.AppendLine($"Forward activations:     {Units.Megabytes(s.ActivationBytes)}  (sum of every layer output, 4 bytes/float)");
        sb.AppendLine($"Peak activation memory:  {Units.Megabytes(s.PeakActivationBytes)}  (liveness-planned arena, input included)");
        sb.AppendLine($"Params size:             {Units.Megabytes(s.ParameterBytes)}");
        sb.AppendLine(thin);
        sb.AppendLine("By layer kind            layers    params %   activations %   MACs %");
        foreach (var k in s.ByKind)
            sb.AppendLine($"  {k.Key,-22} {k.Layers,6}  {Units.Percent(k.ParameterShare),10}  {Units.Percent(k.ActivationShare),14}  {Units.Percent(k.MacShare),7}");
        sb.AppendLine(rule);
        return sb.ToString();
    }
}
