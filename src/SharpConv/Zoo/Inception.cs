using SharpConv.Graph;

namespace SharpConv.Zoo;

public static partial class Zoo
{
    // ---------------------------------------------------------------- Inception v2 (BN-Inception)

    /// <summary>
    /// Inception v2 / BN-Inception (Ioffe &amp; Szegedy 2015, Figure 5), 224×224×3: GoogLeNet with BatchNorm after
    /// every conv, each 5×5 replaced by two 3×3, average pooling in most modules, and two stride-2 modules (3c, 4e)
    /// instead of the max pools between stages. Inputs must be multiples of 32 of at least 64×64: elsewhere the
    /// stride-2 conv and the ceil-mode pool of a reduction module disagree by one pixel (so does the original).
    /// </summary>
    public static Network InceptionV2(ZooOptions? options = null)
    {
        var o = options ?? new ZooOptions();
        var b = Start("inception_v2", o);
        int side = o.Side(224);
        var x = b.Input(3, side, side, o.Batch);
        x = x.Basic("conv1", o.Wd(64), 7, stride: 2, padding: 3).MaxPool(3, 2, ceilMode: true, name: "pool1");              // 112 → 56
        x = x.Basic("conv2_reduce", o.Wd(64), 1).Basic("conv2", o.Wd(192), 3, padding: 1).MaxPool(3, 2, ceilMode: true, name: "pool2"); // 28
        //                                 1×1  3×3red 3×3 d3×3red d3×3 pool  proj stride
        x = InceptionV2Module(x, "inception_3a", 64, 64, 64, 64, 96, 'a', 32, 1, o);
        x = InceptionV2Module(x, "inception_3b", 64, 64, 96, 64, 96, 'a', 64, 1, o);
        x = InceptionV2Module(x, "inception_3c", 0, 128, 160, 64, 96, 'm', 0, 2, o);      // → 14
        x = InceptionV2Module(x, "inception_4a", 224, 64, 96, 96, 128, 'a', 128, 1, o);
        x = InceptionV2Module(x, "inception_4b", 192, 96, 128, 96, 128, 'a', 128, 1, o);
        x = InceptionV2Module(x, "inception_4c", 160, 128, 160, 128, 160, 'a', 128, 1, o);
        x = InceptionV2Module(x, "inception_4d", 96, 128, 192, 160, 192, 'a', 128, 1, o);
        x = InceptionV2Module(x, "inception_4e", 0, 128, 192, 192, 256, 'm', 0, 2, o);     // → 7
        x = InceptionV2Module(x, "inception_5a", 352, 192, 320, 160, 224, 'a', 128, 1, o);
        x = InceptionV2Module(x, "inception_5b", 352, 192, 320, 192, 224, 'm', 128, 1, o);
        return b.Build(x.GlobalAvgPool(name: "global_pool").Flatten().Linear(o.Classes ?? 1000, name: "fc"));
    }

    /// <summary>
    /// One row of Figure 5: 1×1 | 1×1 → 3×3 | 1×1 → 3×3 → 3×3 | avg ('a') or max ('m') pool → 1×1 projection.
    /// A width of 0 omits the 1×1 branch or the projection (the stride-2 modules pass the pooled map through).
    /// </summary>
    private static Value InceptionV2Module(Value x, string scope, int c1, int c3Reduce, int c3, int d3Reduce, int d3, char pool, int proj, int stride, ZooOptions o)
    {
        var b = x.Builder;
        using var _ = b.Scope(scope);
        var branches = new List<Value>();
        if (c1 > 0) branches.Add(x.Basic("branch1x1", o.Wd(c1), 1));
        using (b.Scope("branch3x3"))
            branches.Add(x.Basic("0", o.Wd(c3Reduce), 1).Basic("1", o.Wd(c3), 3, stride, padding: 1));
        using (b.Scope("branch3x3dbl"))
            branches.Add(x.Basic("0", o.Wd(d3Reduce), 1).Basic("1", o.Wd(d3), 3, padding: 1).Basic("2", o.Wd(d3), 3, stride, padding: 1));
        using (b.Scope("branch_pool"))
        {
            var p = stride == 2 ? x.MaxPool(3, 2, ceilMode: true)
                : pool == 'a' ? x.AvgPool(3, 1, padding: 1) : x.MaxPool(3, 1, padding: 1);
            branches.Add(proj > 0 ? p.Basic("proj", o.Wd(proj), 1) : p);
        }
        return b.Concat(branches);
    }

