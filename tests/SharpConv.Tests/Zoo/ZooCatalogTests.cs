using SharpConv.Graph;
using SharpConv.Zoo;
using ZooCatalog = SharpConv.Zoo.Zoo;

namespace SharpConv.Tests.Zoo;

/// <summary>The zoo reproduces the published numbers: parameters exactly, MACs at the printed precision.</summary>
public class ZooCatalogTests
{
    public static TheoryData<string> EveryEntry() => new(ZooCatalog.All.Select(e => e.Name));

    [Theory]
    // SEEDS.md and torchvision's published counts, typed here again so a slip in the catalog cannot hide itself.
    [InlineData("lenet5", 61_706)]
    [InlineData("alexnet-paper", 60_965_224)]
    [InlineData("alexnet-paper-ungrouped", 62_378_344)]
    [InlineData("alexnet", 61_100_840)]
    [InlineData("vgg11", 132_863_336)]
    [InlineData("vgg-a-lrn", 132_863_336)]
    [InlineData("vgg13", 133_047_848)]
    [InlineData("vgg-c", 133_638_952)]
    [InlineData("vgg16", 138_357_544)]
    [InlineData("vgg19", 143_667_240)]
    [InlineData("vgg11_bn", 132_868_840)]
    [InlineData("vgg13_bn", 133_053_736)]
    [InlineData("vgg16_bn", 138_365_992)]
    [InlineData("vgg19_bn", 143_678_248)]
    [InlineData("googlenet", 6_624_904)]
    [InlineData("googlenet-aux", 13_004_888)]
    [InlineData("inception_v3-aux", 27_161_264)]
    [InlineData("inception_v3", 27_161_264 - 3_326_696)]   // torchvision's count includes the auxiliary head (3,326,696)
    [InlineData("inception_v4", 42_679_816)]
    [InlineData("inception_resnet_v2", 55_843_464)]
    [InlineData("resnet18", 11_689_512)]
    [InlineData("resnet34", 21_797_672)]
    [InlineData("resnet50", 25_557_032)]
    [InlineData("resnet101", 44_549_160)]
    [InlineData("resnet152", 60_192_808)]
    [InlineData("wide_resnet50_2", 68_883_240)]
    [InlineData("resnext50_32x4d", 25_028_904)]
    [InlineData("densenet121", 7_978_856)]
    [InlineData("densenet169", 14_149_480)]
    [InlineData("densenet201", 20_013_928)]
    [InlineData("squeezenet1_0", 1_248_424)]
    [InlineData("squeezenet1_1", 1_235_496)]
    [InlineData("cifar-resnet20", 269_722)]
    [InlineData("cifar-plain20", 269_722)]                 // option A shortcuts are parameter-free
    [InlineData("wrn-28-10", 36_479_194)]
    [InlineData("preact-resnet164", 1_703_258)]
    public void ParameterCountIsExact(string name, long expected)
    {
        var net = ZooCatalog.Build(name);
        Assert.Equal(expected, net.ParameterCount);
        var published = ZooCatalog.Get(name).PublishedParameters;
        if (published is not null) Assert.Equal(published, net.ParameterCount);
    }

