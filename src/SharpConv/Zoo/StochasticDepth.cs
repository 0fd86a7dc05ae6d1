using SharpConv.Graph;

namespace SharpConv.Zoo;

public static partial class Zoo
{
    /// <summary>
    /// Stochastic Depth (Huang et al. 2016) at test time: the CIFAR-10 ResNet-110 of the paper (54 basic blocks, 16/32/64
    /// filters, parameter-free shortcuts that subsample and zero-pad), where block l of L keeps its residual branch with
    /// survival probability <c>p_l = 1 − l/L · (1 − p_L)</c>, p_L = 0.5 (linear decay). Training drops whole blocks;
    /// the full network runs at test time with each branch scaled by its p_l: <c>x + p_l · F(x)</c>.
    /// Same 1.7M parameters as ResNet-110. Any input of at least 4×4 works.
    /// </summary>
    public static Network StochasticDepthResNet(int depth = 110, float lastSurvival = 0.5f, ZooOptions? options = null)
    {
        var o = options ?? new ZooOptions();
        string name = $"stochastic-depth-resnet{depth}";
        if (depth < 8 || (depth - 2) % 6 != 0) throw new InvalidLayerException(name, $"depth must be 6n + 2, found {depth}.");
        if (!(lastSurvival > 0 && lastSurvival <= 1)) throw new InvalidLayerException(name, $"p_L must be in (0, 1], found {lastSurvival}.");
        var b = Start(name, o);
        int side = o.Side(32), n = (depth - 2) / 6, total = 3 * n, l = 0;
        var x = b.Input(3, side, side, o.Batch);
        x = x.Conv(o.Wd(16), 3, padding: 1, bias: false, name: "conv1").BatchNorm(name: "bn1").Relu();
        float gamma = Blocks.ResidualGamma(total);
        for (int stage = 0; stage < 3; stage++)
        {
            using var _ = b.Scope($"layer{stage + 1}");
            for (int i = 0; i < n; i++)
            {
                using var __ = b.Scope($"{i}");
                int planes = o.Wd(16 << stage), stride = stage > 0 && i == 0 ? 2 : 1;
                float survival = 1f - (float)++l / total * (1f - lastSurvival);
                var y = x.Conv(planes, 3, stride, padding: 1, bias: false, name: "conv1").BatchNorm(name: "bn1").Relu();
                y = y.Conv(planes, 3, padding: 1, bias: false, name: "conv2").BatchNorm(1e-5f, gamma, name: "bn2");
                // The authors' shortcut pads the new channels after the old ones (nn.Padding), not on both sides.
                var shortcut = stride == 1 && x.Channels == planes ? x : x.Then(new Ops.ChannelZeroPad(0, planes - x.Channels, stride), "shortcut");
                x = y.Scale(survival, name: "survival").Add(shortcut).Relu();
            }
        }
        return b.Build(x.GlobalAvgPool(name: "avgpool").Flatten().Linear(o.Classes ?? 10, name: "linear"));
    }
}