    // ---------------------------------------------------------------- Inception v3

    /// <summary>
    /// Inception v3 (Szegedy et al. 2015, "Rethinking the Inception Architecture") in torchvision's layout, 299×299×3:
    /// a 5-conv stem, three 35×35 modules (A), a grid reduction (B), four 17×17 modules with factorised 1×7/7×1 convs (C),
    /// a reduction (D), two 8×8 modules with expanded 1×3/3×1 filter banks (E), global average pooling, one FC.
    /// 23,834,568 parameters for inference; with <paramref name="auxiliary"/> the auxiliary classifier on Mixed_6e is a
    /// second output and the count is torchvision's published 27,161,264 (its weights carry the auxiliary head).
    /// Any input of at least 75×75 works; the auxiliary head needs at least 299×299 (see <see cref="AuxiliaryV3"/>).
    /// </summary>
    public static Network InceptionV3(bool auxiliary = false, ZooOptions? options = null)
    {
        var o = options ?? new ZooOptions();
        var b = Start(auxiliary ? "inception_v3-aux" : "inception_v3", o);
        int side = o.Side(299);
        var x = b.Input(3, side, side, o.Batch);
        x = x.Basic("Conv2d_1a_3x3", o.Wd(32), 3, stride: 2).Basic("Conv2d_2a_3x3", o.Wd(32), 3)
             .Basic("Conv2d_2b_3x3", o.Wd(64), 3, padding: 1).MaxPool(3, 2, name: "maxpool1");                   // 149 → 147 → 73
        x = x.Basic("Conv2d_3b_1x1", o.Wd(80), 1).Basic("Conv2d_4a_3x3", o.Wd(192), 3).MaxPool(3, 2, name: "maxpool2"); // 71 → 35
        x = InceptionA(x, "Mixed_5b", 32, o);
        x = InceptionA(x, "Mixed_5c", 64, o);
        x = InceptionA(x, "Mixed_5d", 64, o);
        x = InceptionB(x, "Mixed_6a", o);                                                                         // → 17
        x = InceptionC(x, "Mixed_6b", 128, o);
        x = InceptionC(x, "Mixed_6c", 160, o);
        x = InceptionC(x, "Mixed_6d", 160, o);
        x = InceptionC(x, "Mixed_6e", 192, o);
        var aux = x;
        x = InceptionD(x, "Mixed_7a", o);                                                                         // → 8
        x = InceptionE(x, "Mixed_7b", o);
        x = InceptionE(x, "Mixed_7c", o);
        x = x.GlobalAvgPool(name: "avgpool").Dropout().Flatten().Linear(o.Classes ?? 1000, name: "fc");
        return auxiliary ? b.Build([x, AuxiliaryV3(aux, o)]) : b.Build(x);
    }

    private static Value InceptionA(Value x, string scope, int poolFeatures, ZooOptions o)
    {
        using var _ = x.Builder.Scope(scope);
        var b1 = x.Basic("branch1x1", o.Wd(64), 1);
        var b5 = x.Basic("branch5x5_1", o.Wd(48), 1).Basic("branch5x5_2", o.Wd(64), 5, padding: 2);
        var b3 = x.Basic("branch3x3dbl_1", o.Wd(64), 1).Basic("branch3x3dbl_2", o.Wd(96), 3, padding: 1).Basic("branch3x3dbl_3", o.Wd(96), 3, padding: 1);
        var bp = x.AvgPool(3, 1, padding: 1).Basic("branch_pool", o.Wd(poolFeatures), 1);
        return x.Builder.Concat(b1, b5, b3, bp);
    }

    private static Value InceptionB(Value x, string scope, ZooOptions o)
    {
        using var _ = x.Builder.Scope(scope);
        var b3 = x.Basic("branch3x3", o.Wd(384), 3, stride: 2);
        var bd = x.Basic("branch3x3dbl_1", o.Wd(64), 1).Basic("branch3x3dbl_2", o.Wd(96), 3, padding: 1).Basic("branch3x3dbl_3", o.Wd(96), 3, stride: 2);
        return x.Builder.Concat(b3, bd, x.MaxPool(3, 2));
    }

