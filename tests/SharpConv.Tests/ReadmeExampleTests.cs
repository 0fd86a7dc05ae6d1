using SharpConv.Compilation;
using SharpConv.Graph;

namespace SharpConv.Tests;

/// <summary>The library example of README.md, verbatim, so the README cannot rot.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void TheReadmeExampleRuns()
    {
        var b = new NetworkBuilder("tiny-resnet");
        var x = b.Input(3, 32, 32);
        x = x.Conv(16, 3, padding: 1).BatchNorm().Relu();
        var branch = x.Conv(16, 3, padding: 1).BatchNorm().Relu().Conv(16, 3, padding: 1).BatchNorm();
        x = branch.Add(x).Relu();
        var net = b.Build(x.GlobalAvgPool().Flatten().Linear(10));        // shapes are checked as you build

        using var compiled = net.Compile(new CompileOptions { Threads = 2 }); // BN folded, ReLU and residual fused, kernels chosen
        var output = compiled.Run(Tensor.RandomNormal(new Shape(1, 3, 32, 32), seed: 1));

        var vgg = global::SharpConv.Zoo.Zoo.Build("vgg16");                  // or SharpConv.Onnx.OnnxModel.Load("model.onnx")
        string text = global::SharpConv.Analysis.Summary.Of(vgg).ToText();

        Assert.Equal(new Shape(1, 10), output.Shape);
        Assert.Equal(3, compiled.Steps.Count(s => s.Kind == "Conv2d"));
        Assert.DoesNotContain(compiled.Steps, s => s.Kind is "BatchNorm" or "ReLU" or "Add");
        Assert.Contains("138,357,544", text);
    }
}
