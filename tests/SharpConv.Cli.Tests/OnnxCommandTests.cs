using System.Buffers.Binary;
using System.Text.RegularExpressions;
using SharpConv.Cli.Commands;
using SharpConv.IO;
using SharpConv.Onnx;

namespace SharpConv.Cli.Tests;

/// <summary>
/// classify, export, and ONNX files wherever a model goes (summary, run, run --input/--output), in-process through
/// <see cref="Program.Run(string[], TextWriter)"/>, against the shared reference data.
/// </summary>
public class OnnxCommandTests
{
    private static (int Code, string Output) Run(params string[] args)
    {
        var writer = new StringWriter();
        int code = Program.Run(args, writer);
        return (code, writer.ToString());
    }

    private static void AssertCleanError((int Code, string Output) r, string expected)
    {
        Assert.Equal(1, r.Code);
        Assert.Contains("error:", r.Output);
        Assert.Contains(expected, r.Output);
        Assert.DoesNotContain("   at ", r.Output);       // no stack trace
    }

    private static string FashionFolder => SharedData.InRepo("data", "images", "fashion");

    /// <summary>The test-set index in a file name such as <c>ankle-boot-0.png</c>.</summary>
    private static int TestIndex(string file) => int.Parse(Regex.Match(Path.GetFileNameWithoutExtension(file), @"-(\d+)$").Groups[1].Value);

    private static (int Label, int Torch) Reference(int index)
    {
        string dir = SharedData.Reference("fashion_mnist_lenet5");
        int label = File.ReadAllBytes(Path.Combine(dir, "test_labels.bin"))[index];
        int torch = BinaryPrimitives.ReadInt32LittleEndian(File.ReadAllBytes(Path.Combine(dir, "torch_predictions.bin")).AsSpan(index * 4));
        return (label, torch);
    }

    // ---- classify ------------------------------------------------------------------------------------------

    [Fact]
    public void Classify_fashion_images_gives_the_label_and_PyTorchs_prediction()
    {
        var files = Directory.GetFiles(FashionFolder, "*.png").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(10, files.Count);
        var source = ModelSource.Resolve(SharedData.FashionModel);
        var result = ClassifyCommand.Classify(source, files, new ClassifyCommand.Options(Top: 3, Batch: 4));
        Assert.Equal("fashion-mnist", result.Preprocessing.Name);
        Assert.Equal(10, result.Classes);
        for (int i = 0; i < files.Count; i++)
        {
            var (label, torch) = Reference(TestIndex(files[i]));
            var best = result.Images[i].Top[0];
            Assert.True(best.Class == label && best.Class == torch,
                $"{Path.GetFileName(files[i])}: SharpConv {best.Class} ({best.Label}), label {label}, PyTorch {torch}");
            Assert.Equal(ClassLabels.FashionMnist[label], best.Label);
            Assert.Equal(3, result.Images[i].Top.Count);
            Assert.True(best.Probability > 0.5 && best.Probability <= 1.0);
            Assert.True(result.Images[i].Top.Zip(result.Images[i].Top.Skip(1)).All(p => p.First.Probability >= p.Second.Probability));
        }
    }

    [Fact]
    public void Classify_one_fashion_image_through_the_command_line()
    {
        string file = Path.Combine(FashionFolder, "ankle-boot-0.png");
        var (code, output) = Run("classify", "--model", SharedData.FashionModel, file);
        Assert.Equal(0, code);
        var top1 = output.Split('\n').Single(l => l.Contains("ankle-boot-0.png"));
        Assert.Contains("Ankle boot", top1);
        Assert.Matches(@"\b9\s+\d+\.\d\d %", top1);           // class index 9, then its probability
        Assert.Contains("Fashion-MNIST (built in)", output);
        Assert.Contains("Pad(2)", output);                    // auto preprocessing for a 1×32×32 input
        Assert.Equal(5, Regex.Matches(output, @"\d+\.\d\d %").Count); // default --top 5
    }

