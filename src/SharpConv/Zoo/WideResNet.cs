using SharpConv.Graph;

namespace SharpConv.Zoo;

public static partial class Zoo
{
    /// <summary>
    /// Wide ResNet-50-2 (Zagoruyko &amp; Komodakis 2016) in torchvision's layout, 224×224×3: ResNet-50 whose bottleneck
    /// inner convs are twice as wide (128·2^stage) — 68,883,240 parameters, 11.398 GMACs, the width that beats ResNet-152.
    /// </summary>
    public static Network WideResNet50_2(ZooOptions? options = null) =>
        ResNet("wide_resnet50_2", bottleneck: true, [3, 4, 6, 3], groups: 1, widthPerGroup: 128, options);

    /// <summary>
    /// WRN-d-k for CIFAR-10 (the paper's own networks), 32×32×3: conv3×3 16, three groups of (d − 4)/6 pre-activation
    /// basic blocks of 16k, 32k, 64k filters with dropout between the convs and a 1×1 projection where the width
    /// changes, BN → ReLU → global average pooling → FC10. WRN-28-10 has 36.5M parameters. Any input of at least 4×4 works.
    /// </summary>
    /// <exception cref="InvalidLayerException"><paramref name="depth"/> is not 6n + 4.</exception>
    public static Network WideResNetCifar(int depth = 28, int widen = 10, ZooOptions? options = null)
    {
        var o = options ?? new ZooOptions();
        string name = $"wrn-{depth}-{widen}";
        if (depth < 10 || (depth - 4) % 6 != 0) throw new InvalidLayerException(name, $"depth must be 6n + 4 (e.g. 16, 28, 40), found {depth}.");
        if (widen < 1) throw new InvalidLayerException(name, $"the widening factor must be ≥ 1, found {widen}.");
        var b = Start(name, o);
        int side = o.Side(32);
        var x = b.Input(3, side, side, o.Batch);
        x = x.Conv(o.Wd(16), 3, padding: 1, bias: false, name: "conv1");
        float gamma = Blocks.ResidualGamma(3 * ((depth - 4) / 6));
        for (int group = 0; group < 3; group++)
        {
            using var _ = b.Scope($"block{group + 1}");
            for (int i = 0; i < (depth - 4) / 6; i++)
            {
                using var __ = b.Scope($"{i}");
                x = PreActBasic(x, o.Wd((16 << group) * widen), stride: group > 0 && i == 0 ? 2 : 1, dropout: 0.3f, gamma);
            }
        }
        x = x.BatchNorm(name: "bn").Relu().GlobalAvgPool(name: "avgpool").Flatten();
        return b.Build(x.Linear(o.Classes ?? 10, name: "fc"));
    }
}
