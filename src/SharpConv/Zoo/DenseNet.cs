using SharpConv.Graph;

namespace SharpConv.Zoo;

public static partial class Zoo
{
    /// <summary>
    /// DenseNet-BC (Huang et al. 2017) in torchvision's layout, 224×224×3: conv7×7/2 64 → BN → ReLU → maxpool 3/2, four
    /// dense blocks whose layers (BN → ReLU → 1×1 conv 4k → BN → ReLU → 3×3 conv k, growth k = 32) each concatenate their
    /// k new maps to everything before, transitions (BN → ReLU → 1×1 conv halving the channels → 2×2 avgpool) between
    /// blocks, a final BN → ReLU, global average pooling, one FC. Blocks of 6-12-24-16 layers give DenseNet-121
    /// (7,978,856 parameters), 6-12-32-32 DenseNet-169, 6-12-48-32 DenseNet-201. Any input of at least 32×32 works.
    /// </summary>
    public static Network DenseNet(int depth, ZooOptions? options = null)
    {
        int[] layers = depth switch
        {
            121 => [6, 12, 24, 16],
            169 => [6, 12, 32, 32],
            201 => [6, 12, 48, 32],
            _ => throw new InvalidLayerException($"densenet{depth}", "DenseNet depth must be 121, 169 or 201."),
        };
        var o = options ?? new ZooOptions();
        var b = Start($"densenet{depth}", o);
        int side = o.Side(224), growth = o.Wd(32);
        var x = b.Input(3, side, side, o.Batch);
        x = x.Conv(o.Wd(64), 7, stride: 2, padding: 3, bias: false, name: "conv0").BatchNorm(name: "norm0").Relu(name: "relu0")
             .MaxPool(3, 2, padding: 1, name: "pool0");                                                              // 112 → 56
        for (int block = 0; block < layers.Length; block++)
        {
            using (b.Scope($"denseblock{block + 1}"))
            {
                var features = new List<Value> { x };
                for (int i = 0; i < layers[block]; i++)
                {
                    using var _ = b.Scope($"denselayer{i + 1}");
                    // Each layer reads the concatenation of the block input and every earlier layer's k maps.
                    var input = features.Count == 1 ? features[0] : b.Concat(features);
                    var y = input.BatchNorm(name: "norm1").Relu().Conv(4 * growth, 1, bias: false, name: "conv1");
                    features.Add(y.BatchNorm(name: "norm2").Relu().Conv(growth, 3, padding: 1, bias: false, name: "conv2"));
                }
                x = b.Concat(features);
            }
            if (block < layers.Length - 1)
            {
                using var _ = b.Scope($"transition{block + 1}");
                x = x.BatchNorm(name: "norm").Relu().Conv(x.Channels / 2, 1, bias: false, name: "conv").AvgPool(2, 2, name: "pool");
            }
        }
        x = x.BatchNorm(name: "norm5").Relu().GlobalAvgPool(name: "avgpool").Flatten();
        return b.Build(x.Linear(o.Classes ?? 1000, name: "classifier"));
    }
}
