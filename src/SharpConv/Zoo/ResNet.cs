using SharpConv.Graph;

namespace SharpConv.Zoo;

public static partial class Zoo
{
    /// <summary>
    /// ResNet (He et al. 2015) for ImageNet in torchvision's layout, 224×224×3: conv7×7/2 64 → BN → ReLU → maxpool 3/2,
    /// four stages of 64/128/256/512 filters (×4 out of a bottleneck), global average pooling, one FC.
    /// <paramref name="depth"/> 18 and 34 use basic blocks (two 3×3), 50/101/152 bottlenecks (1×1 reduce, 3×3, 1×1
    /// expand) with the stride on the 3×3 ("v1.5"). Shortcuts are identities, or a 1×1 conv + BN projection where the
    /// shape changes (option B). Global pooling, so any input of at least 32×32 works.
    /// </summary>
    public static Network ResNet(int depth, ZooOptions? options = null) => depth switch
    {
        18 => ResNet("resnet18", bottleneck: false, [2, 2, 2, 2], 1, 64, options),
        34 => ResNet("resnet34", bottleneck: false, [3, 4, 6, 3], 1, 64, options),
        50 => ResNet("resnet50", bottleneck: true, [3, 4, 6, 3], 1, 64, options),
        101 => ResNet("resnet101", bottleneck: true, [3, 4, 23, 3], 1, 64, options),
        152 => ResNet("resnet152", bottleneck: true, [3, 8, 36, 3], 1, 64, options),
        _ => throw new InvalidLayerException($"resnet{depth}", "ImageNet ResNets have depth 18, 34, 50, 101 or 152."),
    };

    /// <summary>
    /// The torchvision ResNet family. The bottleneck's inner width is <c>planes · widthPerGroup / 64 · groups</c>:
    /// 64 per group and 1 group is ResNet, 128 is Wide ResNet-50-2, 32 groups of 4 is ResNeXt-50 32×4d.
    /// </summary>
    private static Network ResNet(string name, bool bottleneck, int[] blocks, int groups, int widthPerGroup, ZooOptions? options)
    {
        var o = options ?? new ZooOptions();
        var b = Start(name, o);
        int side = o.Side(224);
        var x = b.Input(3, side, side, o.Batch);
        x = x.Conv(o.Wd(64), 7, stride: 2, padding: 3, bias: false, name: "conv1").BatchNorm(name: "bn1").Relu(name: "relu")
             .MaxPool(3, 2, padding: 1, name: "maxpool");                                                            // 112 → 56
        float gamma = Blocks.ResidualGamma(blocks.Sum());
        for (int stage = 0; stage < 4; stage++)
        {
            int planes = 64 << stage;
            using var _ = b.Scope($"layer{stage + 1}");
            for (int i = 0; i < blocks[stage]; i++)
            {
                int stride = stage > 0 && i == 0 ? 2 : 1;
                using var __ = b.Scope($"{i}");
                x = bottleneck
                    ? Bottleneck(x, o.Wd(planes * 4), o.Grouped(planes * widthPerGroup / 64 * groups, groups, $"{name} layer{stage + 1}.{i}.conv2"), stride, groups, gamma)
                    : BasicBlock(x, o.Wd(planes), stride, gamma);
            }
        }
        x = x.GlobalAvgPool(name: "avgpool").Flatten().Linear(o.Classes ?? 1000, name: "fc");
        return b.Build(x);
    }

    /// <summary>Basic block: 3×3 → BN → ReLU → 3×3 → BN (γ small, see <see cref="Blocks.ResidualGamma"/>), + shortcut, ReLU.</summary>
    private static Value BasicBlock(Value x, int planes, int stride, float gamma)
    {
        var y = x.Conv(planes, 3, stride, padding: 1, bias: false, name: "conv1").BatchNorm(name: "bn1").Relu();
        y = y.Conv(planes, 3, padding: 1, bias: false, name: "conv2").BatchNorm(1e-5f, gamma, name: "bn2");
        return y.Add(Projection(x, planes, stride)).Relu();
    }

    /// <summary>Bottleneck: 1×1 → BN → ReLU → 3×3 (stride, groups) → BN → ReLU → 1×1 → BN (γ small), + shortcut, ReLU.</summary>
    private static Value Bottleneck(Value x, int outChannels, int width, int stride, int groups, float gamma)
    {
        var y = x.Conv(width, 1, bias: false, name: "conv1").BatchNorm(name: "bn1").Relu();
        y = y.Conv(width, 3, stride, padding: 1, groups: groups, bias: false, name: "conv2").BatchNorm(name: "bn2").Relu();
        y = y.Conv(outChannels, 1, bias: false, name: "conv3").BatchNorm(1e-5f, gamma, name: "bn3");
        return y.Add(Projection(x, outChannels, stride)).Relu();
    }

    /// <summary>Option-B shortcut: the identity, or <c>downsample</c> = 1×1 conv (stride) → BN where the shape changes.</summary>
    private static Value Projection(Value x, int outChannels, int stride)
    {
        if (stride == 1 && x.Channels == outChannels) return x;
        using var _ = x.Builder.Scope("downsample");
        return x.Conv(outChannels, 1, stride, bias: false, name: "0").BatchNorm(name: "1");
    }
}
