using SharpConv.Graph;

namespace SharpConv.Zoo;

/// <summary>Knobs shared by every zoo builder.</summary>
public sealed record ZooOptions
{
    /// <summary>Weight seed (weights are He-initialised lazily from it).</summary>
    public int Seed { get; init; }
    /// <summary>Declared batch size of the input.</summary>
    public int Batch { get; init; } = 1;
    /// <summary>Classifier outputs (1000 for ImageNet networks, 10 for CIFAR and LeNet by default when null).</summary>
    public int? Classes { get; init; }
    /// <summary>Input side length where the architecture allows another (null: the paper's size).</summary>
    public int? InputSize { get; init; }
    /// <summary>Divides every channel width (tests run deep networks narrow; 1 = the paper's widths).</summary>
    public int WidthDivisor { get; init; } = 1;
}

/// <summary>One architecture of the zoo.</summary>
/// <param name="Name">Command-line name, e.g. <c>resnet50</c>.</param>
/// <param name="Family">Family for grouping, e.g. <c>ResNet</c>.</param>
/// <param name="Description">One line: paper, year, defining trait.</param>
/// <param name="Build">Builds the network.</param>
/// <param name="PublishedParameters">The published parameter count this architecture must reproduce, when there is one.</param>
public sealed record ZooEntry(string Name, string Family, string Description, Func<ZooOptions, Network> Build, long? PublishedParameters = null);

/// <summary>Every architecture SharpConv can build, by name.</summary>
public static partial class Zoo
{
    /// <summary>Every entry, in the order of the lecture's history.</summary>
    public static IReadOnlyList<ZooEntry> All => Catalog.Value;

    private static readonly Lazy<IReadOnlyList<ZooEntry>> Catalog = new(() => Entries().ToList());

    /// <summary>The entry called <paramref name="name"/> (case-insensitive; '-' and '_' ignored).</summary>
    /// <exception cref="KeyNotFoundException">No such architecture; the message lists the known names.</exception>
    public static ZooEntry Get(string name)
    {
        string key = Normalize(name);
        return All.FirstOrDefault(e => Normalize(e.Name) == key)
            ?? throw new KeyNotFoundException($"no zoo architecture '{name}'. Known: {string.Join(", ", All.Select(e => e.Name))}.");
    }

    /// <summary>Builds the architecture called <paramref name="name"/>.</summary>
    public static Network Build(string name, ZooOptions? options = null) => Get(name).Build(options ?? new ZooOptions());

    private static string Normalize(string s) => s.Replace("-", "").Replace("_", "").ToLowerInvariant();

    /// <summary>Checks the options and starts a builder; <paramref name="fixedSide"/> is the only input side FC-headed nets accept.</summary>
    /// <exception cref="InvalidLayerException">An option is out of range for this network.</exception>
    private static NetworkBuilder Start(string name, ZooOptions o, int? fixedSide = null)
    {
        if (o.WidthDivisor < 1) throw new InvalidLayerException(name, $"WidthDivisor must be ≥ 1, found {o.WidthDivisor}.");
        if (o.Batch < 1) throw new InvalidLayerException(name, $"Batch must be ≥ 1, found {o.Batch}.");
        if (o.Classes is < 1) throw new InvalidLayerException(name, $"Classes must be ≥ 1, found {o.Classes}.");
        if (o.InputSize is < 1) throw new InvalidLayerException(name, $"InputSize must be ≥ 1, found {o.InputSize}.");
        if (fixedSide is int side && o.InputSize is int asked && asked != side)
            throw new InvalidLayerException(name, $"its fully connected head is sized for {side}×{side} inputs; InputSize {asked} is not supported.");
        return new NetworkBuilder(name, o.Seed);
    }

    /// <summary>A paper channel count divided by <see cref="ZooOptions.WidthDivisor"/>, at least 1.</summary>
    private static int Wd(this ZooOptions o, int channels) => Math.Max(1, channels / o.WidthDivisor);

    /// <summary>
    /// A grouped convolution's width divided by <see cref="ZooOptions.WidthDivisor"/>, which must still split into
    /// <paramref name="groups"/> equal groups.
    /// </summary>
    /// <exception cref="InvalidLayerException">The divided width is not a multiple of the group count.</exception>
    private static int Grouped(this ZooOptions o, int channels, int groups, string layer)
    {
        int c = o.Wd(channels);
        if (c % groups != 0)
            throw new InvalidLayerException(layer, $"WidthDivisor {o.WidthDivisor} leaves {c} channels (from {channels}), which {groups} groups cannot split evenly.");
        return c;
    }

