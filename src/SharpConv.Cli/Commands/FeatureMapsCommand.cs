using System.CommandLine;
using System.Reflection;
using SharpConv.Cli.Report;
using SharpConv.Imaging;
using Spectre.Console;

namespace SharpConv.Cli.Commands;

/// <summary>
/// <c>sharpconv featuremaps &lt;arch|model.onnx&gt; --layer NAME --image photo.jpg --out m.png</c>: what one layer
/// outputs for one image, one grey tile per channel (ZFNet-style). The network is truncated at the layer
/// (<see cref="Graph.NetworkSlicing.Truncate"/>) and run with the fast kernels.
/// </summary>
public static class FeatureMapsCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("model") { Description = "architecture name (see `sharpconv zoo`) or a path to an .onnx file" };
        var layer = new Option<string?>("--layer", "-l") { Description = "the layer whose output to draw (node name as `sharpconv summary` lists it; default: the first convolution)" };
        var image = new Option<string?>("--image", "-i") { Description = "input image (default: the demo photo data/images/photo.jpg, built in)" };
        var output = new Option<string>("--out", "-o") { Description = "PNG file to write", DefaultValueFactory = _ => "featuremaps.png" };
        var max = new Option<int>("--max-maps") { Description = "draw at most this many channels (the first ones)", DefaultValueFactory = _ => 64 };
        var threads = new Option<int>("--threads", "-t") { Description = "worker threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("featuremaps", "draw the feature maps one layer produces for an image, as a PNG grid") { model, layer, image, output, max, threads };
        command.SetAction(parse =>
        {
            int m = parse.GetValue(max), t = parse.GetValue(threads);
            if (m < 1) throw new CliException($"--max-maps must be ≥ 1, found {m}.");
            if (t < 1) throw new CliException($"--threads must be ≥ 1, found {t}.");
            var source = NetworkSource.Resolve(parse.GetValue(model)!);
            string layerName = parse.GetValue(layer) ?? Pictures.FirstConv(source.Network).Name;
            string? imagePath = parse.GetValue(image);
            var photo = imagePath is null ? DemoPhoto() : Image.Load(imagePath);
            using var ctrlC = CtrlC.Listen();
            var activation = Pictures.Activation(source.Network, layerName, Pictures.InputFor(source.Network, photo), t, ctrlC.Token);
            var grid = Pictures.FeatureMapGrid(activation, m, layerName);
            string path = parse.GetValue(output)!;
            File.WriteAllBytes(path, Pictures.Png(grid));
            int drawn = Math.Min(m, activation.Shape.C);
            context.Console.MarkupLine($"{Markup.Escape(source.Label)} [bold]{Markup.Escape(layerName)}[/] on {Markup.Escape(imagePath ?? "photo.jpg (built in)")}: " +
                $"output {activation.Shape}, {drawn} of {activation.Shape.C} maps → {Markup.Escape(Path.GetFullPath(path))} ({grid.Width}×{grid.Height})");
            return 0;
        });
        return command;
    }

    /// <summary>The demo photo (<c>data/images/photo.jpg</c>), embedded so the command works from any directory.</summary>
    public static Image DemoPhoto()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("photo.jpg")
            ?? throw new InvalidOperationException("photo.jpg is not embedded in the CLI assembly.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Image.Decode(buffer.ToArray(), "photo.jpg");
    }
}
