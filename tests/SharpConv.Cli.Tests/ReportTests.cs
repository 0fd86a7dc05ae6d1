using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using SharpConv.Analysis;
using SharpConv.Cli.Report;
using Xunit.Abstractions;

namespace SharpConv.Cli.Tests;

/// <summary>Makes one small report (one timed network, one run) for all the report tests: it takes a few seconds.</summary>
public sealed class ReportFixture
{
    public ReportFixture()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("sharpconv-report").FullName;
        Path = System.IO.Path.Combine(Directory, "report.html");
        var writer = new StringWriter();
        var clock = Stopwatch.StartNew();
        Code = Program.Run(["report", "--archs", "squeezenet1_1", "--runs", "1", "--warmup", "0", "--threads", "2", "--out", Path], writer);
        Seconds = clock.Elapsed.TotalSeconds;
        Output = writer.ToString();
        Html = File.Exists(Path) ? File.ReadAllText(Path) : "";
    }

    public string Directory { get; }
    public string Path { get; }
    public int Code { get; }
    public string Output { get; }
    public string Html { get; }
    public double Seconds { get; }

    /// <summary>The machine-readable block the report embeds.</summary>
    public JsonDocument Data()
    {
        var m = Regex.Match(Html, "<script type=\"application/json\" id=\"data\">(.*?)</script>", RegexOptions.Singleline);
        Assert.True(m.Success, "the report has no <script type=\"application/json\" id=\"data\"> block");
        return JsonDocument.Parse(m.Groups[1].Value);
    }
}

public class ReportTests(ReportFixture report, ITestOutputHelper log) : IClassFixture<ReportFixture>
{
    [Fact]
    public void ReportIsWritten()
    {
        log.WriteLine($"report made in {report.Seconds:0.0} s, {report.Html.Length:N0} characters");
        Assert.True(report.Code == 0, report.Output);
        Assert.Contains("report written to", report.Output);
        Assert.Contains("timing squeezenet1_1", report.Output); // plain progress lines when not interactive
        Assert.StartsWith("<!DOCTYPE html>", report.Html);
    }

    [Fact]
    public void NumbersEqualTheSummary()
    {
        using var data = report.Data();
        var archs = data.RootElement.GetProperty("architectures").EnumerateArray().ToList();
        // Every zoo architecture with a published top-1 is on the chart, and nothing else (only squeezenet1_1 was timed, and it has one).
        var expected = Zoo.Zoo.All.Where(e => ImageNetTop1.Find(e.Name)?.Top1 is not null).Select(e => e.Name).ToList();
        Assert.Equal(expected, archs.Select(a => a.GetProperty("name").GetString()));
        foreach (var a in archs)
        {
            string name = a.GetProperty("name").GetString()!;
            var s = Summary.Of(Zoo.Zoo.Build(name), 1);
            Assert.Equal(s.TrainableParameters, a.GetProperty("parameters").GetInt64());
            Assert.Equal(s.Buffers, a.GetProperty("buffers").GetInt64());
            Assert.Equal(s.Macs, a.GetProperty("macs").GetInt64());
            Assert.Equal(s.GFlops, a.GetProperty("gflops").GetDouble(), 12);
            Assert.Equal(s.ActivationBytes, a.GetProperty("activationBytes").GetInt64());
            Assert.Equal(s.PeakActivationBytes, a.GetProperty("peakActivationBytes").GetInt64());
            Assert.Equal(ImageNetTop1.Find(name)!.Top1!.Value, a.GetProperty("top1").GetDouble());
            // The visible table says the same as the data block.
            Assert.Contains($"<td>{name}</td>", report.Html);
            Assert.Contains($"<td class=\"r\">{Units.Exact(s.TrainableParameters)}</td>", report.Html);
            Assert.Contains($"<td class=\"r\">{Units.Giga(2.0 * s.Macs)}</td>", report.Html);
        }
        var timed = archs.Single(a => a.GetProperty("name").GetString() == "squeezenet1_1");
        Assert.True(timed.GetProperty("measuredMs").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Null, archs.First(a => a.GetProperty("name").GetString() == "vgg16").GetProperty("measuredMs").ValueKind);

        // The per-layer bars carry the summary's layers one for one.
        var layers = data.RootElement.GetProperty("timed").GetProperty("squeezenet1_1").GetProperty("layers").EnumerateArray().ToList();
        var sq = Summary.Of(Zoo.Zoo.Build("squeezenet1_1"), 1);
        Assert.Equal(sq.Layers.Select(l => l.Name), layers.Select(l => l.GetProperty("name").GetString()));
        Assert.Equal(sq.Layers.Select(l => l.Macs), layers.Select(l => l.GetProperty("macs").GetInt64()));
        Assert.Equal(sq.Layers.Select(l => l.ActivationBytes), layers.Select(l => l.GetProperty("activationBytes").GetInt64()));
    }

    [Fact]
    public void ArchitecturesWithoutATop1AreNamedNotPlotted()
    {
        using var data = report.Data();
        var excluded = data.RootElement.GetProperty("excluded").EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList();
        Assert.Contains("cifar-resnet20", excluded);
        Assert.Contains("lenet5", excluded);
        Assert.Contains("nin", excluded);
        Assert.Contains("Left off the chart", report.Html);
        Assert.Contains("CIFAR-10 network", report.Html);
    }