    /// <summary>The input side: <see cref="ZooOptions.InputSize"/> or the paper's.</summary>
    private static int Side(this ZooOptions o, int paper) => o.InputSize ?? paper;

    private static IEnumerable<ZooEntry> Entries()
    {
        yield return new("lenet5", "LeNet", "LeNet-5 (LeCun 1998), modern form: ReLU, max pooling, full C3 connections", o => LeNet5(o), 61_706);
        yield return new("lenet5-original", "LeNet", "LeNet-5 as published: tanh, average pooling (subsampling), full connections", o => LeNet5Original(o), 61_706);

        yield return new("alexnet-paper", "AlexNet", "AlexNet (Krizhevsky 2012), 227², LRN, two-GPU split as groups=2 on conv2/4/5", o => AlexNetPaper(grouped: true, o), 60_965_224);
        yield return new("alexnet-paper-ungrouped", "AlexNet", "AlexNet (Krizhevsky 2012), 227², LRN, every conv sees all channels", o => AlexNetPaper(grouped: false, o), 62_378_344);
        yield return new("alexnet", "AlexNet", "AlexNet in torchvision's layout: 64-192-384-256-256, no LRN, adaptive 6×6 pool, 224²", o => AlexNet(o), 61_100_840);
        yield return new("zfnet", "ZFNet", "ZFNet (Zeiler & Fergus 2013): AlexNet with conv1 7×7/2 and conv2 stride 2, 224²", o => ZfNet(wide: false, o));
        yield return new("zfnet512", "ZFNet", "ZFNet-512 (CS231n): ZFNet with conv3/4/5 widened to 512/1024/512", o => ZfNet(wide: true, o));

        yield return new("vgg11", "VGG", "VGG configuration A (Simonyan & Zisserman 2014): 11 weight layers, 3×3 convs only", o => Vgg('A', false, o), 132_863_336);
        yield return new("vgg-a-lrn", "VGG", "VGG configuration A-LRN: A with local response normalisation after the first conv", o => Vgg('L', false, o), 132_863_336);
        yield return new("vgg13", "VGG", "VGG configuration B: 13 weight layers", o => Vgg('B', false, o), 133_047_848);
        yield return new("vgg-c", "VGG", "VGG configuration C: 16 weight layers, 1×1 convs ending the last three stages", o => Vgg('C', false, o), 133_638_952);
        yield return new("vgg16", "VGG", "VGG configuration D (VGG-16): 16 weight layers, ≈15.5 GMACs", o => Vgg('D', false, o), 138_357_544);
        yield return new("vgg19", "VGG", "VGG configuration E (VGG-19): 19 weight layers", o => Vgg('E', false, o), 143_667_240);
        yield return new("vgg11_bn", "VGG", "VGG-A with BatchNorm after every conv (torchvision)", o => Vgg('A', true, o), 132_868_840);
        yield return new("vgg13_bn", "VGG", "VGG-B with BatchNorm after every conv (torchvision)", o => Vgg('B', true, o), 133_053_736);
        yield return new("vgg16_bn", "VGG", "VGG-D with BatchNorm after every conv (torchvision)", o => Vgg('D', true, o), 138_365_992);
        yield return new("vgg19_bn", "VGG", "VGG-E with BatchNorm after every conv (torchvision)", o => Vgg('E', true, o), 143_678_248);

        yield return new("nin", "NiN", "Network in Network (Lin 2013): mlpconv blocks (conv + two 1×1), no FC, global average pooling", o => NiN(o));

        yield return new("googlenet", "Inception", "GoogLeNet / Inception v1 (Szegedy 2014), torchvision layout with BN, no auxiliary heads", o => GoogLeNet(auxiliary: false, o), 6_624_904);
        yield return new("googlenet-aux", "Inception", "GoogLeNet with its two auxiliary classifiers as outputs 2 and 3 (training aids)", o => GoogLeNet(auxiliary: true, o), 13_004_888);
        yield return new("inception_v2", "Inception", "Inception v2 / BN-Inception (Ioffe & Szegedy 2015): BN everywhere, 5×5 → two 3×3", o => InceptionV2(o));
        yield return new("inception_v3", "Inception", "Inception v3 (Szegedy 2015), torchvision layout, 299², factorised 7×7 and 3×3 convs, no auxiliary head", o => InceptionV3(auxiliary: false, o));
        yield return new("inception_v3-aux", "Inception", "Inception v3 with its auxiliary classifier as output 2 (torchvision's published count includes it)", o => InceptionV3(auxiliary: true, o), 27_161_264);
        yield return new("inception_v4", "Inception", "Inception v4 (Szegedy 2016), 299², stem + 4A/7B/3C modules (count as timm publishes it)", o => InceptionV4(o), 42_679_816);
        yield return new("inception_resnet_v2", "Inception", "Inception-ResNet-v2 (Szegedy 2016), 299², scaled residual Inception blocks (count as timm publishes it)", o => InceptionResNetV2(o), 55_843_464);

        yield return new("resnet18", "ResNet", "ResNet-18 (He 2015): basic blocks [2,2,2,2], projection shortcuts", o => ResNet(18, o), 11_689_512);
        yield return new("resnet34", "ResNet", "ResNet-34: basic blocks [3,4,6,3]", o => ResNet(34, o), 21_797_672);
        yield return new("resnet50", "ResNet", "ResNet-50: bottleneck blocks [3,4,6,3]", o => ResNet(50, o), 25_557_032);
        yield return new("resnet101", "ResNet", "ResNet-101: bottleneck blocks [3,4,23,3]", o => ResNet(101, o), 44_549_160);
        yield return new("resnet152", "ResNet", "ResNet-152: bottleneck blocks [3,8,36,3]", o => ResNet(152, o), 60_192_808);
        foreach (int depth in (int[])[20, 32, 44, 56, 110, 1202])
            yield return new($"cifar-resnet{depth}", "ResNet (CIFAR)", $"CIFAR-10 ResNet-{depth} (He 2015 §4.2): 16/32/64 filters, option-A zero-padding shortcuts",
                o => CifarResNet(depth, plain: false, o), depth == 20 ? 269_722 : null);
        foreach (int depth in (int[])[20, 32, 44, 56])
            yield return new($"cifar-plain{depth}", "ResNet (CIFAR)", $"CIFAR-10 plain-{depth}: ResNet-{depth} without shortcuts (the degradation baseline)", o => CifarResNet(depth, plain: true, o));
        foreach (int depth in (int[])[110, 164, 1001])
            yield return new($"preact-resnet{depth}", "ResNet (CIFAR)", $"CIFAR-10 pre-activation ResNet-{depth} (He 2016, identity mappings): BN → ReLU → conv units", o => PreActResNet(depth, o));
        yield return new("wide_resnet50_2", "ResNet", "Wide ResNet-50-2 (Zagoruyko 2016): ResNet-50 with twice-as-wide bottlenecks", o => WideResNet50_2(o), 68_883_240);
        yield return new("wrn-28-10", "ResNet (CIFAR)", "CIFAR-10 WRN-28-10 (Zagoruyko 2016): 4 pre-activation blocks per group, 10× the width", o => WideResNetCifar(28, 10, o));
        yield return new("resnext50_32x4d", "ResNet", "ResNeXt-50 32×4d (Xie 2016): bottleneck 3×3 as 32 grouped paths", o => ResNeXt50_32x4d(o), 25_028_904);
        yield return new("stochastic-depth-resnet110", "ResNet (CIFAR)", "Stochastic Depth ResNet-110 (Huang 2016) at test time: branch l scaled by p_l, linear decay to 0.5", o => StochasticDepthResNet(110, 0.5f, o));
        yield return new("fractalnet", "FractalNet", "FractalNet (Larsson 2016), CIFAR-10, C=4 columns × 5 blocks, join = mean, no residuals", o => FractalNet(4, o));

        yield return new("densenet121", "DenseNet", "DenseNet-121 (Huang 2017): dense blocks 6-12-24-16, growth 32", o => DenseNet(121, o), 7_978_856);
        yield return new("densenet169", "DenseNet", "DenseNet-169: dense blocks 6-12-32-32", o => DenseNet(169, o), 14_149_480);
        yield return new("densenet201", "DenseNet", "DenseNet-201: dense blocks 6-12-48-32", o => DenseNet(201, o), 20_013_928);

        yield return new("squeezenet1_0", "SqueezeNet", "SqueezeNet 1.0 (Iandola 2016): fire modules, AlexNet accuracy with 50× fewer parameters", o => SqueezeNet(false, o), 1_248_424);
        yield return new("squeezenet1_1", "SqueezeNet", "SqueezeNet 1.1: 3×3 conv1 and earlier pooling, 2.4× less compute", o => SqueezeNet(true, o), 1_235_496);
    }
}