    [Fact]
    public void Classify_a_folder_labels_every_image()
    {
        var (code, output) = Run("classify", "--model", SharedData.FashionModel, "--top", "1", "--batch", "3", FashionFolder);
        Assert.Equal(0, code);
        Assert.Contains("10 image(s)", output);
        foreach (var file in Directory.GetFiles(FashionFolder, "*.png"))
        {
            var (label, _) = Reference(TestIndex(file));
            var line = output.Split('\n').Single(l => l.Contains(Path.GetFileName(file)));
            Assert.Contains(ClassLabels.FashionMnist[label], line);
        }
    }

    [Fact]
    public void Classify_a_folder_skips_undecodable_images_with_a_warning()
    {
        string dir = SharedData.Temp("mixed-folder");
        Directory.CreateDirectory(dir);
        try
        {
            File.Copy(Path.Combine(FashionFolder, "trouser-2.png"), Path.Combine(dir, "a-trouser.png"));
            File.WriteAllBytes(Path.Combine(dir, "b-broken.png"), [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
            File.WriteAllText(Path.Combine(dir, "notes.txt"), "not an image");
            var (code, output) = Run("classify", "--model", SharedData.FashionModel, "--top", "1", dir);
            Assert.Equal(0, code);
            Assert.Contains("Trouser", output);
            Assert.Contains("1 image(s)", output);
            Assert.Contains("warning:", output);
            Assert.Contains("b-broken.png", output);
            Assert.Contains("1 file(s) without an image extension ignored", output);
            // the same broken file named directly is an error
            AssertCleanError(Run("classify", "--model", SharedData.FashionModel, Path.Combine(dir, "b-broken.png")), "b-broken.png");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Classify_a_photo_with_an_ImageNet_model_uses_ImageNet_preprocessing_and_labels()
    {
        // Random weights: the classes mean nothing; the pipeline end to end does.
        var (code, output) = Run("classify", "--model", SharedData.Reference("models", "squeezenet1_1", "model.onnx"), "--top", "3",
            SharedData.InRepo("data", "images", "photo.jpg"));
        Assert.Equal(0, code);
        Assert.Contains("1000 classes", output);
        Assert.Contains("ImageNet-1k (built in)", output);
        Assert.Contains("Resize(256, Bilinear) → CenterCrop(224×224)", output);
        Assert.Equal(3, Regex.Matches(output, @"\d+\.\d\d %").Count);
    }

    [Fact]
    public void ImageNet_labels_are_the_1000_torchvision_names()
    {
        var labels = ClassLabels.ImageNet;
        Assert.Equal(1000, labels.Count);
        Assert.Equal("tench", labels[0]);
        Assert.Equal("tabby", labels[281]);
        Assert.Equal("toilet tissue", labels[999]);
        Assert.Equal(1000, labels.Distinct().Count());
        Assert.Equal(File.ReadAllLines(SharedData.InRepo("data", "imagenet-labels.txt")), labels);
    }

    [Fact]
    public void Classify_errors_are_one_line()
    {
        string file = Path.Combine(FashionFolder, "ankle-boot-0.png");
        AssertCleanError(Run("classify", "--model", SharedData.FashionModel, "no-such-image.png"), "'no-such-image.png' not found");
        AssertCleanError(Run("classify", "--model", "no/such/model.onnx", file), "model file 'no/such/model.onnx' not found");
        string labels = SharedData.Temp("labels.txt");
        File.WriteAllLines(labels, ["a", "b", "c"]);
        try { AssertCleanError(Run("classify", "--model", SharedData.FashionModel, "--labels", labels, file), "has 3 names, but the model has 10 classes"); }
        finally { File.Delete(labels); }
        // 28×28 pixels as they are do not fit a 32×32 input
        AssertCleanError(Run("classify", "--model", SharedData.FashionModel, "--preprocess", "none", file), "pass --size or --preprocess");
        Assert.NotEqual(0, Run("classify", "--model", SharedData.FashionModel, "--preprocess", "bogus", file).Code);
    }

    [Fact]
    public void Preprocessing_is_chosen_from_the_input_shape()
    {
        Assert.Equal("fashion-mnist", ClassifyCommand.Choose("auto", new Shape(1, 1, 32, 32)).Name);
        Assert.Equal("imagenet", ClassifyCommand.Choose("auto", new Shape(1, 3, 224, 224)).Name);
        Assert.Contains("Resize(342", ClassifyCommand.Choose("auto", new Shape(1, 3, 299, 299)).Pipeline.ToString()); // 299·256/224
        Assert.Contains("CenterCrop(160×160)", ClassifyCommand.Choose("imagenet", new Shape(1, 3, 224, 224), 160).Pipeline.ToString());
        Assert.Contains("0.1307", ClassifyCommand.Choose("mnist", new Shape(1, 1, 32, 32)).Pipeline.ToString());
        Assert.Throws<CliException>(() => ClassifyCommand.Choose("auto", new Shape(1, 2, 32, 32)));
        Assert.Throws<CliException>(() => ClassifyCommand.Choose("auto", new Shape(1, 10)));
    }

    // ---- ONNX files wherever a model goes -------------------------------------------------------------------

    [Fact]
    public void ModelSource_tells_files_from_zoo_names()
    {
        Assert.False(ModelSource.IsPath("resnet18"));
        Assert.True(ModelSource.IsPath("m.onnx"));
        Assert.True(ModelSource.IsPath("some/dir/m"));
        var zoo = ModelSource.Resolve("lenet5", 3);
        Assert.False(zoo.IsFile);
        Assert.Equal("lenet5", zoo.Entry?.Name);
        Assert.Equal(3, zoo.Network.InputShape[0]);
        var file = ModelSource.Resolve(SharedData.FashionModel, 2);
        Assert.True(file.IsFile);
        Assert.Null(file.Entry);
        Assert.Equal("fashion_mnist_lenet5", file.Network.Name);   // NAME/model.onnx is named after its folder
        Assert.Equal(2, file.Network.InputShape[0]);
        Assert.Throws<CliException>(() => ModelSource.Load("lenet5", 0));
    }

    [Fact]
    public void Summary_and_run_take_an_onnx_path()
    {
        string model = SharedData.Reference("models", "lenet5", "model.onnx");
        var (code, output) = Run("summary", model, "--no-layers");
        Assert.Equal(0, code);
        Assert.Contains("61,706", output);
        Assert.Contains("416,520", output);
        Assert.Contains("imported from", output);
        (code, output) = Run("run", model, "--batch", "2", "--threads", "1", "--runs", "2");
        Assert.Equal(0, code);
        Assert.Contains("2×1×32×32", output);
        Assert.Contains("2×10", output);
        Assert.Contains("img/s", output);
        Assert.Equal(61_706, ModelSource.Load(model, 1).ParameterCount);
        Assert.Equal(61_706, ModelSource.Load("lenet5", 1).ParameterCount);
    }

    [Fact]
    public void Run_npy_in_and_out_equals_the_engine_and_PyTorch()
    {
        string dir = SharedData.Reference("models", "lenet5");
        string model = Path.Combine(dir, "model.onnx");
        var x = Tensor.FromLittleEndianBytes(new Shape(2, 1, 32, 32), File.ReadAllBytes(Path.Combine(dir, "input.bin")));
        string xPath = SharedData.Temp("x.npy"), yPath = SharedData.Temp("y.npy");
        try
        {
            NpyFile.Write(xPath, x);
            var (code, output) = Run("run", model, "--input", xPath, "--output", yPath, "--threads", "1");
            Assert.Equal(0, code);
            Assert.Contains("2×10", output);
            Assert.Matches(@"Run\s+│\s+\d+\.\d+ ms", output);
            var y = NpyFile.Read(yPath);
            using var compiled = OnnxModel.Load(model).Compile(new SharpConv.Compilation.CompileOptions { Threads = 1 });
            var direct = compiled.Run(x);
            Assert.Equal(direct.Shape, y.Shape);
            Assert.Equal(direct.Span.ToArray(), y.Span.ToArray());
            var torch = Tensor.FromLittleEndianBytes(new Shape(2, 10), File.ReadAllBytes(Path.Combine(dir, "output.bin")));
            Assert.True(ExportCommand.RelativeError(y.Span, torch.Span) <= 1e-4);
        }
        finally { File.Delete(xPath); File.Delete(yPath); }
    }

    [Fact]
    public void Run_bin_with_shape_and_a_wrong_shape_is_a_clear_error()
    {
        string dir = SharedData.Reference("models", "lenet5");
        string model = Path.Combine(dir, "model.onnx"), input = Path.Combine(dir, "input.bin");
        string yPath = SharedData.Temp("y.bin");
        try
        {
            var (code, output) = Run("run", model, "--input", input, "--shape", "2,1,32,32", "--output", yPath);
            Assert.Equal(0, code);
            Assert.Contains("2×10", output);
            var y = Tensor.FromLittleEndianBytes(new Shape(2, 10), File.ReadAllBytes(yPath));
            var torch = Tensor.FromLittleEndianBytes(new Shape(2, 10), File.ReadAllBytes(Path.Combine(dir, "output.bin")));
            Assert.True(ExportCommand.RelativeError(y.Span, torch.Span) <= 1e-4);
        }
        finally { File.Delete(yPath); }
        AssertCleanError(Run("run", model, "--input", input, "--shape", "2,3,32,32"), "--shape 2×3×32×32 needs 6,144");
        AssertCleanError(Run("run", model, "--input", input, "--shape", "4,1,16,32"), "takes N×1×32×32");
        AssertCleanError(Run("run", model, "--input", input, "--shape", "2,x"), "not a list of positive integers");
        AssertCleanError(Run("run", model, "--input", SharedData.Temp("missing.npy")), "not found");
        AssertCleanError(Run("run", model, "--output", "y.npy"), "--output and --shape go with --input");
    }

    [Fact]
    public void Missing_or_malformed_model_files_are_clear_errors()
    {
        foreach (var command in new[] { "summary", "run", "export" })
        {
            var args = command == "export" ? new[] { command, "missing.onnx", SharedData.Temp("out.onnx") } : [command, "missing.onnx"];
            AssertCleanError(Run(args), "model file 'missing.onnx' not found");
        }
        string bad = SharedData.Temp("bad.onnx");
        File.WriteAllBytes(bad, [1, 2, 3, 4, 5]);
        try
        {
            var r = Run("summary", bad);
            Assert.Equal(1, r.Code);
            Assert.Contains("error:", r.Output);
            Assert.DoesNotContain("   at ", r.Output);
        }
        finally { File.Delete(bad); }
        AssertCleanError(Run("summary", "resnet-nope"), "unknown architecture 'resnet-nope'");
    }

    // ---- export ----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("lenet5")]
    [InlineData("cifar-resnet20")]
    public void Export_round_trips(string arch)
    {
        string path = SharedData.Temp($"{arch}.onnx"), again = SharedData.Temp($"{arch}-again.onnx");
        try
        {
            var (code, output) = Run("export", arch, path, "--seed", "3", "--threads", "1");
            Assert.Equal(0, code);
            Assert.Contains("same outputs", output);
            Assert.Contains("opset 13", output);
            // Re-import independently and compare with the zoo network built with the same seed.
            var original = SharpConv.Zoo.Zoo.Get(arch).Build(new SharpConv.Zoo.ZooOptions { Seed = 3 });
            var back = ModelSource.Load(path, 2);
            Assert.Equal(original.ParameterCount, back.ParameterCount);
            var x = Tensor.RandomNormal(original.InputShape.WithBatch(2), 11);
            using var a = original.Compile(new SharpConv.Compilation.CompileOptions { Threads = 1 });
            using var b = back.Compile(new SharpConv.Compilation.CompileOptions { Threads = 1 });
            Assert.True(ExportCommand.RelativeError(b.Run(x).Span, a.Run(x).Span) <= 1e-5);
            // An .onnx file exports again (ONNX in, ONNX out).
            (code, output) = Run("export", path, again);
            Assert.Equal(0, code);
            Assert.Contains("same outputs", output);
        }
        finally { File.Delete(path); File.Delete(again); }
    }

    [Fact]
    public void Export_refuses_a_bad_output_path()
    {
        AssertCleanError(Run("export", "lenet5", SharedData.Temp("out.txt")), "must end in .onnx");
        AssertCleanError(Run("export", "lenet5", Path.Combine(SharedData.Temp("no-such-dir"), "x.onnx")), "does not exist");
    }
}
