using System.Globalization;
using System.Text;
using System.Text.Json;
using SharpConv.Analysis;
using static SharpConv.Cli.Report.Svg;

namespace SharpConv.Cli.Report;

/// <summary>
/// Renders a <see cref="ReportModel"/> as one self-contained HTML file: inline CSS and SVG, pictures as <c>data:</c>
/// URIs, no script. A <c>&lt;script type="application/json" id="data"&gt;</c> block carries the numbers in machine-readable
/// form (browsers do not execute it), so a test can check that the page says what the engine computed.
/// </summary>
public static class HtmlReport
{
    private static readonly string[] LayerColours = ["#4e79a7", "#59a14f", "#f28e2b", "#e15759"];

    /// <summary>The HTML page.</summary>
    public static string Render(ReportModel m)
    {
        var families = Zoo.Zoo.All.Select(e => e.Family).Distinct().ToList();
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        sb.Append("<title>SharpConv report: where the time, the parameters and the memory go</title>");
        sb.Append("<style>").Append(Css).Append("</style></head><body>");
        sb.Append("<header><h1>Where the time, the parameters and the memory go</h1>");
        sb.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">SharpConv report, {m.Generated:yyyy-MM-dd HH:mm} UTC · {H(m.Machine)} · median of {m.Options.Runs} timed run(s) after {m.Options.Warmup} warm-up, batch 1, fast kernels</p>");
        sb.Append("<nav><a href=\"#chart\">Accuracy vs operations vs parameters</a> · <a href=\"#time\">Forward time</a> · <a href=\"#layers\">Layer by layer</a> · <a href=\"#lecture\">Worked examples</a> · <a href=\"#pictures\">Filters and feature maps</a></nav></header>");

        Chart(sb, m, families);
        Time(sb, m, families);
        Layers(sb, m);
        Lecture(sb, m);
        Pictures(sb, m);

        sb.Append("<footer><p>Conventions: 1 MAC (multiply-accumulate) = 2 FLOPs; only convolutions and fully connected layers count MACs. ")
          .Append("An activation is one float (4 bytes); “activations” sums every layer's output of one forward pass (input excluded). ")
          .Append("Parameters are the trainable ones (the published counts). Numbers come from <code>Summary.Of</code> and <code>Profiler.Run</code>; ")
          .Append("the same numbers are in the JSON block at the end of this file.</p></footer>");
        sb.Append("<script type=\"application/json\" id=\"data\">").Append(Json(m)).Append("</script>");
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    private static void Chart(StringBuilder sb, ReportModel m, IReadOnlyList<string> families)
    {
        var rows = m.Architectures.Where(a => a.Top1?.Top1 is not null).ToList();
        sb.Append("<section id=\"chart\"><h2>Top-1 accuracy vs operations vs parameters</h2>");
        sb.Append("<p>The lecture's comparison chart, recomputed: x is the engine's count of operations for one 224×224 image (299×299 for Inception v3/v4), ")
          .Append("y the published ImageNet top-1 accuracy, and the bubble's area the engine's parameter count. ")
          .Append("Read it as the lecture does: VGG sits far right with the biggest bubbles (the least efficient), GoogLeNet and its successors top-left (the most efficient), ")
          .Append("AlexNet low with a large bubble, ResNet in the balanced middle. Hover a bubble for its numbers and source.</p>");
        if (rows.Count == 0) sb.Append("<p class=\"note\">No architecture with a published top-1 was included.</p>");
        else sb.Append(Bubbles(rows, families));
        sb.Append("<table><thead><tr><th>Architecture</th><th class=\"r\">Top-1 %</th><th class=\"r\">GFLOPs</th><th class=\"r\">GMACs</th><th class=\"r\">Parameters</th>")
          .Append("<th class=\"r\">Activations</th><th class=\"r\">Peak memory</th><th class=\"r\">Measured ms</th><th>Source of the top-1</th></tr></thead><tbody>");
        foreach (var a in rows.OrderBy(a => a.Summary.Macs))
        {
            var s = a.Summary;
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{H(a.Name)}</td><td class=\"r\">{F(a.Top1!.Top1!.Value, "0.0##")}</td><td class=\"r\">{Units.Giga(2.0 * s.Macs)}</td>")
              .Append(CultureInfo.InvariantCulture, $"<td class=\"r\">{Units.Giga(s.Macs)}</td><td class=\"r\">{Units.Exact(s.TrainableParameters)}</td><td class=\"r\">{Units.Megabytes(s.ActivationBytes)}</td>")
              .Append(CultureInfo.InvariantCulture, $"<td class=\"r\">{Units.Megabytes(s.PeakActivationBytes)}</td><td class=\"r\">{(a.MeasuredMs is double ms ? Units.F(ms, "0.00") : "–")}</td>")
              .Append(CultureInfo.InvariantCulture, $"<td class=\"src\">{H(a.Top1.Source)}{(a.Top1.Note.Length > 0 ? " — " + H(a.Top1.Note) : "")}</td></tr>");
        }
        sb.Append("</tbody></table>");
        if (m.Excluded.Count > 0)
        {
            sb.Append("<details><summary>Left off the chart: ").Append(m.Excluded.Count).Append(" zoo architectures without a published ImageNet top-1</summary><ul class=\"excluded\">");
            foreach (var (name, reason) in m.Excluded) sb.Append(CultureInfo.InvariantCulture, $"<li><b>{H(name)}</b>: {H(reason)}</li>");
            sb.Append("</ul></details>");
        }
        sb.Append("<p class=\"note\">Accuracies are published figures (table <code>data/imagenet-top1.csv</code>, one source per row); SharpConv's weights are seeded random, so it cannot measure accuracy itself.</p></section>");
    }