    private static Value InceptionC(Value x, string scope, int c7, ZooOptions o)
    {
        using var _ = x.Builder.Scope(scope);
        int c = o.Wd(c7);
        var b1 = x.Basic("branch1x1", o.Wd(192), 1);
        var b7 = x.Basic("branch7x7_1", c, 1).Basic("branch7x7_2", c, (1, 7), (1, 1), Blocks.Same(1, 7))
                  .Basic("branch7x7_3", o.Wd(192), (7, 1), (1, 1), Blocks.Same(7, 1));
        var bd = x.Basic("branch7x7dbl_1", c, 1).Basic("branch7x7dbl_2", c, (7, 1), (1, 1), Blocks.Same(7, 1))
                  .Basic("branch7x7dbl_3", c, (1, 7), (1, 1), Blocks.Same(1, 7)).Basic("branch7x7dbl_4", c, (7, 1), (1, 1), Blocks.Same(7, 1))
                  .Basic("branch7x7dbl_5", o.Wd(192), (1, 7), (1, 1), Blocks.Same(1, 7));
        var bp = x.AvgPool(3, 1, padding: 1).Basic("branch_pool", o.Wd(192), 1);
        return x.Builder.Concat(b1, b7, bd, bp);
    }

    private static Value InceptionD(Value x, string scope, ZooOptions o)
    {
        using var _ = x.Builder.Scope(scope);
        var b3 = x.Basic("branch3x3_1", o.Wd(192), 1).Basic("branch3x3_2", o.Wd(320), 3, stride: 2);
        var b7 = x.Basic("branch7x7x3_1", o.Wd(192), 1).Basic("branch7x7x3_2", o.Wd(192), (1, 7), (1, 1), Blocks.Same(1, 7))
                  .Basic("branch7x7x3_3", o.Wd(192), (7, 1), (1, 1), Blocks.Same(7, 1)).Basic("branch7x7x3_4", o.Wd(192), 3, stride: 2);
        return x.Builder.Concat(b3, b7, x.MaxPool(3, 2));
    }

    private static Value InceptionE(Value x, string scope, ZooOptions o)
    {
        var b = x.Builder;
        using var _ = b.Scope(scope);
        var b1 = x.Basic("branch1x1", o.Wd(320), 1);
        var s3 = x.Basic("branch3x3_1", o.Wd(384), 1);
        var b3 = b.Concat(s3.Basic("branch3x3_2a", o.Wd(384), (1, 3), (1, 1), Blocks.Same(1, 3)), s3.Basic("branch3x3_2b", o.Wd(384), (3, 1), (1, 1), Blocks.Same(3, 1)));
        var sd = x.Basic("branch3x3dbl_1", o.Wd(448), 1).Basic("branch3x3dbl_2", o.Wd(384), 3, padding: 1);
        var bd = b.Concat(sd.Basic("branch3x3dbl_3a", o.Wd(384), (1, 3), (1, 1), Blocks.Same(1, 3)), sd.Basic("branch3x3dbl_3b", o.Wd(384), (3, 1), (1, 1), Blocks.Same(3, 1)));
        var bp = x.AvgPool(3, 1, padding: 1).Basic("branch_pool", o.Wd(192), 1);
        return b.Concat(b1, b3, bd, bp);
    }

    /// <summary>
    /// Inception v3's auxiliary classifier: avgpool 5/3 → 1×1 conv 128 → 5×5 conv 768 → global pool → FC.
    /// The 5×5 conv needs a 5×5 pooled map, i.e. a 17×17 Mixed_6e map: inputs of at least 299×299.
    /// </summary>
    private static Value AuxiliaryV3(Value x, ZooOptions o)
    {
        using var _ = x.Builder.Scope("AuxLogits");
        x = x.AvgPool(5, 3).Basic("conv0", o.Wd(128), 1).Basic("conv1", o.Wd(768), 5);
        return x.GlobalAvgPool().Flatten().Linear(o.Classes ?? 1000, name: "fc");
    }

    // ---------------------------------------------------------------- Inception v4 and Inception-ResNet-v2

