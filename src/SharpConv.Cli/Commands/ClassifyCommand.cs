using System.CommandLine;
using System.Diagnostics;
using SharpConv.Compilation;
using SharpConv.Imaging;
using SharpConv.Ops;
using Spectre.Console;

namespace SharpConv.Cli.Commands;

/// <summary>
/// <c>sharpconv classify --model M [--labels F] [--top K] IMAGE|FOLDER…</c>: preprocess images (ImageNet, Fashion-MNIST,
/// MNIST or none — chosen from the model's input shape unless given), run them in batches, print the top-k classes
/// with softmax probabilities.
/// </summary>
public static class ClassifyCommand
{
    /// <summary>The names <c>--preprocess</c> accepts.</summary>
    public static readonly string[] PreprocessNames = ["auto", "imagenet", "fashion-mnist", "mnist", "none"];

    /// <summary>Image file extensions taken from a folder.</summary>
    public static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png", ".bmp", ".gif"];

    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var images = new Argument<string[]>("images") { Description = "image files (JPEG, PNG, BMP, GIF) and/or folders of them", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string>("--model", "-m") { Description = "path of an .onnx file, or an architecture name (see `sharpconv zoo`; random weights)", Required = true };
        var labels = new Option<string?>("--labels", "-l") { Description = "class names, one per line in class order (default: ImageNet for 1000 classes, Fashion-MNIST for 10 with its preprocessing)" };
        var top = new Option<int>("--top", "-k") { Description = "classes shown per image", DefaultValueFactory = _ => 5 };
        var preprocess = new Option<string>("--preprocess", "-p")
        {
            Description = "imagenet (Resize 256, CenterCrop 224, normalise), fashion-mnist / mnist (gray, 28×28, pad to 32, normalise), none (÷255 only), or auto: from the model's input shape",
            DefaultValueFactory = _ => "auto",
        };
        preprocess.AcceptOnlyFromAmong(PreprocessNames);
        var size = new Option<int?>("--size", "-s") { Description = "input side length: the crop for imagenet (resize = size·256/224), the side for fashion-mnist/mnist (default: the model's)" };
        var batch = new Option<int>("--batch", "-b") { Description = "images per run", DefaultValueFactory = _ => 16 };
        var threads = new Option<int>("--threads", "-t") { Description = "worker threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("classify", "classify images with a model: preprocessing, batches, top-k classes with softmax probabilities")
            { images, model, labels, top, preprocess, size, batch, threads };
        command.SetAction((parse, cancel) =>
        {
            int k = parse.GetValue(top), b = parse.GetValue(batch), t = parse.GetValue(threads);
            if (k < 1) throw new CliException($"--top must be ≥ 1, found {k}.");
            if (b < 1) throw new CliException($"--batch must be ≥ 1, found {b}.");
            if (t < 1) throw new CliException($"--threads must be ≥ 1, found {t}.");
            if (parse.GetValue(size) is int s0 && s0 < 1) throw new CliException($"--size must be ≥ 1, found {s0}.");
            var warnings = new List<string>();
            var files = Gather(parse.GetValue(images)!, warnings);
            var source = ModelSource.Resolve(parse.GetValue(model)!);
            var options = new Options(parse.GetValue(preprocess)!, parse.GetValue(size), parse.GetValue(labels), k, b, t);
            var result = Classify(source, files, options, warnings, cancel);
            Render(context.Console, result);
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>What the classify command is asked to do.</summary>
    /// <param name="Preprocess">One of <see cref="PreprocessNames"/>.</param>
    /// <param name="Size">The side length to preprocess to (null: the model's).</param>
    /// <param name="LabelsPath">A labels file (null: the embedded lists by class count).</param>
    /// <param name="Top">Classes reported per image.</param>
    /// <param name="Batch">Images per run.</param>
    /// <param name="Threads">Worker threads.</param>
    public sealed record Options(string Preprocess = "auto", int? Size = null, string? LabelsPath = null, int Top = 5, int Batch = 16, int Threads = 1);

    /// <summary>A chosen preprocessing pipeline.</summary>
    /// <param name="Name">Its name (one of <see cref="PreprocessNames"/> but auto).</param>
    /// <param name="Pipeline">The pipeline.</param>
    /// <param name="Reason">Why it was chosen (auto) or "given".</param>
    public sealed record Preprocessing(string Name, Preprocess Pipeline, string Reason);

    /// <summary>One class of an image's top-k.</summary>
    /// <param name="Class">The class index.</param>
    /// <param name="Label">Its name.</param>
    /// <param name="Probability">The softmax probability.</param>
    public sealed record Prediction(int Class, string Label, double Probability);

    /// <summary>An image file to classify.</summary>
    /// <param name="Path">The file (folder entries: folder/name).</param>
    /// <param name="FromFolder">True when it came from a folder argument: an undecodable one is skipped with a warning rather than an error.</param>
    public sealed record ImageFile(string Path, bool FromFolder);

    /// <summary>An image and its top-k classes, best first.</summary>
    /// <param name="Image">The file, as given (folder entries: folder/name).</param>
    /// <param name="Top">The best classes, best first.</param>
    public sealed record ImageResult(string Image, IReadOnlyList<Prediction> Top);

    /// <summary>The outcome of a classification.</summary>
    /// <param name="Model">The model's display name.</param>
    /// <param name="InputShape">The model's declared input shape.</param>
    /// <param name="Classes">Number of classes.</param>
    /// <param name="LabelSource">Where the class names came from.</param>
    /// <param name="Preprocessing">The preprocessing used.</param>
    /// <param name="Images">One result per image, in order.</param>
    /// <param name="Warnings">Files skipped and other notes.</param>
    /// <param name="Elapsed">Time from the first image loaded to the last result (compilation included).</param>
    /// <param name="OutputIsProbability">True when the model ends in Softmax (its outputs are used as they are).</param>
    public sealed record Result(string Model, Shape InputShape, int Classes, string LabelSource, Preprocessing Preprocessing,
        IReadOnlyList<ImageResult> Images, IReadOnlyList<string> Warnings, TimeSpan Elapsed, bool OutputIsProbability);

    /// <summary>
    /// Expands the arguments into image files: files as given, folders into their image files (by extension, ordinal
    /// order of name, not recursive). Notes on skipped files go to <paramref name="warnings"/>.
    /// </summary>
    /// <exception cref="CliException">A path that does not exist, or a folder without images.</exception>
    public static IReadOnlyList<ImageFile> Gather(IEnumerable<string> arguments, List<string> warnings)
    {
        var files = new List<ImageFile>();
        foreach (var a in arguments)
        {
            if (File.Exists(a)) { files.Add(new ImageFile(a, false)); continue; }
            if (!Directory.Exists(a)) throw new CliException($"image file or folder '{a}' not found.");
            var all = Directory.GetFiles(a);
            Array.Sort(all, StringComparer.Ordinal);
            var images = all.Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant())).ToList();
            if (images.Count == 0) throw new CliException($"folder '{a}' holds no {string.Join("/", ImageExtensions)} file.");
            if (all.Length > images.Count) warnings.Add($"{a}: {all.Length - images.Count} file(s) without an image extension ignored.");
            files.AddRange(images.Select(f => new ImageFile(f, true)));
        }
        return files;
    }

    /// <summary>
    /// Chooses the preprocessing for a model input of shape N×C×H×W. Auto: 1 channel → fashion-mnist, 3 channels →
    /// imagenet with the crop at the model's size.
    /// </summary>
    /// <exception cref="CliException">Not an image input, or auto cannot tell.</exception>
    public static Preprocessing Choose(string name, Shape input, int? size = null)
    {
        if (input.Rank != 4) throw new CliException($"classify needs a model with an image input (N×C×H×W); this one takes {input}.");
        int c = input[1], h = input[2], w = input[3];
        string reason = "given";
        if (name == "auto")
        {
            (name, reason) = c switch
            {
                1 => ("fashion-mnist", $"auto, from the 1-channel {h}×{w} input; --preprocess mnist for MNIST models"),
                3 => ("imagenet", $"auto, from the 3-channel {h}×{w} input"),
                _ => throw new CliException($"cannot choose a preprocessing for a {c}-channel {h}×{w} input; pass --preprocess (imagenet, fashion-mnist, mnist, none)."),
            };
        }
        int sh = size ?? h, sw = size ?? w;
        Preprocess pipeline = name switch
        {
            "imagenet" when sh == sw => Preprocess.ImageNet(sh, (int)Math.Round(sh * 256.0 / 224)),
            "imagenet" => new Preprocess().Rgb().Resize((int)Math.Round(Math.Min(sh, sw) * 256.0 / 224)).CenterCrop(sw, sh)
                .Normalize([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]),
            "fashion-mnist" or "mnist" when sh == 32 && sw == 32 => name == "mnist" ? Preprocess.Mnist() : Preprocess.FashionMnist(),
            "fashion-mnist" => new Preprocess().Grayscale().Resize(sw, sh).Normalize([0.2860f], [0.3530f]),
            "mnist" => new Preprocess().Grayscale().Resize(sw, sh).Normalize([0.1307f], [0.3081f]),
            "none" => c == 1 ? new Preprocess().Grayscale() : new Preprocess().Rgb(),
            _ => throw new CliException($"unknown preprocessing '{name}'; one of {string.Join(", ", PreprocessNames)}."),
        };
        return new Preprocessing(name, pipeline, reason);
    }

    /// <summary>Classifies <paramref name="files"/> with the model of <paramref name="source"/>.</summary>
    /// <exception cref="CliException">The model is not a classifier, the labels do not fit, or preprocessed images do not fit the model.</exception>
    /// <exception cref="SharpConvException">An image cannot be decoded (<see cref="ImageFormatException"/>) and other typed errors.</exception>
    public static Result Classify(ModelSourceResult source, IReadOnlyList<string> files, Options options, List<string>? warnings = null, CancellationToken cancel = default) =>
        Classify(source, files.Select(f => new ImageFile(f, false)).ToList(), options, warnings, cancel);

    /// <summary>
    /// Classifies <paramref name="files"/>; an undecodable file that came from a folder is skipped with a note in
    /// <paramref name="warnings"/>, one named directly is an error.
    /// </summary>
    /// <exception cref="CliException">The model is not a classifier, the labels do not fit, preprocessed images do not fit the model, or no image could be decoded.</exception>
    /// <exception cref="SharpConvException">A named image cannot be decoded (<see cref="ImageFormatException"/>) and other typed errors.</exception>
    public static Result Classify(ModelSourceResult source, IReadOnlyList<ImageFile> files, Options options, List<string>? warnings = null, CancellationToken cancel = default)
    {
        warnings ??= [];
        var net = source.Network;
        if (files.Count == 0) throw new CliException("no images to classify.");
        if (net.Inputs.Count != 1) throw new CliException($"{source.DisplayName} has {net.Inputs.Count} inputs; classify needs a single image input.");
        var outShape = net.OutputShape;
        if (!(outShape.Rank == 2 || (outShape.Rank == 4 && outShape[2] == 1 && outShape[3] == 1)) || outShape[1] < 2)
            throw new CliException($"classify needs a model whose output is N×classes; {source.DisplayName} gives {outShape}.");
        int classes = outShape[1];
        var pre = Choose(options.Preprocess, net.InputShape, options.Size);
        var (labels, labelSource) = LabelsFor(options.LabelsPath, classes, pre.Name);
        bool probabilities = net.Outputs[0].Op is Softmax;

        var clock = Stopwatch.StartNew();
        using var compiled = net.Compile(new CompileOptions { Threads = options.Threads });
        var results = new List<ImageResult>(files.Count);
        var item = net.InputShape.Dims[1..].ToArray();
        for (int start = 0; start < files.Count; start += options.Batch)
        {
            cancel.ThrowIfCancellationRequested();
            var chunk = new List<string>();
            var decoded = new List<Image>();
            foreach (var f in files.Skip(start).Take(options.Batch))
            {
                Image image;
                try { image = Image.Load(f.Path); }
                catch (ImageFormatException e) when (f.FromFolder) { warnings.Add($"skipped {f.Path}: {e.Problem}"); continue; }
                chunk.Add(f.Path); decoded.Add(image);
            }
            if (chunk.Count == 0) continue;
            var tensor = pre.Pipeline.ToBatch(decoded);
            if (!tensor.Shape.Dims[1..].SequenceEqual(item))
                throw new CliException($"{pre.Name} preprocessing gives {new Shape(tensor.Shape.Dims[1..])} images, but {source.DisplayName} takes {new Shape(item)}; "
                    + "pass --size or --preprocess to match.");
            var y = compiled.Run(tensor, cancel);
            for (int i = 0; i < chunk.Count; i++)
                results.Add(new ImageResult(chunk[i], TopK(y.Span.Slice(i * classes, classes), options.Top, labels, probabilities)));
        }
        if (results.Count == 0) throw new CliException("no image could be decoded.");
        return new Result(source.DisplayName, net.InputShape, classes, labelSource, pre, results, warnings, clock.Elapsed, probabilities);
    }

    /// <summary>The <paramref name="k"/> best classes of one row of scores, with softmax probabilities (or the scores themselves when they already are).</summary>
    public static IReadOnlyList<Prediction> TopK(ReadOnlySpan<float> scores, int k, IReadOnlyList<string> labels, bool alreadyProbabilities = false)
    {
        var p = new double[scores.Length];
        if (alreadyProbabilities) for (int i = 0; i < p.Length; i++) p[i] = scores[i];
        else
        {
            double max = double.NegativeInfinity;
            foreach (float v in scores) max = Math.Max(max, v);
            double sum = 0;
            for (int i = 0; i < p.Length; i++) sum += p[i] = Math.Exp(scores[i] - max);
            for (int i = 0; i < p.Length; i++) p[i] /= sum;
        }
        // Best first; ties keep the lower class index first (a stable sort, as argmax takes the first maximum).
        return Enumerable.Range(0, p.Length).OrderByDescending(i => p[i]).Take(k)
            .Select(i => new Prediction(i, i < labels.Count ? labels[i] : $"class {i}", p[i])).ToList();
    }

    private static (IReadOnlyList<string> Labels, string Source) LabelsFor(string? path, int classes, string preprocessing)
    {
        if (path is not null)
        {
            var l = ClassLabels.Read(path);
            if (l.Count != classes) throw new CliException($"labels file '{path}' has {l.Count} names, but the model has {classes} classes.");
            return (l, path);
        }
        if (classes == 1000) return (ClassLabels.ImageNet, "ImageNet-1k (built in)");
        if (classes == 10 && preprocessing == "fashion-mnist") return (ClassLabels.FashionMnist, "Fashion-MNIST (built in)");
        if (classes == 10 && preprocessing == "mnist") return (ClassLabels.Digits, "digits 0–9");
        return ([], "none (pass --labels FILE)");
    }

    private static void Render(IAnsiConsole console, Result r)
    {
        console.MarkupLine($"[bold]{Markup.Escape(r.Model)}[/]: input {r.InputShape}, {r.Classes} classes, labels: {Markup.Escape(r.LabelSource)}");
        console.MarkupLine($"preprocessing: {Markup.Escape(r.Preprocessing.Name)} [grey]({Markup.Escape(r.Preprocessing.Reason)})[/]");
        console.MarkupLine($"  [grey]{Markup.Escape(r.Preprocessing.Pipeline.ToString())}[/]");
        foreach (var w in r.Warnings) console.MarkupLine($"[yellow]warning:[/] {Markup.Escape(w)}");
        var t = new Table().Border(TableBorder.Simple)
            .AddColumn("Image").AddColumn(new TableColumn("#").RightAligned()).AddColumn("Class")
            .AddColumn(new TableColumn("Index").RightAligned()).AddColumn(new TableColumn(r.OutputIsProbability ? "Output" : "Probability").RightAligned());
        foreach (var img in r.Images)
            for (int i = 0; i < img.Top.Count; i++)
            {
                var p = img.Top[i];
                string prob = $"{p.Probability * 100:0.00} %";
                t.AddRow(i == 0 ? Markup.Escape(img.Image) : "", (i + 1).ToString(), i == 0 ? $"[bold]{Markup.Escape(p.Label)}[/]" : Markup.Escape(p.Label),
                    p.Class.ToString(), i == 0 ? $"[bold]{prob}[/]" : prob);
            }
        console.Write(t);
        console.MarkupLine($"{r.Images.Count} image(s) in {r.Elapsed.TotalMilliseconds:0} ms (compilation, decoding and preprocessing included).");
    }
}