    private static void Time(StringBuilder sb, ReportModel m, IReadOnlyList<string> families)
    {
        sb.Append("<section id=\"time\"><h2>Forward time per image on this machine</h2>");
        if (m.Details.Count == 0) { sb.Append("<p class=\"note\">No architecture was timed (pass <code>--archs</code>).</p></section>"); return; }
        sb.Append("<p>Median wall time of one forward pass at batch 1 with the compiled fast path (BatchNorm folded, activations fused, a kernel chosen per layer). ")
          .Append("The lecture quotes ≈ 200 ms for VGG-16 on its CPU; compare the ratios between networks rather than the absolute numbers across machines.</p>");
        var rows = m.Details.Select(d =>
        {
            var p = d.Profile;
            var family = Zoo.Zoo.All.FirstOrDefault(e => e.Name == d.Name)?.Family ?? "";
            return (d.Name, p.EndToEndMedianMs,
                $"{Units.F(p.EndToEndMedianMs, "0.00")} ms · {Units.F(1000 / p.EndToEndMedianMs, "0.0")} img/s · {Units.F(p.GFlops, "0.0")} GFLOP/s",
                Colour(families, family));
        }).ToList();
        sb.Append(Bars(rows, "milliseconds per image (batch 1)"));
        sb.Append("</section>");
    }

