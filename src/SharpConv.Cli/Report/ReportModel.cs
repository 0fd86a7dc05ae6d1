using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SharpConv.Analysis;
using SharpConv.Compilation;
using SharpConv.Graph;
using SharpConv.Imaging;
using SharpConv.Zoo;

namespace SharpConv.Cli.Report;

/// <summary>What <c>sharpconv report</c> measures and draws.</summary>
public sealed record ReportOptions
{
    /// <summary>
    /// The architectures timed and drawn layer by layer. The default set spans the lecture's story (AlexNet, VGG, GoogLeNet,
    /// ResNet, SqueezeNet) and finishes in a few minutes on two cores; VGG-16 dominates the time.
    /// </summary>
    public static IReadOnlyList<string> DefaultArchs { get; } = ["alexnet", "vgg16", "googlenet", "resnet50", "squeezenet1_0"];

    /// <summary>Architectures (zoo names) to time and draw per layer.</summary>
    public IReadOnlyList<string> Archs { get; init; } = DefaultArchs;
    /// <summary>Timed runs per architecture (the median is reported).</summary>
    public int Runs { get; init; } = 5;
    /// <summary>Untimed runs first.</summary>
    public int Warmup { get; init; } = 1;
    /// <summary>Worker threads.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
    /// <summary>The network whose filters and feature maps are drawn: a zoo name or an .onnx path; null: none.</summary>
    public string? PicturesModel { get; init; } = "alexnet";
    /// <summary>The layer whose feature maps are drawn (default: the first convolution).</summary>
    public string? PicturesLayer { get; init; }
    /// <summary>The image fed for the feature maps (default: the built-in demo photo).</summary>
    public string? PicturesImage { get; init; }
    /// <summary>Include the chart rows for every zoo architecture with a published top-1 (tests may turn it off).</summary>
    public bool Chart { get; init; } = true;
}

/// <summary>One architecture's totals (batch 1), its published top-1 when there is one, and its measured time when it was timed.</summary>
/// <param name="Name">Zoo name.</param>
/// <param name="Family">Zoo family.</param>
/// <param name="Summary">The engine's summary at batch 1: the numbers the report shows come from here.</param>
/// <param name="Top1">Published top-1 (null: none).</param>
/// <param name="MeasuredMs">Median forward time of one image with the fast kernels (null: not timed).</param>
public sealed record ArchTotals(string Name, string Family, Summary Summary, Top1Entry? Top1, double? MeasuredMs);

/// <summary>An architecture timed layer by layer.</summary>
/// <param name="Name">Zoo name.</param>
/// <param name="Description">Zoo description.</param>
/// <param name="Summary">Per-layer parameters, activations and MACs.</param>
/// <param name="Profile">Per-step measured time.</param>
/// <param name="Where">The lecture's "where do parameters, activations and compute live" for this network.</param>
public sealed record ArchDetail(string Name, string Description, Summary Summary, ProfileReport Profile, WhereThingsLiveResult Where)
{
    /// <summary>
    /// Measured milliseconds per summary layer. A compiled step carries the name of its main layer, so layers fused into
    /// it (a ReLU, a folded BatchNorm) or removed (Dropout at inference) get no time of their own: that is true of the
    /// fast path, not a gap in the measurement. Steps without a matching layer are summed in <see cref="UnattributedMs"/>.
    /// </summary>
    public IReadOnlyDictionary<string, double> LayerMs => _layerMs ??= Attribute();

    /// <summary>Time of steps whose name matches no summary layer (0 for zoo networks).</summary>
    public double UnattributedMs => Profile.Rows.Where(r => !LayerNames.Contains(r.Name)).Sum(r => r.MedianMs);

    private HashSet<string> LayerNames => _names ??= Summary.Layers.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, double>? _layerMs;
    private HashSet<string>? _names;

    private Dictionary<string, double> Attribute()
    {
        var ms = Summary.Layers.ToDictionary(l => l.Name, _ => 0.0, StringComparer.Ordinal);
        foreach (var r in Profile.Rows)
            if (ms.ContainsKey(r.Name)) ms[r.Name] += r.MedianMs;
        return ms;
    }