    /// <summary>
    /// Inception v4 (Szegedy et al. 2016), 299×299×3, in the layout of the widely used port of the TF-slim weights
    /// (Cadene's <c>pretrainedmodels</c>, timm): stem, 4 × Inception-A (35×35), Reduction-A, 7 × Inception-B (17×17),
    /// Reduction-B, 3 × Inception-C (8×8), global average pooling, one FC: 42,679,816 parameters, as timm publishes.
    /// Global rather than 8×8 average pooling, so any input of at least 75×75 works.
    /// </summary>
    public static Network InceptionV4(ZooOptions? options = null)
    {
        var o = options ?? new ZooOptions();
        var b = Start("inception_v4", o);
        int side = o.Side(299);
        var x = b.Input(3, side, side, o.Batch);
        using (b.Scope("stem"))
        {
            x = x.Basic("conv1", o.Wd(32), 3, stride: 2).Basic("conv2", o.Wd(32), 3).Basic("conv3", o.Wd(64), 3, padding: 1); // 149 → 147
            using (b.Scope("mixed_3a")) x = b.Concat(x.MaxPool(3, 2), x.Basic("conv", o.Wd(96), 3, stride: 2));           // → 73
            using (b.Scope("mixed_4a"))
            {
                var left = x.Basic("branch0.0", o.Wd(64), 1).Basic("branch0.1", o.Wd(96), 3);
                var right = x.Basic("branch1.0", o.Wd(64), 1).Basic("branch1.1", o.Wd(64), (1, 7), (1, 1), Blocks.Same(1, 7))
                             .Basic("branch1.2", o.Wd(64), (7, 1), (1, 1), Blocks.Same(7, 1)).Basic("branch1.3", o.Wd(96), 3);
                x = b.Concat(left, right);                                                                           // → 71
            }
            using (b.Scope("mixed_5a")) x = b.Concat(x.Basic("conv", o.Wd(192), 3, stride: 2), x.MaxPool(3, 2));       // → 35
        }
        for (int i = 1; i <= 4; i++) x = InceptionV4A(x, $"inception_a{i}", o);
        x = ReductionV4A(x, "reduction_a", 192, 224, 256, 384, o);                                                   // → 17
        for (int i = 1; i <= 7; i++) x = InceptionV4B(x, $"inception_b{i}", o);
        x = ReductionV4B(x, "reduction_b", o);                                                                       // → 8
        for (int i = 1; i <= 3; i++) x = InceptionV4C(x, $"inception_c{i}", o);
        return b.Build(x.GlobalAvgPool(name: "avgpool").Flatten().Dropout(0.2f).Linear(o.Classes ?? 1000, name: "last_linear"));
    }

    /// <summary>Average pooling 3×3/1 that ignores the zero padding (TF "SAME" pooling, as the ported weights expect).</summary>
    private static Value SamePool(Value x) => x.AvgPool(3, 1, padding: 1, countIncludePad: false);

    private static Value InceptionV4A(Value x, string scope, ZooOptions o)
    {
        using var _ = x.Builder.Scope(scope);
        var b0 = x.Basic("branch0", o.Wd(96), 1);
        var b1 = x.Basic("branch1.0", o.Wd(64), 1).Basic("branch1.1", o.Wd(96), 3, padding: 1);
        var b2 = x.Basic("branch2.0", o.Wd(64), 1).Basic("branch2.1", o.Wd(96), 3, padding: 1).Basic("branch2.2", o.Wd(96), 3, padding: 1);
        var b3 = SamePool(x).Basic("branch3", o.Wd(96), 1);
        return x.Builder.Concat(b0, b1, b2, b3);
    }

    /// <summary>Reduction-A with the paper's k, l, m, n filter counts (v4: 192, 224, 256, 384; Inception-ResNet-v2: 256, 256, 384, 384).</summary>
    private static Value ReductionV4A(Value x, string scope, int k, int l, int m, int n, ZooOptions o)
    {
        using var _ = x.Builder.Scope(scope);
        var b0 = x.Basic("branch0", o.Wd(n), 3, stride: 2);
        var b1 = x.Basic("branch1.0", o.Wd(k), 1).Basic("branch1.1", o.Wd(l), 3, padding: 1).Basic("branch1.2", o.Wd(m), 3, stride: 2);
        return x.Builder.Concat(b0, b1, x.MaxPool(3, 2));
    }