    [Fact]
    public void LectureExamplesAndPicturesAreIn()
    {
        Assert.Contains("271,351,808", report.Html);          // the reduced Inception module, computed
        Assert.Contains("358M", report.Html);                 // … and the lecture's figure it corrects
        Assert.Contains("Correction", report.Html);
        Assert.Contains("51,380,224", report.Html);           // GAP vs FC on 7×7×1024
        Assert.Contains("294,912 vs 409,600", report.Html);   // two 3×3 vs one 5×5 at C = 128
        Assert.Contains("Forward-pass activation memory of vgg16", report.Html);
        Assert.Equal(3, Regex.Matches(report.Html, "src=\"data:image/png;base64,").Count);
    }

    [Fact]
    public void ReportIsSelfContained()
    {
        // No external stylesheet, script, image or font: the file must open offline and be mailed as is.
        Assert.DoesNotMatch(new Regex("(src|href)=\"(https?:)?//", RegexOptions.IgnoreCase), report.Html);
        Assert.DoesNotContain("<link", report.Html);
        Assert.DoesNotMatch(new Regex("<script(?![^>]*application/json)", RegexOptions.IgnoreCase), report.Html);
        Assert.DoesNotContain("@import", report.Html);
    }

    /// <summary>
    /// The report opens in headless Chromium without console errors, and a screenshot comes out. Chromium is part of the
    /// CI image (<c>.ci/run</c> installs it): a machine without it fails this test rather than skipping it.
    /// </summary>
    [Fact]
    public void RendersInHeadlessChromiumWithoutConsoleErrors()
    {
        string chromium = Chromium.Find() ?? throw new Xunit.Sdk.XunitException(
            "chromium not found on PATH: install it (apt-get install -y chromium; .ci/run does so) to render the report.");
        string shot = Path.Combine(report.Directory, "report.png");
        var (exit, stderr, seconds) = Chromium.Screenshot(chromium, report.Path, shot, 1400, 3000);
        log.WriteLine($"chromium took {seconds:0.0} s");
        var errors = Chromium.ConsoleErrors(stderr);
        Assert.True(errors.Count == 0, "console errors:\n" + string.Join("\n", errors));
        Assert.True(exit == 0, $"chromium exited with {exit}:\n{stderr}");
        Assert.True(File.Exists(shot), "no screenshot written:\n" + stderr);
        var png = File.ReadAllBytes(shot);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Equal(1400, PngSize(png).Width);
        Assert.True(png.Length > 50_000, $"a {png.Length}-byte screenshot is too small to show the report");
    }

    internal static (int Width, int Height) PngSize(byte[] png) =>
        ((png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19], (png[20] << 24) | (png[21] << 16) | (png[22] << 8) | png[23]);

    [Fact]
    public void CancellingStopsTheReport()
    {
        using var cts = new CancellationTokenSource();
        var options = new ReportOptions { Archs = ["lenet5"], Runs = 1, Warmup = 0, Threads = 1, PicturesModel = null };
        // Cancel as the first step starts, as Ctrl+C would: the builder must stop at its next check.
        Assert.ThrowsAny<OperationCanceledException>(() => ReportBuilder.Build(options, (_, _, _) => cts.Cancel(), cts.Token));
    }

    [Fact]
    public void Top1TableIsWellFormed()
    {
        var names = Zoo.Zoo.All.Select(e => e.Name).ToHashSet();
        foreach (var row in ImageNetTop1.All)
        {
            Assert.Contains(row.Arch, names);
            if (row.Top1 is not null) Assert.False(string.IsNullOrWhiteSpace(row.Source), $"{row.Arch} has a top-1 but no source");
            else Assert.False(string.IsNullOrWhiteSpace(row.Note), $"{row.Arch} has no top-1 and no reason");
        }
        Assert.Equal(ImageNetTop1.All.Count, ImageNetTop1.All.Select(r => r.Arch).Distinct().Count());
    }
}

/// <summary>Finds and drives headless Chromium.</summary>
internal static class Chromium
{
    public static string? Find()
    {
        foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome" })
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
            {
                string p = Path.Combine(dir, name);
                if (File.Exists(p)) return p;
            }
        return null;
    }

    public static (int Exit, string Stderr, double Seconds) Screenshot(string chromium, string html, string png, int width, int height)
    {
        string profile = Directory.CreateTempSubdirectory("sharpconv-chromium").FullName;
        var psi = new ProcessStartInfo(chromium)
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        foreach (var a in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
            $"--screenshot={png}", $"--window-size={width},{height}", new Uri(html).AbsoluteUri,
        }) psi.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("chromium did not finish within 120 s");
        }
        p.WaitForExit();
        try { Directory.Delete(profile, recursive: true); } catch (IOException) { } // a lingering helper may hold a file
        return (p.ExitCode, stderr.Result + stdout.Result, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Lines where the page itself complained: Chromium logs page console messages as <c>CONSOLE(…)</c> lines and script
    /// errors as <c>Uncaught …</c>. Its own noise (no D-Bus in a container, no GPU) is not the page's fault.
    /// </summary>
    public static IReadOnlyList<string> ConsoleErrors(string stderr) =>
        stderr.Split('\n').Where(l => l.Contains("CONSOLE", StringComparison.Ordinal) || l.Contains("Uncaught", StringComparison.Ordinal)
                                       || l.Contains("Refused to", StringComparison.Ordinal) || l.Contains("net::ERR_", StringComparison.Ordinal)).ToList();
}
