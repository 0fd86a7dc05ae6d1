using SharpConv.Graph;

namespace SharpConv.Zoo;

public static partial class Zoo
{
    /// <summary>
    /// Pre-activation ResNet for CIFAR-10 (He et al. 2016, "Identity Mappings in Deep Residual Networks"), 32×32×3,
    /// as in the authors' code: conv3×3 16, three stages of BN → ReLU → conv residual units — basic (two 3×3;
    /// depth 110 = 6n + 2, 16/32/64 filters) or bottleneck (1×1, 3×3, 1×1 ×4; depth 164 or 1001 = 9n + 2,
    /// 64/128/256 out) — with a clean identity path and a 1×1 projection (on the pre-activated input) where the shape
    /// changes, then BN → ReLU → global average pooling → FC10. ResNet-110 and -164 have about 1.7M parameters,
    /// ResNet-1001 10.2M. Any input of at least 4×4 works.
    /// </summary>
    /// <exception cref="InvalidLayerException"><paramref name="depth"/> fits neither form.</exception>
    public static Network PreActResNet(int depth, ZooOptions? options = null)
    {
        var o = options ?? new ZooOptions();
        string name = $"preact-resnet{depth}";
        bool bottleneck = depth >= 164;
        int per = bottleneck ? 9 : 6;
        if (depth < 8 || (depth - 2) % per != 0)
            throw new InvalidLayerException(name, $"depth must be 6n + 2 (basic units, e.g. 110) or 9n + 2 ≥ 164 (bottleneck units, e.g. 164, 1001), found {depth}.");
        int n = (depth - 2) / per;
        var b = Start(name, o);
        int side = o.Side(32);
        var x = b.Input(3, side, side, o.Batch);
        x = x.Conv(o.Wd(16), 3, padding: 1, bias: false, name: "conv1");
        float gamma = Blocks.ResidualGamma(3 * n);
        for (int stage = 0; stage < 3; stage++)
        {
            using var _ = b.Scope($"layer{stage + 1}");
            int width = o.Wd(16 << stage);
            for (int i = 0; i < n; i++)
            {
                using var __ = b.Scope($"{i}");
                int stride = stage > 0 && i == 0 ? 2 : 1;
                x = bottleneck ? PreActBottleneck(x, width, stride, gamma) : PreActBasic(x, width, stride, dropout: 0, gamma);
            }
        }
        x = x.BatchNorm(name: "bn").Relu().GlobalAvgPool(name: "avgpool").Flatten();
        return b.Build(x.Linear(o.Classes ?? 10, name: "linear"));
    }

    /// <summary>
    /// Pre-activation basic unit: BN → ReLU → 3×3 (stride) → BN → ReLU → [dropout] → 3×3, + shortcut. The second BN's
    /// γ starts small: ReLU and conv are linear in it, so it scales the whole residual branch (random-weight health).
    /// </summary>
    private static Value PreActBasic(Value x, int width, int stride, float dropout, float gamma)
    {
        var a = x.BatchNorm(name: "bn1").Relu();
        var y = a.Conv(width, 3, stride, padding: 1, bias: false, name: "conv1").BatchNorm(1e-5f, gamma, name: "bn2").Relu();
        if (dropout > 0) y = y.Dropout(dropout);
        y = y.Conv(width, 3, padding: 1, bias: false, name: "conv2");
        return y.Add(PreActShortcut(x, a, width, stride));
    }

    /// <summary>Pre-activation bottleneck unit: BN → ReLU → 1×1 (stride, as the authors' code) → BN → ReLU → 3×3 → BN → ReLU → 1×1 ×4, + shortcut.</summary>
    private static Value PreActBottleneck(Value x, int width, int stride, float gamma)
    {
        var a = x.BatchNorm(name: "bn1").Relu();
        var y = a.Conv(width, 1, stride, bias: false, name: "conv1").BatchNorm(name: "bn2").Relu();
        y = y.Conv(width, 3, padding: 1, bias: false, name: "conv2").BatchNorm(1e-5f, gamma, name: "bn3").Relu();
        y = y.Conv(width * 4, 1, bias: false, name: "conv3");
        return y.Add(PreActShortcut(x, a, width * 4, stride));
    }

    /// <summary>The identity (on the raw input), or a 1×1 projection of the pre-activated input where the shape changes.</summary>
    private static Value PreActShortcut(Value x, Value activated, int outChannels, int stride) =>
        stride == 1 && x.Channels == outChannels ? x : activated.Conv(outChannels, 1, stride, bias: false, name: "shortcut");
}
