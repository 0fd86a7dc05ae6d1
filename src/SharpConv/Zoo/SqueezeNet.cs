using SharpConv.Graph;

namespace SharpConv.Zoo;

public static partial class Zoo
{
    /// <summary>
    /// SqueezeNet (Iandola et al. 2016) in torchvision's layout, 224×224×3: eight fire modules (squeeze 1×1 → expand
    /// 1×1 and 3×3, concatenated) between max pools, no FC — a final 1×1 conv to the classes, ReLU, global average
    /// pooling. Version 1.0 (conv1 7×7/2 96; 1,248,424 parameters, 0.819 GMACs) or 1.1 (conv1 3×3/2 64 and earlier
    /// pooling; 1,235,496 parameters, 0.349 GMACs — AlexNet accuracy with 2.4× less compute than 1.0).
    /// Any input of at least 32×32 works.
    /// </summary>
    public static Network SqueezeNet(bool v11 = false, ZooOptions? options = null)
    {
        var o = options ?? new ZooOptions();
        var b = Start(v11 ? "squeezenet1_1" : "squeezenet1_0", o);
        int side = o.Side(224);
        var x = b.Input(3, side, side, o.Batch);
        //  fire:               squeeze expand1x1 expand3x3
        if (!v11)
        {
            x = x.Conv(o.Wd(96), 7, stride: 2, name: "conv1").Relu().MaxPool(3, 2, ceilMode: true, name: "pool1");   // 109 → 54
            x = Fire(x, "fire2", 16, 64, 64, o); x = Fire(x, "fire3", 16, 64, 64, o); x = Fire(x, "fire4", 32, 128, 128, o);
            x = x.MaxPool(3, 2, ceilMode: true, name: "pool4");                                                       // 27
            x = Fire(x, "fire5", 32, 128, 128, o); x = Fire(x, "fire6", 48, 192, 192, o);
            x = Fire(x, "fire7", 48, 192, 192, o); x = Fire(x, "fire8", 64, 256, 256, o);
            x = x.MaxPool(3, 2, ceilMode: true, name: "pool8");                                                       // 13
            x = Fire(x, "fire9", 64, 256, 256, o);
        }
        else
        {
            x = x.Conv(o.Wd(64), 3, stride: 2, name: "conv1").Relu().MaxPool(3, 2, ceilMode: true, name: "pool1");   // 111 → 55
            x = Fire(x, "fire2", 16, 64, 64, o); x = Fire(x, "fire3", 16, 64, 64, o);
            x = x.MaxPool(3, 2, ceilMode: true, name: "pool3");                                                       // 27
            x = Fire(x, "fire4", 32, 128, 128, o); x = Fire(x, "fire5", 32, 128, 128, o);
            x = x.MaxPool(3, 2, ceilMode: true, name: "pool5");                                                       // 13
            x = Fire(x, "fire6", 48, 192, 192, o); x = Fire(x, "fire7", 48, 192, 192, o);
            x = Fire(x, "fire8", 64, 256, 256, o); x = Fire(x, "fire9", 64, 256, 256, o);
        }
        using (b.Scope("classifier"))
            x = x.Dropout().Conv(o.Classes ?? 1000, 1, name: "conv10").Relu().GlobalAvgPool(name: "avgpool").Flatten();
        return b.Build(x);
    }

    /// <summary>Fire module: squeeze 1×1 → ReLU, then expand 1×1 → ReLU and expand 3×3 → ReLU side by side, concatenated.</summary>
    private static Value Fire(Value x, string scope, int squeeze, int expand1, int expand3, ZooOptions o)
    {
        using var _ = x.Builder.Scope(scope);
        var s = x.Conv(o.Wd(squeeze), 1, name: "squeeze").Relu();
        return x.Builder.Concat(s.Conv(o.Wd(expand1), 1, name: "expand1x1").Relu(), s.Conv(o.Wd(expand3), 3, padding: 1, name: "expand3x3").Relu());
    }
}