    private static void Layers(StringBuilder sb, ReportModel m)
    {
        sb.Append("<section id=\"layers\"><h2>Layer by layer: parameters, activations, compute and time</h2>");
        sb.Append("<p>Four columns per network, each bar scaled to the largest in its column. The lecture's three claims should be visible at a glance: ")
          .Append("<b>fully connected layers hold the parameters</b>, <b>early convolutions hold the activations</b>, <b>convolutions hold the compute</b>. Time mostly follows the compute, except where a layer waits on memory rather than arithmetic: ")
          .Append("at batch 1 a fully connected layer reads each of its weights once for one multiply-add, so it takes far more time than its MACs suggest. ")
          .Append("Greyed names ran fused into the step before them (ReLU, folded BatchNorm) or were removed at compile time (Dropout), so their time is counted in that step. ")
          .Append("Very deep networks are drawn by stage.</p>");
        foreach (var d in m.Details)
        {
            var s = d.Summary;
            sb.Append(CultureInfo.InvariantCulture, $"<h3 id=\"arch-{H(d.Name)}\">{H(d.Name)}</h3><p class=\"meta\">{H(d.Description)}</p>");
            sb.Append(CultureInfo.InvariantCulture, $"<p class=\"where\">{H(d.Where.Answer)}</p>");
            var times = d.LayerMs;
            double timeTotal = d.Profile.LayerSumMs;
            string[] heads = ["Parameters", "Activations (bytes)", "MACs", "Measured time"];
            string[] totals =
            [
                $"{Units.Exact(s.TrainableParameters)} in all", $"{Units.Megabytes(s.ActivationBytes)} in all",
                $"{Units.Exact(s.Macs)} in all", $"{Units.F(timeTotal, "0.00")} ms (sum of medians)",
            ];
            List<LayerBar> bars;
            if (s.Layers.Count <= 90)
                bars = s.Layers.Select(l => new LayerBar(l.Name, l.Kind,
                    [l.Parameters, l.ActivationBytes, l.Macs, times[l.Name]],
                    [Units.Exact(l.Parameters), Units.Bytes(l.ActivationBytes), Units.Exact(l.Macs), $"{Units.F(times[l.Name], "0.000")} ms"],
                    !d.HasOwnStep(l.Name))).ToList();
            else
                bars = s.ByStage.Select(g =>
                {
                    double ms = s.Layers.Where(l => l.Stage == g.Key).Sum(l => times[l.Name]);
                    return new LayerBar($"{g.Key} ({g.Layers} layers)", "stage", [g.Parameters, g.ActivationBytes, g.Macs, ms],
                        [Units.Exact(g.Parameters), Units.Bytes(g.ActivationBytes), Units.Exact(g.Macs), $"{Units.F(ms, "0.000")} ms"], false);
                }).ToList();
            sb.Append("<div class=\"scroll\">").Append(LayerColumns(bars, heads, totals, LayerColours)).Append("</div>");

            // The same story in one small table: each layer kind's share of the four quantities.
            sb.Append("<table class=\"shares\"><thead><tr><th>Layer kind</th><th class=\"r\">Layers</th><th class=\"r\">% parameters</th><th class=\"r\">% activations</th><th class=\"r\">% MACs</th><th class=\"r\">% time</th></tr></thead><tbody>");
            foreach (var k in s.ByKind)
            {
                double ms = s.Layers.Where(l => l.Kind == k.Key).Sum(l => times[l.Name]);
                sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{H(k.Key)}</td><td class=\"r\">{k.Layers}</td>{Share(k.ParameterShare)}{Share(k.ActivationShare)}{Share(k.MacShare)}{Share(timeTotal > 0 ? ms / timeTotal : 0)}</tr>");
            }
            sb.Append("</tbody></table>");
            if (d.UnattributedMs > 0)
                sb.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">{Units.F(d.UnattributedMs, "0.000")} ms ran in compiled steps that match no layer of the summary.</p>");
        }
        sb.Append("</section>");
    }

    private static string Share(double f) => f >= 0.5 ? $"<td class=\"r big\">{Units.Percent(f)}</td>" : $"<td class=\"r\">{Units.Percent(f)}</td>";

    private static void Lecture(StringBuilder sb, ReportModel m)
    {
        sb.Append("<section id=\"lecture\"><h2>The lecture's worked examples, computed by the engine</h2>");
        sb.Append("<p>Each number below is computed from layers and networks the engine builds (<code>Lecture.*</code>, also <code>sharpconv explain</code>); where the lecture's own figure is wrong, the correction says so.</p>");
        foreach (var r in m.Lecture)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<div class=\"card\" id=\"lecture-{H(r.Topic)}\"><h3>{H(r.Title)} <span class=\"topic\">{H(r.Topic)}</span></h3>");
            sb.Append("<pre>").Append(H(r.Derivation)).Append("</pre>");
            sb.Append(CultureInfo.InvariantCulture, $"<p class=\"answer\">→ {H(r.Answer)}</p>");
            if (r.Correction is not null) sb.Append(CultureInfo.InvariantCulture, $"<p class=\"correction\">⚠ Correction: {H(r.Correction)}</p>");
            sb.Append("</div>");
        }
        sb.Append("</section>");
    }

    private static void Pictures(StringBuilder sb, ReportModel m)
    {
        sb.Append("<section id=\"pictures\"><h2>What the first layer looks for, and what a layer sees</h2>");
        sb.Append("<p>After Zeiler &amp; Fergus (ZFNet, 2013): the first convolution's filters drawn as images (each contrast-stretched on its own), ")
          .Append("and the feature maps one layer produces for one photo, one grey tile per channel.</p>");
        sb.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">{H(m.PicturesNote)}</p><div class=\"pictures\">");
        foreach (var p in m.Pictures)
            sb.Append(CultureInfo.InvariantCulture, $"<figure><img src=\"{p.DataUri}\" width=\"{p.Width}\" height=\"{p.Height}\" alt=\"{H(p.Caption)}\"><figcaption>{H(p.Caption)}</figcaption></figure>");
        sb.Append("</div></section>");
    }

    /// <summary>The machine-readable block: per-architecture totals exactly as <see cref="Summary.Of"/> computed them.</summary>
    public static string Json(ReportModel m)
    {
        using var stream = new MemoryStream();
        // The default encoder escapes <, > and &, so the JSON cannot close its own <script> element.
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("generated", m.Generated.ToString("O", CultureInfo.InvariantCulture));
            w.WriteString("machine", m.Machine);
            w.WriteString("flopConvention", "1 MAC = 2 FLOPs");
            w.WriteNumber("runs", m.Options.Runs);
            w.WriteNumber("threads", m.Options.Threads);
            w.WriteStartArray("architectures");
            foreach (var a in m.Architectures)
            {
                var s = a.Summary;
                w.WriteStartObject();
                w.WriteString("name", a.Name); w.WriteString("family", a.Family);
                w.WriteNumber("batch", s.Batch);
                w.WriteNumber("parameters", s.TrainableParameters); w.WriteNumber("buffers", s.Buffers);
                w.WriteNumber("macs", s.Macs); w.WriteNumber("gflops", s.GFlops);
                w.WriteNumber("activationBytes", s.ActivationBytes); w.WriteNumber("peakActivationBytes", s.PeakActivationBytes);
                w.WriteNumber("layers", s.Layers.Count);
                if (a.Top1?.Top1 is double t) { w.WriteNumber("top1", t); w.WriteString("top1Source", a.Top1.Source); }
                else w.WriteNull("top1");
                if (a.MeasuredMs is double ms) w.WriteNumber("measuredMs", ms); else w.WriteNull("measuredMs");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("excluded");
            foreach (var (name, reason) in m.Excluded) { w.WriteStartObject(); w.WriteString("name", name); w.WriteString("reason", reason); w.WriteEndObject(); }
            w.WriteEndArray();
            w.WriteStartObject("timed");
            foreach (var d in m.Details)
            {
                w.WriteStartObject(d.Name);
                w.WriteNumber("endToEndMedianMs", d.Profile.EndToEndMedianMs);
                w.WriteNumber("layerSumMs", d.Profile.LayerSumMs);
                w.WriteStartArray("layers");
                foreach (var l in d.Summary.Layers)
                {
                    w.WriteStartObject();
                    w.WriteString("name", l.Name); w.WriteString("kind", l.Kind);
                    w.WriteNumber("parameters", l.Parameters); w.WriteNumber("activationBytes", l.ActivationBytes); w.WriteNumber("macs", l.Macs);
                    w.WriteNumber("ms", d.LayerMs[l.Name]);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteStartArray("lecture");
            foreach (var r in m.Lecture) { w.WriteStartObject(); w.WriteString("topic", r.Topic); w.WriteString("title", r.Title); w.WriteString("answer", r.Answer); w.WriteEndObject(); }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private const string Css = """
        :root { --ink: #1f2328; --muted: #59636e; --line: #d0d7de; --bg: #ffffff; --card: #f6f8fa; --warn: #9a6700; --warnbg: #fff8c5; }
        * { box-sizing: border-box; }
        body { font: 15px/1.5 -apple-system, "Segoe UI", "DejaVu Sans", Helvetica, Arial, sans-serif; color: var(--ink); background: var(--bg); margin: 0 auto; max-width: 1240px; padding: 24px 32px 48px; }
        h1 { font-size: 28px; margin: 0 0 4px; } h2 { font-size: 22px; margin: 36px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
        h3 { font-size: 17px; margin: 24px 0 4px; } .meta { color: var(--muted); font-size: 13px; margin: 2px 0 8px; }
        nav { font-size: 14px; } nav a { color: #0969da; text-decoration: none; }
        table { border-collapse: collapse; margin: 12px 0; font-size: 13px; } th, td { border-bottom: 1px solid var(--line); padding: 3px 10px; text-align: left; vertical-align: top; }
        th { background: var(--card); } td.r, th.r { text-align: right; font-variant-numeric: tabular-nums; } td.big { font-weight: 700; } td.src { color: var(--muted); font-size: 12px; }
        .note { color: var(--muted); font-size: 13px; } .where { font-weight: 600; }
        .scroll { overflow-x: auto; } svg.chart { max-width: 100%; height: auto; display: block; margin: 8px 0; }
        svg text { font-family: inherit; } .tick { font-size: 11px; fill: var(--muted); } .label { font-size: 13px; fill: var(--ink); }
        .blabel { font-size: 10.5px; fill: var(--ink); } .colhead { font-size: 13px; font-weight: 700; fill: var(--ink); }
        .lname { font-size: 10px; fill: var(--ink); } .lname.dim { fill: #8c959f; }
        .grid { stroke: #eaeef2; stroke-width: 1; } .axis { stroke: #8c959f; stroke-width: 1; } .stripe { fill: #f6f8fa; }
        .bubble { fill-opacity: .55; stroke: #1f2328; stroke-opacity: .5; stroke-width: .8; } .sizekey { fill: none; stroke: #8c959f; } .leader { stroke: #8c959f; stroke-width: .6; }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 8px 16px; margin: 12px 0; }
        .card h3 { margin-top: 6px; } .topic { font-size: 12px; color: var(--muted); font-weight: 400; margin-left: 6px; }
        pre { font: 12.5px/1.45 "DejaVu Sans Mono", Menlo, Consolas, monospace; white-space: pre-wrap; margin: 6px 0; }
        .answer { font-weight: 700; color: #1a7f37; margin: 4px 0; } .correction { background: var(--warnbg); color: var(--warn); border-radius: 4px; padding: 6px 10px; }
        .pictures { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; } figure { margin: 0; } figure img { image-rendering: pixelated; border: 1px solid var(--line); max-width: 100%; height: auto; }
        figcaption { font-size: 12px; color: var(--muted); max-width: 480px; } ul.excluded { font-size: 13px; columns: 2; }
        footer { margin-top: 40px; font-size: 12px; color: var(--muted); border-top: 1px solid var(--line); }
        """;
}
