using System.CommandLine;
using System.Diagnostics;
using SharpConv.Compilation;
using SharpConv.Graph;
using SharpConv.Onnx;
using Spectre.Console;

namespace SharpConv.Cli.Commands;

/// <summary>
/// <c>sharpconv export &lt;model&gt; out.onnx</c>: writes a zoo network (weights from <c>--seed</c>) or a re-imported ONNX
/// model as ONNX (opset 13, dynamic batch, weights inline), then re-imports the file and checks that it computes the
/// same outputs.
/// </summary>
public static class ExportCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("model") { Description = "architecture name (see `sharpconv zoo`) or path of an .onnx file" };
        var output = new Argument<string>("output") { Description = "the .onnx file to write" };
        var seed = new Option<int>("--seed") { Description = "weight seed of a zoo network (and of the check's random input)", DefaultValueFactory = _ => 0 };
        var noCheck = new Option<bool>("--no-check") { Description = "skip re-importing the file and comparing outputs" };
        var threads = new Option<int>("--threads", "-t") { Description = "worker threads for the check", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("export", "write a network as ONNX (opset 13, dynamic batch), then re-import it and compare outputs") { model, output, seed, noCheck, threads };
        command.SetAction((parse, cancel) =>
        {
            string path = parse.GetValue(output)!;
            int t = parse.GetValue(threads);
            if (t < 1) throw new CliException($"--threads must be ≥ 1, found {t}.");
            var source = ModelSource.Resolve(parse.GetValue(model)!, 1, parse.GetValue(seed));
            var result = Execute(source.Network, path, !parse.GetValue(noCheck), parse.GetValue(seed), t, cancel);
            Render(context.Console, source, result);
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>What an export wrote and, when checked, how close the re-imported model came.</summary>
    /// <param name="Path">The file written.</param>
    /// <param name="Bytes">Its size.</param>
    /// <param name="Nodes">Nodes of the exported network.</param>
    /// <param name="Parameters">Its trainable parameters.</param>
    /// <param name="Elapsed">Time to write the file (weights materialised included).</param>
    /// <param name="RelativeError">max|re-imported − original| / max|original| on a random batch of 2; null when not checked.</param>
    public sealed record Result(string Path, long Bytes, int Nodes, long Parameters, TimeSpan Elapsed, double? RelativeError);

    /// <summary>Writes <paramref name="network"/> to <paramref name="path"/>; with <paramref name="check"/>, re-imports and compares.</summary>
    /// <exception cref="CliException">The output path is not an .onnx file, its folder is missing, or the re-imported model differs.</exception>
    /// <exception cref="UnsupportedOperatorException">A layer has no ONNX equivalent.</exception>
    public static Result Execute(Network network, string path, bool check = true, int seed = 0, int threads = 1, CancellationToken cancel = default)
    {
        if (!path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) throw new CliException($"the output '{path}' must end in .onnx.");
        string? dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (dir is not null && !Directory.Exists(dir)) throw new CliException($"the folder of '{path}' does not exist.");
        var clock = Stopwatch.StartNew();
        OnnxExporter.Save(network, path);
        var elapsed = clock.Elapsed;
        double? error = null;
        if (check)
        {
            var back = OnnxModel.Load(path);
            var x = Tensor.RandomNormal(network.InputShape.WithBatch(2), seed + 1);
            var options = new CompileOptions { Threads = threads };
            Tensor expected, actual;
            using (var a = network.Compile(options)) expected = a.Run(x, cancel);
            using (var b = back.Compile(options)) actual = b.Run(x, cancel);
            if (expected.Shape != actual.Shape) throw new CliException($"the re-imported model gives {actual.Shape}, the original {expected.Shape}.");
            error = RelativeError(actual.Span, expected.Span);
            if (!(error <= 1e-4)) throw new CliException($"the re-imported model differs from the original: relative error {error:g3} > 1e-4.");
        }
        return new Result(path, new FileInfo(path).Length, network.Nodes.Count, network.ParameterCount, elapsed, error);
    }

    /// <summary>max|a − b| / max|b| (NaN anywhere: infinity).</summary>
    public static double RelativeError(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        double diff = 0, scale = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (float.IsNaN(actual[i]) != float.IsNaN(expected[i])) return double.PositiveInfinity;
            if (float.IsNaN(expected[i])) continue;
            diff = Math.Max(diff, Math.Abs((double)actual[i] - expected[i]));
            scale = Math.Max(scale, Math.Abs((double)expected[i]));
        }
        return scale == 0 ? diff : diff / scale;
    }

    private static void Render(IAnsiConsole console, ModelSourceResult source, Result r)
    {
        console.MarkupLine($"wrote [bold]{Markup.Escape(r.Path)}[/]: {Markup.Escape(source.DisplayName)}, {r.Nodes} nodes, {r.Parameters:N0} parameters, "
            + $"{r.Bytes / 1e6:0.0} MB, ONNX opset {OnnxExporter.Opset}, dynamic batch ({r.Elapsed.TotalMilliseconds:0} ms)");
        if (r.RelativeError is double e)
            console.MarkupLine($"[green]check:[/] re-imported and run on a random 2-image batch: same outputs (max relative difference {e:g3})");
        if (source.Entry is not null)
            console.MarkupLine("[grey]zoo weights are random (He init, seeded), not trained.[/]");
    }
}