    /// <summary>True when the layer ran as a step of its own (not fused into another, not removed).</summary>
    public bool HasOwnStep(string layer) => Profile.Rows.Any(r => r.Name == layer);
}

/// <summary>A ZFNet-style picture, ready to embed.</summary>
/// <param name="Caption">What it shows.</param>
/// <param name="DataUri">The PNG as a <c>data:</c> URI.</param>
/// <param name="Width">Pixel width.</param>
/// <param name="Height">Pixel height.</param>
public sealed record Picture(string Caption, string DataUri, int Width, int Height);

/// <summary>Everything the HTML report shows, gathered once (the renderer computes nothing).</summary>
public sealed class ReportModel
{
    /// <summary>Options used.</summary>
    public required ReportOptions Options { get; init; }
    /// <summary>When the report was made (UTC).</summary>
    public required DateTime Generated { get; init; }
    /// <summary>One line about this machine.</summary>
    public required string Machine { get; init; }
    /// <summary>Every architecture with numbers in the report: the chart's and the timed ones.</summary>
    public required IReadOnlyList<ArchTotals> Architectures { get; init; }
    /// <summary>Zoo architectures left off the chart, with the reason.</summary>
    public required IReadOnlyList<(string Name, string Reason)> Excluded { get; init; }
    /// <summary>The timed architectures, layer by layer.</summary>
    public required IReadOnlyList<ArchDetail> Details { get; init; }
    /// <summary>The lecture's worked examples, computed by the engine.</summary>
    public required IReadOnlyList<LectureResult> Lecture { get; init; }
    /// <summary>Filters and feature maps (empty when none were asked for).</summary>
    public required IReadOnlyList<Picture> Pictures { get; init; }
    /// <summary>What the pictures were made from (or why there are none).</summary>
    public required string PicturesNote { get; init; }
}

/// <summary>Gathers a <see cref="ReportModel"/>: summaries, timings, lecture arithmetic and pictures.</summary>
public static class ReportBuilder
{
    /// <summary>
    /// Builds the model. <paramref name="progress"/> receives (what is being done, steps done, steps in all);
    /// <paramref name="cancellation"/> is checked between architectures and between layers of a timed run.
    /// </summary>
    /// <exception cref="CliException">An unknown architecture in <see cref="ReportOptions.Archs"/>.</exception>
    public static ReportModel Build(ReportOptions options, Action<string, int, int>? progress = null, CancellationToken cancellation = default)
    {
        var timed = options.Archs.Select(a => Architectures.Find(a)).DistinctBy(e => e.Name).ToList();
        var charted = options.Chart ? Zoo.Zoo.All.Where(e => ImageNetTop1.Find(e.Name)?.Top1 is not null).ToList() : [];
        int total = charted.Count + timed.Count + 2, done = 0;
        void Step(string what) { cancellation.ThrowIfCancellationRequested(); progress?.Invoke(what, done++, total); }

        var summaries = new Dictionary<string, Summary>(StringComparer.Ordinal);
        foreach (var e in charted)
        {
            Step($"summary {e.Name}");
            summaries[e.Name] = Summary.Of(e.Build(new ZooOptions()), 1);
        }

        var details = new List<ArchDetail>();
        foreach (var e in timed)
        {
            Step($"timing {e.Name}");
            var net = e.Build(new ZooOptions());
            var summary = summaries.TryGetValue(e.Name, out var s) ? s : summaries[e.Name] = Summary.Of(net, 1);
            ProfileReport profile;
            using (var compiled = net.Compile(new CompileOptions { Threads = options.Threads }))
                profile = Profiler.Run(compiled, Tensor.RandomNormal(net.InputShape.WithBatch(1), 0), options.Runs, options.Warmup, null, cancellation);
            details.Add(new ArchDetail(e.Name, e.Description, summary, profile, Analysis.Lecture.WhereThingsLive(net)));
        }

        Step("lecture examples");
        var lecture = Analysis.Lecture.WorkedExamples(null, Architectures.TryBuild);

        Step("pictures");
        var (pictures, note) = MakePictures(options, cancellation);
        progress?.Invoke("done", total, total);

        var measured = details.ToDictionary(d => d.Name, d => d.Profile.EndToEndMedianMs);
        var archs = Zoo.Zoo.All.Where(e => summaries.ContainsKey(e.Name))
            .Select(e => new ArchTotals(e.Name, e.Family, summaries[e.Name], ImageNetTop1.Find(e.Name), measured.TryGetValue(e.Name, out var ms) ? ms : null))
            .ToList();
        var excluded = Zoo.Zoo.All.Where(e => ImageNetTop1.Find(e.Name)?.Top1 is null).Select(e => (e.Name, ExclusionReason(e))).ToList();

        return new ReportModel
        {
            Options = options, Generated = DateTime.UtcNow, Machine = MachineDescription(options.Threads),
            Architectures = archs, Excluded = excluded, Details = details, Lecture = lecture, Pictures = pictures, PicturesNote = note,
        };
    }