    [Theory]
    // The papers print these to two or three significant figures.
    [InlineData("cifar-resnet20", "0.27")]
    [InlineData("cifar-resnet56", "0.85")]
    [InlineData("cifar-resnet110", "1.7")]
    [InlineData("cifar-resnet1202", "19.4")]
    [InlineData("stochastic-depth-resnet110", "1.7")]
    [InlineData("preact-resnet110", "1.7")]
    [InlineData("preact-resnet1001", "10.3")]              // the paper rounds 10,327,706 down to "10.2M"
    [InlineData("wrn-28-10", "36.5")]
    public void ParameterCountMatchesThePrintedMillions(string name, string millions)
    {
        int decimals = millions.Contains('.') ? millions.Length - millions.IndexOf('.') - 1 : 0;
        double actual = Math.Round(ZooCatalog.Build(name).ParameterCount / 1e6, decimals, MidpointRounding.AwayFromZero);
        Assert.Equal(millions, actual.ToString("F" + decimals, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    // ANCHORS.md: torchvision GMACs, conv + linear only, one 224×224 image (LeNet 32×32).
    [InlineData("lenet5", "0.000417")]
    [InlineData("alexnet", "0.714")]
    [InlineData("vgg11", "7.609")]
    [InlineData("vgg16", "15.470")]
    [InlineData("vgg19", "19.632")]
    [InlineData("googlenet", "1.498")]
    [InlineData("resnet18", "1.814")]
    [InlineData("resnet50", "4.089")]
    [InlineData("resnet152", "11.514")]
    [InlineData("wide_resnet50_2", "11.398")]
    [InlineData("resnext50_32x4d", "4.230")]
    [InlineData("densenet121", "2.834")]
    [InlineData("squeezenet1_0", "0.819")]
    [InlineData("squeezenet1_1", "0.349")]
    public void MacsMatchTorchvisionAtThePrintedPrecision(string name, string gmacs)
    {
        int decimals = gmacs.Length - gmacs.IndexOf('.') - 1;
        Assert.Equal(gmacs, (ZooCatalog.Build(name).Macs / 1e9).ToString("F" + decimals, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [MemberData(nameof(EveryEntry))]
    public void EveryEntryBuildsAtThePaperSize(string name)
    {
        var entry = ZooCatalog.Get(name);
        var net = entry.Build(new ZooOptions());
        int classes = entry.Family is "LeNet" or "FractalNet" || entry.Family.Contains("CIFAR") ? 10 : 1000;
        Assert.All(net.Outputs, o => Assert.Equal(new Shape(1, classes), o.OutputShape));
        Assert.Equal(name, net.Name);
        Assert.Equal(3, net.InferShapes(3)[^1][0]);
        if (entry.PublishedParameters is long p) Assert.Equal(p, net.ParameterCount);
        // Building costs no weight memory: nothing is materialised until a run reads it.
        Assert.DoesNotContain(net.Nodes.SelectMany(n => n.Op.Parameters), q => q.IsMaterialized && q.Count > 4096);
    }

    [Fact]
    public void PaperInputSizesAndClassesAreHonoured()
    {
        Assert.Equal(new Shape(1, 3, 227, 227), ZooCatalog.Build("alexnet-paper").InputShape);
        Assert.Equal(new Shape(1, 3, 299, 299), ZooCatalog.Build("inception_v3").InputShape);
        Assert.Equal(new Shape(1, 3, 299, 299), ZooCatalog.Build("inception_resnet_v2").InputShape);
        Assert.Equal(new Shape(1, 3, 32, 32), ZooCatalog.Build("fractalnet").InputShape);
        Assert.Equal(new Shape(1, 1, 32, 32), ZooCatalog.Build("lenet5").InputShape);
        var net = ZooCatalog.Build("resnet50", new ZooOptions { Batch = 4, Classes = 37, InputSize = 160 });
        Assert.Equal(new Shape(4, 3, 160, 160), net.InputShape);
        Assert.Equal(new Shape(4, 37), net.OutputShape);
        Assert.Equal(new Shape(4, 2048, 5, 5), net["layer4.2.relu3"].OutputShape);
    }

    [Fact]
    public void PaperShapesAppearWhereThePapersDrawThem()
    {
        var alex = ZooCatalog.Build("alexnet-paper");
        Assert.Equal(new Shape(1, 96, 55, 55), alex["features.conv1"].OutputShape);
        Assert.Equal(new Shape(1, 256, 6, 6), alex["features.pool5"].OutputShape);   // 9216 into FC6
        var zf = ZooCatalog.Build("zfnet");
        Assert.Equal(new Shape(1, 96, 110, 110), zf["features.conv1"].OutputShape);
        Assert.Equal(new Shape(1, 256, 26, 26), zf["features.conv2"].OutputShape);
        Assert.Equal(new Shape(1, 256, 6, 6), zf["features.pool5"].OutputShape);
        var g = ZooCatalog.Build("googlenet");
        Assert.Equal(new Shape(1, 256, 28, 28), g["inception3a.concat1"].OutputShape);
        Assert.Equal(new Shape(1, 1024, 7, 7), g["inception5b.concat1"].OutputShape);
        var v3 = ZooCatalog.Build("inception_v3");
        Assert.Equal(new Shape(1, 768, 17, 17), v3["Mixed_6e.concat1"].OutputShape);
        Assert.Equal(new Shape(1, 2048, 8, 8), v3["Mixed_7c.concat3"].OutputShape);
        var v4 = ZooCatalog.Build("inception_v4");
        Assert.Equal(new Shape(1, 384, 35, 35), v4["stem.mixed_5a.concat1"].OutputShape);
        Assert.Equal(new Shape(1, 1536, 8, 8), v4["inception_c3.concat3"].OutputShape);
        Assert.Equal(new Shape(1, 1024, 7, 7), ZooCatalog.Build("densenet121")["denseblock4.concat1"].OutputShape);
        Assert.Equal(new Shape(1, 64, 8, 8), ZooCatalog.Build("cifar-resnet1202")["layer3.199.relu2"].OutputShape);
        Assert.Equal(new Shape(1, 1000, 6, 6), ZooCatalog.Build("nin")["mlpconv4.relu3"].OutputShape);
    }

    [Fact]
    public void NodeNamesReadLikeTorchvision()
    {
        var r = ZooCatalog.Build("resnet50");
        foreach (var n in new[] { "conv1", "bn1", "maxpool", "layer1.0.conv1", "layer1.0.downsample.0", "layer2.0.downsample.1", "layer4.2.bn3", "fc" })
            Assert.True(r.TryGetNode(n, out _), n);
        Assert.False(r.TryGetNode("layer1.1.downsample.0", out _));
        Assert.Equal(["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool", "flatten1", "fc"],
            r.Nodes.Where(n => n.Op is not global::SharpConv.Ops.Input).Select(n => n.Stage).Distinct());
        Assert.True(ZooCatalog.Build("densenet121").TryGetNode("denseblock3.denselayer24.conv2", out _));
        Assert.True(ZooCatalog.Build("inception_v3").TryGetNode("Mixed_7b.branch3x3dbl_3b.bn", out _));
        Assert.True(ZooCatalog.Build("squeezenet1_1").TryGetNode("fire9.expand3x3", out _));
        Assert.True(ZooCatalog.Build("vgg16_bn").TryGetNode("block5.batchnorm3", out _));
    }

    [Fact]
    public void GroupedAndUngroupedAlexNetDifferOnlyInConv245()
    {
        var g = ZooCatalog.Build("alexnet-paper"); var u = ZooCatalog.Build("alexnet-paper-ungrouped");
        foreach (var layer in new[] { "conv2", "conv4", "conv5" })
            Assert.Equal(2, ((global::SharpConv.Ops.Conv2d)g[$"features.{layer}"].Op).Groups);
        Assert.Equal(1, ((global::SharpConv.Ops.Conv2d)g["features.conv3"].Op).Groups);
        Assert.Equal(62_378_344 - 60_965_224, u.ParameterCount - g.ParameterCount);
    }

    [Fact]
    public void StochasticDepthScalesEachBranchByItsSurvivalProbability()
    {
        var net = ZooCatalog.Build("stochastic-depth-resnet110");
        var scales = net.Nodes.Where(n => n.Op is global::SharpConv.Ops.Scale).Select(n => ((global::SharpConv.Ops.Scale)n.Op).Multiplier).ToList();
        Assert.Equal(54, scales.Count);
        Assert.Equal(1 - 0.5f / 54, scales[0], 6);
        Assert.Equal(0.5f, scales[^1], 6);
        Assert.True(scales.Zip(scales.Skip(1)).All(p => p.First > p.Second));   // linear decay
        Assert.Equal(ZooCatalog.Build("cifar-resnet110").ParameterCount, net.ParameterCount);
    }

    [Fact]
    public void FractalJoinsAreMeansOverAllColumnsEndingThere()
    {
        var net = ZooCatalog.Build("fractalnet");
        var joins = net.Nodes.Where(n => n.Op is global::SharpConv.Ops.Mean).ToList();
        // Per block, f_4 joins after conv 2, 4, 6 and 8 of the deepest column: 2, 3, 2 and 4 columns (Figure 1).
        Assert.Equal(5 * 4, joins.Count);
        Assert.Equal([2, 3, 2, 4], joins.Take(4).Select(j => j.Inputs.Count));
        Assert.Equal(4, joins.Max(j => j.Inputs.Count));
        Assert.Equal(5 * 15, net.Nodes.Count(n => n.Op is global::SharpConv.Ops.Conv2d));
        Assert.DoesNotContain(net.Nodes, n => n.Op is global::SharpConv.Ops.Add);
    }

    [Fact]
    public void OptionAShortcutsArePaddingAndOptionBAreProjections()
    {
        var a = ZooCatalog.Build("cifar-resnet20");
        Assert.Equal(2, a.Nodes.Count(n => n.Op is global::SharpConv.Ops.ChannelZeroPad));
        Assert.Equal(19, a.Nodes.Count(n => n.Op is global::SharpConv.Ops.Conv2d));
        Assert.Equal(0, ZooCatalog.Build("cifar-plain20").Nodes.Count(n => n.Op is global::SharpConv.Ops.Add));
        Assert.Equal(4, ZooCatalog.Build("resnet50").Nodes.Count(n => n.Name.EndsWith("downsample.0")));
        Assert.Equal(3, ZooCatalog.Build("resnet18").Nodes.Count(n => n.Name.EndsWith("downsample.0")));
    }

    [Fact]
    public void NamesResolveLooselyAndUnknownNamesListTheCatalog()
    {
        Assert.Equal("resnet50", ZooCatalog.Get("ResNet-50").Name);
        Assert.Equal("inception_v3", ZooCatalog.Get("inception-v3").Name);
        var e = Assert.Throws<KeyNotFoundException>(() => ZooCatalog.Get("resnet51"));
        Assert.Contains("resnet50", e.Message);
        Assert.Equal(ZooCatalog.All.Count, ZooCatalog.All.Select(x => x.Name.Replace("-", "").Replace("_", "")).Distinct().Count());
    }

    [Fact]
    public void MisuseFailsWithTypedExceptionsNamingTheProblem()
    {
        var groups = Assert.Throws<InvalidLayerException>(() => ZooCatalog.Build("resnext50_32x4d", new ZooOptions { WidthDivisor = 8 }));
        Assert.Contains("layer1.0.conv2", groups.Message);
        Assert.Contains("32 groups", groups.Message);
        Assert.Throws<InvalidLayerException>(() => ZooCatalog.Build("alexnet-paper", new ZooOptions { WidthDivisor = 3 }));
        Assert.Throws<InvalidLayerException>(() => ZooCatalog.Build("resnet18", new ZooOptions { WidthDivisor = 0 }));
        Assert.Throws<InvalidLayerException>(() => ZooCatalog.Build("resnet18", new ZooOptions { Batch = 0 }));
        Assert.Throws<InvalidLayerException>(() => ZooCatalog.Build("resnet18", new ZooOptions { Classes = 0 }));
        var fc = Assert.Throws<InvalidLayerException>(() => ZooCatalog.Build("alexnet-paper", new ZooOptions { InputSize = 224 }));
        Assert.Contains("227", fc.Message);
        Assert.Throws<InvalidLayerException>(() => ZooCatalog.Build("inception_v3", new ZooOptions { InputSize = 64 }));
        Assert.Throws<ShapeMismatchException>(() => ZooCatalog.Build("inception_v2", new ZooOptions { InputSize = 200 }));
        Assert.Throws<InvalidLayerException>(() => ZooCatalog.CifarResNet(21));
        Assert.Throws<InvalidLayerException>(() => ZooCatalog.PreActResNet(100));
        Assert.Throws<InvalidLayerException>(() => ZooCatalog.ResNet(42));
        Assert.Throws<InvalidLayerException>(() => ZooCatalog.Vgg('F'));
        Assert.All(new[] { 1, 2, 4 }, d => ZooCatalog.Build("resnext50_32x4d", new ZooOptions { WidthDivisor = d }));
    }
}
