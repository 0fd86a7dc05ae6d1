using SharpConv.Graph;

namespace SharpConv.Zoo;

public static partial class Zoo
{
    /// <summary>
    /// ResNeXt-50 32×4d (Xie et al. 2016), torchvision's layout, 224×224×3: ResNet-50 whose bottleneck 3×3 is split
    /// into C = 32 parallel paths of width 4·2^stage — one grouped convolution (groups = 32) of widths 128, 256, 512,
    /// 1024. 25,028,904 parameters, 4.230 GMACs. <see cref="ZooOptions.WidthDivisor"/> must leave those widths
    /// divisible by 32 (1, 2 or 4).
    /// </summary>
    /// <exception cref="InvalidLayerException">The width divisor breaks the 32 groups.</exception>
    public static Network ResNeXt50_32x4d(ZooOptions? options = null) =>
        ResNet("resnext50_32x4d", bottleneck: true, [3, 4, 6, 3], groups: 32, widthPerGroup: 4, options);
}
