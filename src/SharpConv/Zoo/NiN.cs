using SharpConv.Graph;

namespace SharpConv.Zoo;

public static partial class Zoo
{
    /// <summary>
    /// Network in Network (Lin, Chen &amp; Yan 2013), the authors' ImageNet model, 224×224×3: four mlpconv blocks
    /// (a conv followed by two 1×1 "cccp" convs, each with ReLU) with max pooling between them, no FC layer — the last
    /// block ends on a 1000-channel map that global average pooling turns into the class scores. Inputs down to about
    /// 60×60 work.
    /// </summary>
    public static Network NiN(ZooOptions? options = null)
    {
        var o = options ?? new ZooOptions();
        var b = Start("nin", o);
        int side = o.Side(224);
        var x = b.Input(3, side, side, o.Batch);
        x = MlpConv(x, "mlpconv1", o.Wd(96), o.Wd(96), 11, stride: 4, padding: 0).MaxPool(3, 2, ceilMode: true, name: "pool1");  // 54 → 27
        x = MlpConv(x, "mlpconv2", o.Wd(256), o.Wd(256), 5, stride: 1, padding: 2).MaxPool(3, 2, ceilMode: true, name: "pool2"); // 27 → 13
        x = MlpConv(x, "mlpconv3", o.Wd(384), o.Wd(384), 3, stride: 1, padding: 1).MaxPool(3, 2, ceilMode: true, name: "pool3"); // 13 → 6
        x = MlpConv(x.Dropout(), "mlpconv4", o.Wd(1024), o.Classes ?? 1000, 3, stride: 1, padding: 1);
        return b.Build(x.GlobalAvgPool(name: "pool4").Flatten());
    }

    /// <summary>An mlpconv block: k×k conv → ReLU → 1×1 conv → ReLU → 1×1 conv (<paramref name="outChannels"/>) → ReLU.</summary>
    private static Value MlpConv(Value x, string scope, int width, int outChannels, int kernel, int stride, int padding)
    {
        using var _ = x.Builder.Scope(scope);
        x = x.Conv(width, kernel, stride, padding, name: "conv").Relu();
        x = x.Conv(width, 1, name: "cccp1").Relu();
        return x.Conv(outChannels, 1, name: "cccp2").Relu();
    }
}
