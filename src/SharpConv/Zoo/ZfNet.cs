using SharpConv.Graph;

namespace SharpConv.Zoo;

public static partial class Zoo
{
    /// <summary>
    /// ZFNet (Zeiler &amp; Fergus 2013), 224×224×3: AlexNet with a 7×7/2 first conv and a stride-2 conv2, one GPU (no
    /// groups); the pools round up (Caffe) so the maps are 110 → 55 → 26 → 13 → 6 as in the paper's figure.
    /// <paramref name="wide"/> gives the CS231n "ZFNet-512" variant with conv3/4/5 of 512/1024/512 filters.
    /// </summary>
    public static Network ZfNet(bool wide = false, ZooOptions? options = null)
    {
        var o = options ?? new ZooOptions();
        var b = Start(wide ? "zfnet512" : "zfnet", o, fixedSide: 224);
        var x = b.Input(3, 224, 224, o.Batch);
        using (b.Scope("features"))
        {
            x = x.Conv(o.Wd(96), 7, stride: 2, padding: 1, name: "conv1").Relu().MaxPool(3, 2, ceilMode: true, name: "pool1").Lrn(name: "norm1"); // 110 → 55
            x = x.Conv(o.Wd(256), 5, stride: 2, name: "conv2").Relu().MaxPool(3, 2, ceilMode: true, name: "pool2").Lrn(name: "norm2");             // 26 → 13
            x = x.Conv(o.Wd(wide ? 512 : 384), 3, padding: 1, name: "conv3").Relu();
            x = x.Conv(o.Wd(wide ? 1024 : 384), 3, padding: 1, name: "conv4").Relu();
            x = x.Conv(o.Wd(wide ? 512 : 256), 3, padding: 1, name: "conv5").Relu().MaxPool(3, 2, ceilMode: true, name: "pool5");                   // 13 → 6
        }
        return b.Build(AlexNetHead(x.Flatten(), o, 4096));
    }
}
