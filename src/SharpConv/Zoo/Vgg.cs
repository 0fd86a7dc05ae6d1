using SharpConv.Graph;

namespace SharpConv.Zoo;

public static partial class Zoo
{
    /// <summary>
    /// The configurations of Simonyan &amp; Zisserman's Table 1, one stage per string: a number is a 3×3 conv with that
    /// many filters, <c>n/1</c> a 1×1 conv (configuration C), <c>LRN</c> the local response normalisation of A-LRN;
    /// each stage ends with a 2×2/2 max pool.
    /// </summary>
    private static readonly Dictionary<char, string[]> VggConfigs = new()
    {
        ['A'] = ["64", "128", "256 256", "512 512", "512 512"],
        ['L'] = ["64 LRN", "128", "256 256", "512 512", "512 512"],
        ['B'] = ["64 64", "128 128", "256 256", "512 512", "512 512"],
        ['C'] = ["64 64", "128 128", "256 256 256/1", "512 512 512/1", "512 512 512/1"],
        ['D'] = ["64 64", "128 128", "256 256 256", "512 512 512", "512 512 512"],
        ['E'] = ["64 64", "128 128", "256 256 256 256", "512 512 512 512", "512 512 512 512"],
    };

    /// <summary>
    /// VGG configuration <paramref name="config"/> ('A', 'L' = A-LRN, 'B', 'C', 'D', 'E') in torchvision's layout:
    /// 3×3 stride-1 pad-1 convs (with bias) and ReLU, optional BatchNorm after each conv, adaptive average pooling to
    /// 7×7 (so 224×224 is the default, not the only size: at least 32×32), FC4096 → FC4096 → FC1000.
    /// A = vgg11 (132,863,336 parameters), B = vgg13, D = vgg16 (138,357,544), E = vgg19.
    /// </summary>
    public static Network Vgg(char config, bool batchNorm = false, ZooOptions? options = null)
    {
        var o = options ?? new ZooOptions();
        if (!VggConfigs.TryGetValue(config, out var stages))
            throw new InvalidLayerException("vgg", $"no configuration '{config}'; known: A, L (A-LRN), B, C, D, E.");
        string name = config switch
        {
            'A' => "vgg11", 'B' => "vgg13", 'D' => "vgg16", 'E' => "vgg19", 'L' => "vgg-a-lrn", _ => "vgg-c",
        } + (batchNorm ? "_bn" : "");
        var b = Start(name, o);
        int side = o.Side(224);
        var x = b.Input(3, side, side, o.Batch);
        for (int s = 0; s < stages.Length; s++)
        {
            using var _ = b.Scope($"block{s + 1}");
            foreach (string layer in stages[s].Split(' '))
            {
                if (layer == "LRN") { x = x.Lrn(); continue; }
                var parts = layer.Split('/');
                x = x.Conv(o.Wd(int.Parse(parts[0])), parts.Length > 1 ? 1 : 3, padding: parts.Length > 1 ? 0 : 1);
                if (batchNorm) x = x.BatchNorm();
                x = x.Relu();
            }
            x = x.MaxPool(2, 2, name: "pool");
        }
        x = x.AdaptiveAvgPool(7, 7, name: "avgpool").Flatten();
        using (b.Scope("classifier"))
        {
            x = x.Linear(o.Wd(4096), name: "fc6").Relu().Dropout();
            x = x.Linear(o.Wd(4096), name: "fc7").Relu().Dropout();
            x = x.Linear(o.Classes ?? 1000, name: "fc8");
        }
        return b.Build(x);
    }
}
