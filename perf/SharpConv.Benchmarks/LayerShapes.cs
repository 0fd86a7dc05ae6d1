using SharpConv.Graph;

namespace SharpConv.Benchmarks;

/// <summary>A convolution layer shape taken from a real network (batch 1).</summary>
public sealed record ConvShape(string Name, int C, int H, int W, int K, int R, int Stride, int Pad, int Groups = 1)
{
    /// <summary>A one-layer network with this convolution (bias, no activation).</summary>
    public Network Build()
    {
        var b = new NetworkBuilder($"conv-{Name}", seed: 11);
        return b.Build(b.Input(C, H, W).Conv(K, R, Stride, Pad, groups: Groups, name: "conv"));
    }

    /// <summary>Whether the named algorithm can run this shape (the chooser's own rule).</summary>
    public bool Supports(string algorithm) =>
        SharpConv.Kernels.Conv.ConvAlgorithmChooser.Supports(
            SharpConv.Compilation.FastKernels.ConvAlgorithmNames.TryGetValue(algorithm, out var known) ? known : SharpConv.Kernels.Conv.ConvAlgorithm.Reference,
            new SharpConv.Kernels.Conv.ConvParams(C, H, W, K, R, R, Stride, Pad, 1, Groups));

    /// <summary>Multiply-accumulates of one image.</summary>
    public long Macs => Build().Macs;

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>The real layer shapes of the conv lanes (the list: VGG, ResNet-50, GoogLeNet, AlexNet, DenseNet-121).</summary>
public static class LayerShapes
{
    public static readonly ConvShape[] All =
    [
        new("vgg16.conv1_2", 64, 224, 224, 64, 3, 1, 1),
        new("vgg16.conv3_2", 256, 56, 56, 256, 3, 1, 1),
        new("vgg16.conv5_2", 512, 14, 14, 512, 3, 1, 1),
        new("resnet50.layer1.1x1", 256, 56, 56, 64, 1, 1, 0),
        new("resnet50.layer3.1x1", 1024, 14, 14, 256, 1, 1, 0),
        new("resnet50.layer1.3x3", 64, 56, 56, 64, 3, 1, 1),
        new("resnet50.layer3.3x3", 256, 14, 14, 256, 3, 1, 1),
        new("resnet50.conv1", 3, 224, 224, 64, 7, 2, 3),
        new("alexnet.conv1", 3, 227, 227, 96, 11, 4, 0),
        new("alexnet.conv2", 64, 27, 27, 192, 5, 1, 2),
        new("googlenet.3a.5x5", 16, 28, 28, 32, 5, 1, 2),
        new("densenet121.dense3.3x3", 128, 14, 14, 32, 3, 1, 1),
        new("resnext50.layer2.g32", 256, 28, 28, 256, 3, 1, 1, 32),
    ];

    public static ConvShape Get(string name) => All.First(s => s.Name == name);
}