    private static string ExclusionReason(ZooEntry e)
    {
        if (ImageNetTop1.Find(e.Name) is { } row && row.Note.Length > 0) return row.Note;
        if (e.Description.Contains("CIFAR", StringComparison.OrdinalIgnoreCase) || e.Family.Contains("CIFAR", StringComparison.OrdinalIgnoreCase))
            return "a CIFAR-10 network (32×32 inputs): no ImageNet number exists";
        return "no row in data/imagenet-top1.csv";
    }

    private static (IReadOnlyList<Picture>, string) MakePictures(ReportOptions options, CancellationToken cancellation)
    {
        if (options.PicturesModel is null) return ([], "no pictures asked for (--pictures none).");
        var source = NetworkSource.Resolve(options.PicturesModel);
        var net = source.Network;
        var first = Pictures.FirstConv(net);
        string layer = options.PicturesLayer ?? first.Name;
        var photo = options.PicturesImage is null ? Commands.FeatureMapsCommand.DemoPhoto() : Image.Load(options.PicturesImage);
        var input = Pictures.InputFor(net, photo);
        var filters = Pictures.FilterGrid(first);
        var maps = Pictures.FeatureMapGrid(Pictures.Activation(net, layer, input, options.Threads, cancellation), 64, layer);
        // The photo as the network sees it (after resize and crop), so the maps can be compared with it pixel for pixel.
        var seen = photo.Clone();
        var shown = input.Shape.C == 3 ? Preprocess.ImageNet(input.Shape.H, (int)Math.Round(input.Shape.H * 256.0 / 224)).Transform(seen) : seen;
        var conv = (Ops.Conv2d)first.Op;
        var pictures = new List<Picture>
        {
            new($"the input as {source.Label} sees it ({shown.Width}×{shown.Height})", Pictures.DataUri(shown), shown.Width, shown.Height),
            new($"{source.Label} {first.Name}: {conv.OutChannels} filters of {conv.KernelH}×{conv.KernelW}×{conv.InChannels / conv.Groups}", Pictures.DataUri(filters), filters.Width, filters.Height),
            new($"{source.Label} {layer}: feature maps for the input", Pictures.DataUri(maps), maps.Width, maps.Height),
        };
        string note = source.Entry is not null
            ? $"{source.Label} from the zoo carries seeded random weights (He initialisation), so its filters are noise and its maps are random projections of the photo. " +
              "Run `sharpconv report --pictures model.onnx` with a trained model to see edges, colour blobs and textures as in Zeiler & Fergus."
            : $"weights from {source.Label}.";
        return (pictures, note);
    }

    /// <summary>CPU, cores, SIMD width and runtime: timings mean nothing without them.</summary>
    public static string MachineDescription(int threads)
    {
        string cpu = "unknown CPU";
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException) { } // a sandbox may hide /proc: the rest of the line still helps
        string simd = Vector512.IsHardwareAccelerated ? "AVX-512" : Vector256.IsHardwareAccelerated ? "256-bit SIMD" : "128-bit SIMD";
        return $"{cpu}, {Environment.ProcessorCount} logical cores, {simd}; {threads} thread(s); {RuntimeInformation.FrameworkDescription} on {RuntimeInformation.OSDescription}";
    }
}
