using SharpConv.Graph;

namespace SharpConv.Zoo;

public static partial class Zoo
{
    /// <summary>
    /// AlexNet as published (Krizhevsky et al. 2012), 227×227×3: conv11×11/4 96 → LRN → maxpool 3/2 → conv5×5 256 →
    /// LRN → maxpool → conv3×3 384 → conv3×3 384 → conv3×3 256 → maxpool → FC4096 → FC4096 → FC1000.
    /// With <paramref name="grouped"/> the two-GPU split is kept as groups = 2 on conv2, conv4 and conv5
    /// (60,965,224 parameters); without it every conv sees all channels (62,378,344).
    /// </summary>
    /// <remarks>
    /// The paper normalises before pooling ("response-normalization layers follow the first and second convolutional
    /// layers; max-pooling layers follow both"); CS231n and CaffeNet draw pool then LRN — same parameters, same shapes.
    /// The FC head fixes the input at 227×227.
    /// </remarks>
    public static Network AlexNetPaper(bool grouped = true, ZooOptions? options = null)
    {
        var o = options ?? new ZooOptions();
        string name = grouped ? "alexnet-paper" : "alexnet-paper-ungrouped";
        var b = Start(name, o, fixedSide: 227);
        int g = grouped ? 2 : 1;
        var x = b.Input(3, 227, 227, o.Batch);
        using (b.Scope("features"))
        {
            x = x.Conv(o.Wd(96), 11, stride: 4, name: "conv1").Relu().Lrn(5, 1e-4f, 0.75f, 2f, name: "norm1").MaxPool(3, 2, name: "pool1");          // 55 → 27
            x = x.Conv(o.Grouped(256, g, $"{name} conv2"), 5, padding: 2, groups: g, name: "conv2").Relu().Lrn(name: "norm2").MaxPool(3, 2, name: "pool2"); // 27 → 13
            x = x.Conv(o.Wd(384), 3, padding: 1, name: "conv3").Relu();
            x = x.Conv(o.Grouped(384, g, $"{name} conv4"), 3, padding: 1, groups: g, name: "conv4").Relu();
            x = x.Conv(o.Grouped(256, g, $"{name} conv5"), 3, padding: 1, groups: g, name: "conv5").Relu().MaxPool(3, 2, name: "pool5"); // 13 → 6
        }
        return b.Build(AlexNetHead(x.Flatten(), o, 4096));
    }

    /// <summary>
    /// torchvision's AlexNet (the "one weird trick" single-GPU variant): 64-192-384-256-256 channels, no LRN,
    /// adaptive average pooling to 6×6 so any input of at least 63×63 works; 224×224 by default, 61,100,840 parameters.
    /// </summary>
    public static Network AlexNet(ZooOptions? options = null)
    {
        var o = options ?? new ZooOptions();
        var b = Start("alexnet", o);
        int side = o.Side(224);
        var x = b.Input(3, side, side, o.Batch);
        using (b.Scope("features"))
        {
            x = x.Conv(o.Wd(64), 11, stride: 4, padding: 2, name: "conv1").Relu().MaxPool(3, 2, name: "pool1");
            x = x.Conv(o.Wd(192), 5, padding: 2, name: "conv2").Relu().MaxPool(3, 2, name: "pool2");
            x = x.Conv(o.Wd(384), 3, padding: 1, name: "conv3").Relu();
            x = x.Conv(o.Wd(256), 3, padding: 1, name: "conv4").Relu();
            x = x.Conv(o.Wd(256), 3, padding: 1, name: "conv5").Relu().MaxPool(3, 2, name: "pool5");
        }
        x = x.AdaptiveAvgPool(6, 6, name: "avgpool").Flatten();
        return b.Build(AlexNetHead(x, o, 4096));
    }

    /// <summary>The classifier AlexNet, ZFNet and VGG share: dropout → FC → ReLU → dropout → FC → ReLU → FC.</summary>
    private static Value AlexNetHead(Value x, ZooOptions o, int hidden)
    {
        using var _ = x.Builder.Scope("classifier");
        x = x.Dropout().Linear(o.Wd(hidden), name: "fc6").Relu();
        x = x.Dropout().Linear(o.Wd(hidden), name: "fc7").Relu();
        return x.Linear(o.Classes ?? 1000, name: "fc8");
    }
}
