using SharpConv.Graph;

namespace SharpConv.Zoo;

public static partial class Zoo
{
    /// <summary>
    /// The CIFAR-10 ResNets of He et al. 2015 (section 4.2), 32×32×3: conv3×3 16 → BN → ReLU, three stages of
    /// n = (depth − 2) / 6 basic blocks with 16, 32, 64 filters (maps 32, 16, 8), global average pooling, FC10.
    /// Shortcuts are option A: parameter-free — subsample by 2 and zero-pad the new channels — so ResNet-20 has
    /// 269,722 parameters, exactly as many as its plain twin. With <paramref name="plain"/> there is no shortcut at
    /// all (the paper's "plain" baselines). Global pooling, so any input of at least 4×4 works.
    /// </summary>
    /// <exception cref="InvalidLayerException"><paramref name="depth"/> is not 6n + 2.</exception>
    public static Network CifarResNet(int depth, bool plain = false, ZooOptions? options = null)
    {
        var o = options ?? new ZooOptions();
        string name = $"cifar-{(plain ? "plain" : "resnet")}{depth}";
        if (depth < 8 || (depth - 2) % 6 != 0) throw new InvalidLayerException(name, $"depth must be 6n + 2 (20, 32, 44, 56, 110, 1202), found {depth}.");
        var b = Start(name, o);
        int side = o.Side(32);
        var x = b.Input(3, side, side, o.Batch);
        x = x.Conv(o.Wd(16), 3, padding: 1, bias: false, name: "conv1").BatchNorm(name: "bn1").Relu();
        float gamma = Blocks.ResidualGamma(3 * ((depth - 2) / 6));
        for (int stage = 0; stage < 3; stage++)
        {
            using var _ = b.Scope($"layer{stage + 1}");
            for (int i = 0; i < (depth - 2) / 6; i++)
            {
                using var __ = b.Scope($"{i}");
                int planes = o.Wd(16 << stage), stride = stage > 0 && i == 0 ? 2 : 1;
                var y = x.Conv(planes, 3, stride, padding: 1, bias: false, name: "conv1").BatchNorm(name: "bn1").Relu();
                y = y.Conv(planes, 3, padding: 1, bias: false, name: "conv2");
                x = plain ? y.BatchNorm(name: "bn2").Relu()
                    : y.BatchNorm(1e-5f, gamma, name: "bn2").Add(OptionA(x, planes, stride)).Relu();
            }
        }
        return b.Build(x.GlobalAvgPool(name: "avgpool").Flatten().Linear(o.Classes ?? 10, name: "linear"));
    }

    /// <summary>Option-A shortcut: the identity, or subsample by <paramref name="stride"/> and zero-pad up to <paramref name="channels"/>.</summary>
    private static Value OptionA(Value x, int channels, int stride) =>
        stride == 1 && x.Channels == channels ? x : x.ChannelZeroPad(channels, stride, name: "shortcut");
}