    private static Value InceptionV4B(Value x, string scope, ZooOptions o)
    {
        using var _ = x.Builder.Scope(scope);
        var b0 = x.Basic("branch0", o.Wd(384), 1);
        var b1 = x.Basic("branch1.0", o.Wd(192), 1).Basic("branch1.1", o.Wd(224), (1, 7), (1, 1), Blocks.Same(1, 7))
                  .Basic("branch1.2", o.Wd(256), (7, 1), (1, 1), Blocks.Same(7, 1));
        var b2 = x.Basic("branch2.0", o.Wd(192), 1).Basic("branch2.1", o.Wd(192), (7, 1), (1, 1), Blocks.Same(7, 1))
                  .Basic("branch2.2", o.Wd(224), (1, 7), (1, 1), Blocks.Same(1, 7)).Basic("branch2.3", o.Wd(224), (7, 1), (1, 1), Blocks.Same(7, 1))
                  .Basic("branch2.4", o.Wd(256), (1, 7), (1, 1), Blocks.Same(1, 7));
        var b3 = SamePool(x).Basic("branch3", o.Wd(128), 1);
        return x.Builder.Concat(b0, b1, b2, b3);
    }

    private static Value ReductionV4B(Value x, string scope, ZooOptions o)
    {
        using var _ = x.Builder.Scope(scope);
        var b0 = x.Basic("branch0.0", o.Wd(192), 1).Basic("branch0.1", o.Wd(192), 3, stride: 2);
        var b1 = x.Basic("branch1.0", o.Wd(256), 1).Basic("branch1.1", o.Wd(256), (1, 7), (1, 1), Blocks.Same(1, 7))
                  .Basic("branch1.2", o.Wd(320), (7, 1), (1, 1), Blocks.Same(7, 1)).Basic("branch1.3", o.Wd(320), 3, stride: 2);
        return x.Builder.Concat(b0, b1, x.MaxPool(3, 2));
    }

    private static Value InceptionV4C(Value x, string scope, ZooOptions o)
    {
        var b = x.Builder;
        using var _ = b.Scope(scope);
        var b0 = x.Basic("branch0", o.Wd(256), 1);
        var s1 = x.Basic("branch1_0", o.Wd(384), 1);
        var b1 = b.Concat(s1.Basic("branch1_1a", o.Wd(256), (1, 3), (1, 1), Blocks.Same(1, 3)), s1.Basic("branch1_1b", o.Wd(256), (3, 1), (1, 1), Blocks.Same(3, 1)));
        var s2 = x.Basic("branch2_0", o.Wd(384), 1).Basic("branch2_1", o.Wd(448), (3, 1), (1, 1), Blocks.Same(3, 1))
                  .Basic("branch2_2", o.Wd(512), (1, 3), (1, 1), Blocks.Same(1, 3));
        var b2 = b.Concat(s2.Basic("branch2_3a", o.Wd(256), (1, 3), (1, 1), Blocks.Same(1, 3)), s2.Basic("branch2_3b", o.Wd(256), (3, 1), (1, 1), Blocks.Same(3, 1)));
        var b3 = SamePool(x).Basic("branch3", o.Wd(256), 1);
        return b.Concat(b0, b1, b2, b3);
    }

