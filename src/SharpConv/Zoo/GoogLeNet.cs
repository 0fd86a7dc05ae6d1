using SharpConv.Graph;

namespace SharpConv.Zoo;

public static partial class Zoo
{
    /// <summary>
    /// GoogLeNet / Inception v1 (Szegedy et al. 2014) in torchvision's layout, 224×224×3: every conv is
    /// conv → BN → ReLU, nine Inception modules, global average pooling, one FC — 6,624,904 parameters.
    /// With <paramref name="auxiliary"/> the two training-time classifiers (after 4a and 4d) become extra outputs,
    /// in the order main, aux1, aux2 (13,004,888 parameters).
    /// </summary>
    /// <remarks>
    /// torchvision's "5×5" branch is a 3×3 conv (a known slip kept for weight compatibility); it is kept here too so
    /// the parameter count and the 1.498 GMACs match torchvision. Any input of at least 32×32 works (the auxiliary
    /// heads pool adaptively to 4×4).
    /// </remarks>
    public static Network GoogLeNet(bool auxiliary = false, ZooOptions? options = null)
    {
        var o = options ?? new ZooOptions();
        var b = Start(auxiliary ? "googlenet-aux" : "googlenet", o);
        int side = o.Side(224);
        var x = b.Input(3, side, side, o.Batch);
        x = x.Basic("conv1", o.Wd(64), 7, stride: 2, padding: 3).MaxPool(3, 2, ceilMode: true, name: "maxpool1");   // 112 → 56
        x = x.Basic("conv2", o.Wd(64), 1).Basic("conv3", o.Wd(192), 3, padding: 1).MaxPool(3, 2, ceilMode: true, name: "maxpool2"); // 28
        //                            1×1  3×3red 3×3  5×5red 5×5 pool proj
        x = InceptionV1(x, "inception3a", 64, 96, 128, 16, 32, 32, o);
        x = InceptionV1(x, "inception3b", 128, 128, 192, 32, 96, 64, o).MaxPool(3, 2, ceilMode: true, name: "maxpool3"); // 14
        x = InceptionV1(x, "inception4a", 192, 96, 208, 16, 48, 64, o);
        var aux1 = x;
        x = InceptionV1(x, "inception4b", 160, 112, 224, 24, 64, 64, o);
        x = InceptionV1(x, "inception4c", 128, 128, 256, 24, 64, 64, o);
        x = InceptionV1(x, "inception4d", 112, 144, 288, 32, 64, 64, o);
        var aux2 = x;
        x = InceptionV1(x, "inception4e", 256, 160, 320, 32, 128, 128, o).MaxPool(2, 2, ceilMode: true, name: "maxpool4"); // 7
        x = InceptionV1(x, "inception5a", 256, 160, 320, 32, 128, 128, o);
        x = InceptionV1(x, "inception5b", 384, 192, 384, 48, 128, 128, o);
        x = x.GlobalAvgPool(name: "avgpool").Flatten().Dropout(0.2f).Linear(o.Classes ?? 1000, name: "fc");
        if (!auxiliary) return b.Build(x);
        return b.Build([x, AuxiliaryV1(aux1, "aux1", o), AuxiliaryV1(aux2, "aux2", o)]);
    }

    /// <summary>The Inception module with dimension reductions: 1×1 | 1×1 → 3×3 | 1×1 → "5×5" | 3×3 maxpool → 1×1, concatenated.</summary>
    private static Value InceptionV1(Value x, string scope, int c1, int c3Reduce, int c3, int c5Reduce, int c5, int poolProj, ZooOptions o)
    {
        var b = x.Builder;
        using var _ = b.Scope(scope);
        var b1 = x.Basic("branch1", o.Wd(c1), 1);
        Value b2, b3, b4;
        using (b.Scope("branch2")) b2 = x.Basic("0", o.Wd(c3Reduce), 1).Basic("1", o.Wd(c3), 3, padding: 1);
        using (b.Scope("branch3")) b3 = x.Basic("0", o.Wd(c5Reduce), 1).Basic("1", o.Wd(c5), 3, padding: 1); // torchvision: 3×3, not 5×5
        using (b.Scope("branch4")) b4 = x.MaxPool(3, 1, padding: 1, ceilMode: true, name: "0").Basic("1", o.Wd(poolProj), 1);
        return b.Concat(b1, b2, b3, b4);
    }

    /// <summary>An auxiliary classifier: adaptive avgpool 4×4 → 1×1 conv 128 → FC1024 → ReLU → dropout 0.7 → FC.</summary>
    private static Value AuxiliaryV1(Value x, string scope, ZooOptions o)
    {
        using var _ = x.Builder.Scope(scope);
        x = x.AdaptiveAvgPool(4, 4).Basic("conv", o.Wd(128), 1).Flatten();
        return x.Linear(o.Wd(1024), name: "fc1").Relu().Dropout(0.7f).Linear(o.Classes ?? 1000, name: "fc2");
    }
}
