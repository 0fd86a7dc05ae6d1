using System.CommandLine;
using SharpConv.Cli.Report;
using SharpConv.Ops;
using Spectre.Console;

namespace SharpConv.Cli.Commands;

/// <summary>
/// <c>sharpconv filters &lt;arch|model.onnx&gt; --out f.png</c>: a convolution's filters as an image grid (ZFNet fig. 2).
/// Zoo networks carry seeded random weights, so their filters are noise; a trained <c>.onnx</c> model shows edges and
/// colour blobs.
/// </summary>
public static class FiltersCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("model") { Description = "architecture name (see `sharpconv zoo`) or a path to an .onnx file" };
        var layer = new Option<string?>("--layer", "-l") { Description = "the convolution to draw (default: the first one)" };
        var output = new Option<string>("--out", "-o") { Description = "PNG file to write", DefaultValueFactory = _ => "filters.png" };
        var command = new Command("filters", "draw a convolution's filters (default: the first layer's) as a PNG grid, ZFNet-style") { model, layer, output };
        command.SetAction(parse =>
        {
            var source = NetworkSource.Resolve(parse.GetValue(model)!);
            var node = parse.GetValue(layer) is string name ? Pictures.Layer(source.Network, name) : Pictures.FirstConv(source.Network);
            var grid = Pictures.FilterGrid(node);
            string path = parse.GetValue(output)!;
            File.WriteAllBytes(path, Pictures.Png(grid));
            var conv = (Conv2d)node.Op;
            context.Console.MarkupLine($"{Markup.Escape(source.Label)} [bold]{Markup.Escape(node.Name)}[/]: {conv.OutChannels} filters of " +
                $"{conv.KernelH}×{conv.KernelW}×{conv.InChannels / conv.Groups} → {Markup.Escape(Path.GetFullPath(path))} ({grid.Width}×{grid.Height})");
            if (source.Entry is not null)
                context.Console.MarkupLine("[grey]zoo weights are seeded random (He init): expect noise; a trained .onnx model shows real filters.[/]");
            return 0;
        });
        return command;
    }
}