    /// <summary>
    /// Inception-ResNet-v2 (Szegedy et al. 2016), 299×299×3, in the layout of the ported TF-slim weights (Cadene, timm):
    /// stem, 10 × Inception-ResNet-A (35×35, residual scaled by 0.17), Reduction-A, 20 × Inception-ResNet-B (17×17,
    /// ×0.10), Reduction-B, 10 × Inception-ResNet-C (8×8, ×0.20, the last without ReLU), a 1×1 conv to 1536, global
    /// average pooling, one FC: 55,843,464 parameters, as timm publishes. Any input of at least 75×75 works.
    /// </summary>
    /// <remarks>The paper scales each residual by 0.1–0.3 before the sum to keep training stable; at inference it is a constant <c>Scale</c>.</remarks>
    public static Network InceptionResNetV2(ZooOptions? options = null)
    {
        var o = options ?? new ZooOptions();
        var b = Start("inception_resnet_v2", o);
        int side = o.Side(299);
        var x = b.Input(3, side, side, o.Batch);
        x = x.Basic("conv2d_1a", o.Wd(32), 3, stride: 2).Basic("conv2d_2a", o.Wd(32), 3).Basic("conv2d_2b", o.Wd(64), 3, padding: 1)
             .MaxPool(3, 2, name: "maxpool_3a").Basic("conv2d_3b", o.Wd(80), 1).Basic("conv2d_4a", o.Wd(192), 3).MaxPool(3, 2, name: "maxpool_5a"); // 35
        using (b.Scope("mixed_5b"))
        {
            var b0 = x.Basic("branch0", o.Wd(96), 1);
            var b1 = x.Basic("branch1.0", o.Wd(48), 1).Basic("branch1.1", o.Wd(64), 5, padding: 2);
            var b2 = x.Basic("branch2.0", o.Wd(64), 1).Basic("branch2.1", o.Wd(96), 3, padding: 1).Basic("branch2.2", o.Wd(96), 3, padding: 1);
            x = b.Concat(b0, b1, b2, SamePool(x).Basic("branch3", o.Wd(64), 1));                                   // 320
        }
        for (int i = 0; i < 10; i++) x = Block35(x, $"repeat.{i}", o);
        x = ReductionV4A(x, "mixed_6a", 256, 256, 384, 384, o);                                                      // 1088 @ 17
        for (int i = 0; i < 20; i++) x = Block17(x, $"repeat_1.{i}", o);
        using (b.Scope("mixed_7a"))
        {
            var b0 = x.Basic("branch0.0", o.Wd(256), 1).Basic("branch0.1", o.Wd(384), 3, stride: 2);
            var b1 = x.Basic("branch1.0", o.Wd(256), 1).Basic("branch1.1", o.Wd(288), 3, stride: 2);
            var b2 = x.Basic("branch2.0", o.Wd(256), 1).Basic("branch2.1", o.Wd(288), 3, padding: 1).Basic("branch2.2", o.Wd(320), 3, stride: 2);
            x = b.Concat(b0, b1, b2, x.MaxPool(3, 2));                                                               // 2080 @ 8
        }
        for (int i = 0; i < 9; i++) x = Block8(x, $"repeat_2.{i}", 0.20f, relu: true, o);
        x = Block8(x, "block8", 1.0f, relu: false, o);
        x = x.Basic("conv2d_7b", o.Wd(1536), 1).GlobalAvgPool(name: "avgpool_1a").Flatten().Dropout(0.2f);
        return b.Build(x.Linear(o.Classes ?? 1000, name: "last_linear"));
    }

    /// <summary>The residual join of Inception-ResNet: 1×1 conv (with bias, no BN) back to the trunk width, × scale, + trunk, ReLU.</summary>
    private static Value ResidualUp(Value x, Value mixed, float scale, bool relu)
    {
        var y = x.Add(mixed.Conv(x.Channels, 1, name: "conv2d").Scale(scale));
        return relu ? y.Relu() : y;
    }

    private static Value Block35(Value x, string scope, ZooOptions o)
    {
        using var _ = x.Builder.Scope(scope);
        var b0 = x.Basic("branch0", o.Wd(32), 1);
        var b1 = x.Basic("branch1.0", o.Wd(32), 1).Basic("branch1.1", o.Wd(32), 3, padding: 1);
        var b2 = x.Basic("branch2.0", o.Wd(32), 1).Basic("branch2.1", o.Wd(48), 3, padding: 1).Basic("branch2.2", o.Wd(64), 3, padding: 1);
        return ResidualUp(x, x.Builder.Concat(b0, b1, b2), 0.17f, relu: true);
    }

    private static Value Block17(Value x, string scope, ZooOptions o)
    {
        using var _ = x.Builder.Scope(scope);
        var b0 = x.Basic("branch0", o.Wd(192), 1);
        var b1 = x.Basic("branch1.0", o.Wd(128), 1).Basic("branch1.1", o.Wd(160), (1, 7), (1, 1), Blocks.Same(1, 7))
                  .Basic("branch1.2", o.Wd(192), (7, 1), (1, 1), Blocks.Same(7, 1));
        return ResidualUp(x, x.Builder.Concat(b0, b1), 0.10f, relu: true);
    }

    private static Value Block8(Value x, string scope, float scale, bool relu, ZooOptions o)
    {
        using var _ = x.Builder.Scope(scope);
        var b0 = x.Basic("branch0", o.Wd(192), 1);
        var b1 = x.Basic("branch1.0", o.Wd(192), 1).Basic("branch1.1", o.Wd(224), (1, 3), (1, 1), Blocks.Same(1, 3))
                  .Basic("branch1.2", o.Wd(256), (3, 1), (1, 1), Blocks.Same(3, 1));
        return ResidualUp(x, x.Builder.Concat(b0, b1), scale, relu);
    }
}
