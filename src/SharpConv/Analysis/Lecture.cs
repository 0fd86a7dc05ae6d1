using System.Text;
using SharpConv.Graph;
using SharpConv.Ops;

namespace SharpConv.Analysis;

/// <summary>
/// The arithmetic of the CNN-architectures lectures as functions that show their working: output sizes, receptive
/// fields, parameter counts, the Inception module's cost, what global average pooling saves, forward memory.
/// Every function returns the number and a derivation a student can follow line by line; where a count can be taken
/// from a built network or op, it is (so the lecture and the engine cannot drift apart), and where the lecture's
/// own figure is wrong the result says so in <see cref="LectureResult.Correction"/>.
/// </summary>
public static class Lecture
{
    /// <summary>
    /// Output size of a convolution or pooling along one axis: <c>(N − F + 2P) / S + 1</c>.
    /// When <c>S</c> does not divide <c>N − F + 2P</c> the filter does not tile the input; the result says so and gives
    /// the floored size that frameworks produce (AlexNet's 224 with 11/4 is the classic case; 227 fits).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, padding is negative, or the filter is larger than the padded input.</exception>
    public static OutputSizeResult OutputSize(int inputSize, int filter, int stride = 1, int padding = 0, string? title = null)
    {
        if (inputSize < 1) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "N must be ≥ 1.");
        if (filter < 1) throw new ArgumentOutOfRangeException(nameof(filter), filter, "F must be ≥ 1.");
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), stride, "S must be ≥ 1.");
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), padding, "P must be ≥ 0.");
        int span = inputSize - filter + 2 * padding;
        if (span < 0) throw new ArgumentOutOfRangeException(nameof(filter), filter, $"F = {filter} is larger than the padded input N + 2P = {inputSize + 2 * padding}.");
        bool fits = span % stride == 0;
        int size = span / stride + 1;
        double exact = (double)span / stride + 1;
        var d = new StringBuilder();
        d.AppendLine($"(N − F + 2P) / S + 1 with N = {inputSize}, F = {filter}, P = {padding}, S = {stride}");
        d.AppendLine($"= ({inputSize} − {filter} + 2·{padding}) / {stride} + 1");
        d.AppendLine($"= {span} / {stride} + 1");
        if (fits) d.Append($"= {size}");
        else
        {
            d.AppendLine($"= {Units.F(exact, "0.###")}  ✗ not an integer: stride {stride} does not divide {span} ({span} mod {stride} = {span % stride})");
            d.Append($"frameworks floor it to {size}; the last {span % stride} pixel(s) of the padded input are never covered");
        }
        return new OutputSizeResult
        {
            Topic = "output-size",
            Title = title ?? $"Output size, N={inputSize} F={filter} S={stride} P={padding}",
            Derivation = d.ToString(),
            InputSize = inputSize, Filter = filter, Stride = stride, Padding = padding,
            Exact = exact, Size = size, Fits = fits, UnusedPixels = span % stride,
        };
    }

    /// <summary>
    /// Receptive field of a stack of layers (convolutions or poolings), first layer first:
    /// <c>r₀ = 1, rᵢ = rᵢ₋₁ + (kᵢ − 1)·jᵢ₋₁</c> where <c>jᵢ = s₁·…·sᵢ</c> is the distance in input pixels between
    /// neighbouring outputs of layer i (the "jump"). Dilation is not modelled (no lecture network uses it).
    /// </summary>
    /// <exception cref="ArgumentException">The lists differ in length, or a kernel or stride is below 1.</exception>
    public static ReceptiveFieldResult ReceptiveField(IReadOnlyList<int> kernels, IReadOnlyList<int>? strides = null, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(kernels);
        strides ??= Enumerable.Repeat(1, kernels.Count).ToArray();
        if (strides.Count != kernels.Count) throw new ArgumentException($"{kernels.Count} kernels but {strides.Count} strides.", nameof(strides));
        if (kernels.Any(k => k < 1) || strides.Any(s => s < 1)) throw new ArgumentException("kernels and strides must be ≥ 1.", nameof(kernels));
        var after = new int[kernels.Count];
        var d = new StringBuilder("r = 1 (one input pixel), jump j = 1\n");
        long r = 1, jump = 1;
        for (int i = 0; i < kernels.Count; i++)
        {
            long next = r + (kernels[i] - 1) * jump;
            d.AppendLine($"layer {i + 1}: {kernels[i]}×{kernels[i]}/{strides[i]}: r = {r} + ({kernels[i]} − 1)·{jump} = {next}" +
                         (strides[i] == 1 ? "" : $", jump = {jump}·{strides[i]} = {jump * strides[i]}"));
            r = next; jump *= strides[i];
            after[i] = checked((int)r);
        }
        d.Append($"receptive field = {r}×{r}");
        bool allSame = kernels.Count > 0 && kernels.All(k => k == kernels[0]) && strides.All(s => s == 1);
        return new ReceptiveFieldResult
        {
            Topic = "receptive-field",
            Title = title ?? (allSame ? $"Receptive field of {kernels.Count} stacked {kernels[0]}×{kernels[0]} convs (stride 1)"
                                      : $"Receptive field of [{string.Join(", ", kernels.Select((k, i) => $"{k}/{strides[i]}"))}]"),
            Derivation = d.ToString(),
            Kernels = kernels.ToArray(), Strides = strides.ToArray(), AfterEachLayer = after,
        };
    }

    /// <summary>Receptive field of <paramref name="layers"/> stacked stride-1 <paramref name="kernel"/>×<paramref name="kernel"/> convolutions: <c>L·(k − 1) + 1</c>.</summary>
    public static ReceptiveFieldResult ReceptiveField(int layers, int kernel = 3) =>
        ReceptiveField(Enumerable.Repeat(kernel, layers).ToArray());

    /// <summary>
    /// Parameters of a convolution: <c>F·F·Cin/G·Cout + Cout</c>. The count is taken from a <see cref="Conv2d"/> op
    /// built with these hyper-parameters (its weights stay lazy, nothing is allocated), so it is the engine's count.
    /// </summary>
    public static ConvParametersResult ConvParameters(int inChannels, int outChannels, int kernel, int groups = 1, bool bias = true, string? title = null)
    {
        var op = new Conv2d(inChannels, outChannels, (kernel, kernel), (1, 1), 0, (1, 1), groups, bias);
        long weights = op.Weight.Count, biases = op.Bias?.Count ?? 0;
        string g = groups == 1 ? "" : $"/{groups}";
        var d = new StringBuilder();
        d.AppendLine($"F·F·Cin{(groups == 1 ? "" : "/G")}·Cout{(bias ? " + Cout" : "")} with F = {kernel}, Cin = {inChannels}, Cout = {outChannels}{(groups == 1 ? "" : $", G = {groups}")}");
        d.AppendLine($"= {kernel}·{kernel}·{inChannels}{g}·{outChannels}{(bias ? $" + {outChannels}" : "")}");
        d.Append($"= {Units.Exact(weights)}{(bias ? $" + {Units.Exact(biases)} = {Units.Exact(weights + biases)}" : "")} ≈ {Units.Short(weights + biases)}");
        return new ConvParametersResult
        {
            Topic = "conv-params",
            Title = title ?? $"Parameters of a {kernel}×{kernel} conv, {inChannels}→{outChannels}{(groups == 1 ? "" : $" in {groups} groups")}",
            Derivation = d.ToString(), Weights = weights, Biases = biases,
        };
    }

    /// <summary>
    /// VGG's argument: <paramref name="layers"/> stacked <paramref name="smallKernel"/>×<paramref name="smallKernel"/>
    /// convolutions see as far as one <c>(L·(k−1)+1)²</c> filter but have <c>L·k²·C²</c> weights instead of
    /// <c>K²·C²</c> (and L non-linearities instead of one). Biases left out, as in the lecture.
    /// </summary>
    public static StackedFiltersResult StackedFilters(int channels, int layers = 2, int smallKernel = 3)
    {
        if (channels < 1 || layers < 1 || smallKernel < 1) throw new ArgumentOutOfRangeException(nameof(channels), "channels, layers and kernel must be ≥ 1.");
        int large = ReceptiveField(layers, smallKernel).Size;
        long small1 = new Conv2d(channels, channels, (smallKernel, smallKernel), (1, 1), 0, (1, 1), bias: false).TrainableParameterCount;
        long stack = layers * small1;
        long big = new Conv2d(channels, channels, (large, large), (1, 1), 0, (1, 1), bias: false).TrainableParameterCount;
        var d = new StringBuilder();
        d.AppendLine($"receptive field of {layers} stacked {smallKernel}×{smallKernel} (stride 1) = {layers}·({smallKernel} − 1) + 1 = {large}×{large}");
        d.AppendLine($"{layers} × {smallKernel}×{smallKernel}: {layers}·({smallKernel}·{smallKernel}·C·C) = {layers * smallKernel * smallKernel}·C² = {layers}·{smallKernel * smallKernel}·{channels}² = {Units.Exact(stack)}");
        d.AppendLine($"1 × {large}×{large}: {large}·{large}·C·C = {large * large}·C² = {large * large}·{channels}² = {Units.Exact(big)}");
        d.Append($"the stack needs {Units.Percent((double)stack / big)} of the weights, and adds {layers - 1} more non-linearit{(layers == 2 ? "y" : "ies")}");
        return new StackedFiltersResult
        {
            Topic = "stacked-filters",
            Title = $"{layers} stacked {smallKernel}×{smallKernel} vs one {large}×{large}, C = {channels}",
            Derivation = d.ToString(),
            SmallKernel = smallKernel, Layers = layers, Channels = channels, LargeKernel = large, StackWeights = stack, LargeWeights = big,
        };
    }

    /// <summary>
    /// The Inception module worked example. Both modules are built with <see cref="NetworkBuilder"/> and costed by
    /// <see cref="Network.Macs"/>: naive = parallel 1×1 (<paramref name="c1"/>), 3×3 (<paramref name="c3"/>),
    /// 5×5 (<paramref name="c5"/>) convs and a 3×3 max pool, concatenated; reduced = the same with
    /// <paramref name="reduce"/>-channel 1×1 convs before the 3×3 and 5×5 and after the pool.
    /// With the lecture's numbers (28×28×256 in; 128, 192, 96; 64) the naive module costs 854M MACs and outputs
    /// 28×28×672; the reduced one outputs 28×28×480 and costs 271M MACs — not the 358M the lecture states.
    /// </summary>
    public static InceptionModuleResult InceptionModule(int size = 28, int inChannels = 256, int c1 = 128, int c3 = 192, int c5 = 96, int reduce = 64)
    {
        var naive = BuildInception("inception-naive", size, inChannels, c1, c3, c5, reduce: null);
        var reduced = BuildInception("inception-reduced", size, inChannels, c1, c3, c5, reduce);
        var naiveLayers = Costs(naive);
        var reducedLayers = Costs(reduced);

        var d = new StringBuilder();
        d.AppendLine($"Naive module on {size}×{size}×{inChannels} (MACs = Hout·Wout·Cout × F·F·Cin):");
        AppendCosts(d, naiveLayers, $"  {"[3x3 pool]",-17} {"no multiply-adds",-22} = {0,13:N0}");
        d.AppendLine($"  concat → {size}×{size}×({c1}+{c3}+{c5}+{inChannels}) = {Hwc(naive.OutputShape)};  total {Units.Exact(naive.Macs)} ≈ {Units.Short(naive.Macs)} MACs");
        d.AppendLine($"With {reduce}-channel 1×1 reductions:");
        AppendCosts(d, reducedLayers, null);
        d.AppendLine($"  concat → {size}×{size}×({c1}+{c3}+{c5}+{reduce}) = {Hwc(reduced.OutputShape)};  total {Units.Exact(reduced.Macs)} ≈ {Units.Short(reduced.Macs)} MACs");
        d.Append($"the reductions cut the cost to {Units.Percent((double)reduced.Macs / naive.Macs)} of the naive module ({Units.F((double)naive.Macs / reduced.Macs, "0.0")}× fewer), and the output depth from {naive.OutputShape.C} to {reduced.OutputShape.C}");

        bool lectureNumbers = size == 28 && inChannels == 256 && c1 == 128 && c3 == 192 && c5 == 96 && reduce == 64;
        const long claim = 358_000_000;
        return new InceptionModuleResult
        {
            Topic = "inception",
            Title = $"Inception module on {size}×{size}×{inChannels}: naive vs 1×1 reductions",
            Derivation = d.ToString(),
            Naive = naive, Reduced = reduced, NaiveLayers = naiveLayers, ReducedLayers = reducedLayers,
            LectureReducedClaim = claim,
            Correction = lectureNumbers
                ? $"The lecture states 358M ops for the reduced module. That is wrong: its own list of six layers sums to " +
                  $"{Units.Exact(reduced.Macs)} ≈ {Units.Short(reduced.Macs)} MACs (the engine's count of the built module, equal to the sum above); " +
                  $"358M overstates it by {Units.Short(claim - reduced.Macs)} ({Units.Percent((double)(claim - reduced.Macs) / reduced.Macs)})."
                : null,
        };
    }

    private static Network BuildInception(string name, int size, int inChannels, int c1, int c3, int c5, int? reduce)
    {
        var b = new NetworkBuilder(name);
        var x = b.Input(inChannels, size, size);
        Value branch1 = x.Conv(c1, 1, name: "1x1");
        Value branch3, branch5, branchPool;
        if (reduce is int r)
        {
            branch3 = x.Conv(r, 1, name: "3x3_reduce").Conv(c3, 3, padding: 1, name: "3x3");
            branch5 = x.Conv(r, 1, name: "5x5_reduce").Conv(c5, 5, padding: 2, name: "5x5");
            branchPool = x.MaxPool(3, 1, padding: 1, name: "pool").Conv(r, 1, name: "pool_proj");
        }
        else
        {
            branch3 = x.Conv(c3, 3, padding: 1, name: "3x3");
            branch5 = x.Conv(c5, 5, padding: 2, name: "5x5");
            branchPool = x.MaxPool(3, 1, padding: 1, name: "pool");
        }
        return b.Build(b.Concat(branch1, branch3, branch5, branchPool));
    }

    private static IReadOnlyList<LayerCost> Costs(Network net) =>
        net.Nodes.Where(n => n.Op is Conv2d).Select(n =>
        {
            var c = (Conv2d)n.Op;
            var o = n.OutputShape;
            return new LayerCost(n.Name, $"[{c.KernelH}x{c.KernelW} conv, {c.OutChannels}]",
                $"{o.H}×{o.W}×{o.C} × {c.KernelH}×{c.KernelW}×{c.InChannels / c.Groups}", n.Macs, c.TrainableParameterCount);
        }).ToArray();

    private static void AppendCosts(StringBuilder d, IReadOnlyList<LayerCost> layers, string? extraLine)
    {
        foreach (var l in layers) d.AppendLine($"  {l.Description,-17} {l.Formula,-22} = {l.Macs,13:N0}");
        if (extraLine is not null) d.AppendLine(extraLine);
        d.AppendLine($"  {"",-17} {"sum",-22} = {layers.Sum(l => l.Macs),13:N0}");
    }

    private static string Hwc(Shape s) => $"{s.H}×{s.W}×{s.C}";

    /// <summary>
    /// What global average pooling saves against a fully connected layer on the last <paramref name="height"/>×
    /// <paramref name="width"/>×<paramref name="channels"/> map (GoogLeNet: 7×7×1024 → 1024 would need
    /// 7·7·1024·1024 = 51,380,224 weights ≈ 51.4M; the notes' "51.3M" truncates it). The count is the engine's
    /// <see cref="Linear"/> op with those features (its weights stay lazy).
    /// </summary>
    public static GlobalPoolingSavingsResult GlobalPoolingSavings(int height = 7, int width = 7, int channels = 1024, int outFeatures = 1024)
    {
        int features = checked(height * width * channels);
        var fc = new Linear(features, outFeatures);
        long weights = fc.Weight.Count, biases = fc.Bias?.Count ?? 0;
        var d = new StringBuilder();
        d.AppendLine($"FC on the flattened {height}×{width}×{channels} map to {outFeatures} outputs: {height}·{width}·{channels}·{outFeatures} = {Units.Exact(weights)} weights (+{Units.Exact(biases)} biases)");
        d.AppendLine($"global average pooling: {height}×{width}×{channels} → 1×1×{channels}, 0 parameters");
        d.Append($"saved: {Units.Exact(weights)} weights ≈ {Units.F(weights / 1e6, "0.00")}M, {Units.Megabytes(weights * Summary.BytesPerFloat)} of float32");
        return new GlobalPoolingSavingsResult
        {
            Topic = "gap",
            Title = $"Global average pooling instead of FC on {height}×{width}×{channels}",
            Derivation = d.ToString(), FcWeights = weights, FcBiases = biases,
        };
    }

    /// <summary>
    /// Activation memory of one forward pass of <paramref name="network"/> at <paramref name="batch"/>, counted three
    /// ways: the lecture's (input + outputs of conv, pooling and FC layers, ReLU assumed in place), every node's output
    /// (plus the input), and the liveness-planned peak that SharpConv actually allocates. When
    /// <paramref name="lectureClaimValues"/> is given and differs from the lecture's own convention by more than 5 %,
    /// <see cref="LectureResult.Correction"/> says so. For VGG-16 the CS231n slide states 24M values ≈ 96 MB, but its
    /// own per-layer list sums to 15.2M values ≈ 61 MB.
    /// </summary>
    public static ForwardMemoryResult ForwardMemory(Network network, int batch = 1, long? lectureClaimValues = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        var s = Summary.Of(network, batch);
        long input = s.InputBytes / Summary.BytesPerFloat;
        // torchvision's VGG adds an adaptive 7×7 average pool that is the identity at 224×224; the lecture's network has
        // no such layer, so a pooling layer that changes nothing is left out of the lecture's count.
        var identityPools = network.Nodes
            .Where(n => n.Op is AdaptiveAvgPool2d && n.Inputs.Count == 1 && n.Inputs[0].OutputShape == n.OutputShape)
            .Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var counted = s.Layers.Where(l => l.Category is LayerCategory.Convolution or LayerCategory.Pooling or LayerCategory.FullyConnected
                                          && !identityPools.Contains(l.Name)).ToList();
        long lecture = input + counted.Sum(l => l.ActivationBytes) / Summary.BytesPerFloat;
        long all = input + s.ActivationBytes / Summary.BytesPerFloat;
        long peak = s.PeakActivationBytes / Summary.BytesPerFloat;

        var d = new StringBuilder();
        d.AppendLine($"{network.Name}, batch {batch}, 4 bytes per activation, forward pass only:");
        d.AppendLine($"  input {s.InputShape}: {Units.Exact(input)}");
        foreach (var g in counted.GroupBy(l => l.Kind))
            d.AppendLine($"  {g.Count()} {g.Key} outputs: {Units.Exact(g.Sum(l => l.ActivationBytes) / Summary.BytesPerFloat)}");
        d.AppendLine($"  lecture's count (input + conv/pool/FC outputs, ReLU in place): {Units.Exact(lecture)} values ≈ {Units.Short(lecture)} → {Units.Megabytes(lecture * Summary.BytesPerFloat)}");
        d.AppendLine($"  every layer's output kept (ReLU, dropout… as their own buffers): {Units.Exact(all)} values → {Units.Megabytes(all * Summary.BytesPerFloat)}");
        d.Append($"  peak with buffers reused once dead (SharpConv's arena plan): {Units.Exact(peak)} values → {Units.Megabytes(peak * Summary.BytesPerFloat)}");
        string? correction = null;
        if (lectureClaimValues is long claim && Math.Abs(claim - lecture) > 0.05 * lecture)
            correction = $"The lecture states {Units.Short(claim)} values ≈ {Units.Megabytes(claim * Summary.BytesPerFloat)}, but the same layers sum to " +
                         $"{Units.Exact(lecture)} ≈ {Units.Short(lecture)} values ≈ {Units.Megabytes(lecture * Summary.BytesPerFloat)}; " +
                         $"the claim is not the sum of its own list (keeping ReLU outputs separately gives {Units.Short(all)}, so neither convention yields it).";
        return new ForwardMemoryResult
        {
            Topic = "memory",
            Title = $"Forward-pass activation memory of {network.Name}",
            Derivation = d.ToString(), Correction = correction,
            Batch = batch, LectureConventionValues = lecture, AllOutputValues = all, PeakValues = peak, LectureClaimValues = lectureClaimValues,
        };
    }

    /// <summary>
    /// Where <paramref name="network"/> keeps its parameters (VGG-16: FC layers ≈ 89 %), its activations (the
    /// high-resolution early convs) and its compute (the convs): shares from <see cref="Summary.Of"/>.
    /// </summary>
    public static WhereThingsLiveResult WhereThingsLive(Network network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var s = Summary.Of(network, 1);
        double fc = s.Category(LayerCategory.FullyConnected)?.ParameterShare ?? 0;
        double convMacs = s.Category(LayerCategory.Convolution)?.MacShare ?? 0;
        double convParams = s.Category(LayerCategory.Convolution)?.ParameterShare ?? 0;
        long totalAct = s.ActivationBytes;
        var byRes = s.Layers
            .GroupBy(l => l.OutputShape.Rank == 4 ? $"{l.OutputShape.H}×{l.OutputShape.W}" : "vector")
            .Select(g => (Resolution: g.Key, Pixels: g.First().OutputShape.Rank == 4 ? (long)g.First().OutputShape.H * g.First().OutputShape.W : 0,
                          Share: totalAct == 0 ? 0 : (double)g.Sum(l => l.ActivationBytes) / totalAct))
            .OrderByDescending(g => g.Pixels)
            .Select(g => (g.Resolution, g.Share)).ToArray();
        var d = new StringBuilder();
        d.AppendLine($"{network.Name}: {Units.Exact(s.TrainableParameters)} parameters, {Units.Exact(s.Macs)} MACs, {Units.Megabytes(s.ActivationBytes)} of layer outputs per image");
        d.AppendLine($"  parameters: fully connected {Units.Percent(fc)}, convolutions {Units.Percent(convParams)}");
        d.AppendLine($"  compute:    convolutions {Units.Percent(convMacs)} of MACs, fully connected {Units.Percent(s.Category(LayerCategory.FullyConnected)?.MacShare ?? 0)}");
        d.Append("  activations by resolution: " + string.Join(", ", byRes.Select(r => $"{r.Resolution} {Units.Percent(r.Share)}")));
        return new WhereThingsLiveResult
        {
            Topic = "where",
            Title = $"Where {network.Name} keeps parameters, activations and compute",
            Derivation = d.ToString(), Summary = s,
            FullyConnectedParameterShare = fc, ConvolutionMacShare = convMacs, ActivationShareByResolution = byRes,
        };
    }

    /// <summary>The topics of <see cref="WorkedExamples"/>, with a one-line description each.</summary>
    public static IReadOnlyList<(string Topic, string Description)> Topics { get; } =
    [
        ("output-size", "conv/pool output size (N − F + 2P)/S + 1, AlexNet conv1, and a case that does not fit"),
        ("receptive-field", "receptive field of stacked convs (three 3×3 = 7×7, five 3×3 = 11×11) and of a strided stack"),
        ("stacked-filters", "weights of stacked small filters vs one large filter (VGG's argument)"),
        ("conv-params", "conv parameter count F·F·Cin/G·Cout + Cout (AlexNet conv1, grouped conv2)"),
        ("inception", "the Inception module: naive vs 1×1 reductions, computed from built modules"),
        ("gap", "what global average pooling saves against an FC layer (GoogLeNet)"),
        ("memory", "forward-pass activation memory of VGG-16, three ways (needs vgg16 in the zoo)"),
        ("where", "where VGG-16 keeps parameters, activations and compute (needs vgg16 in the zoo)"),
    ];

    /// <summary>
    /// The lecture's worked examples, in lecture order, optionally only those of <paramref name="topic"/>.
    /// <paramref name="findNetwork"/> resolves architectures by name (e.g. <c>vgg16</c>) for the examples that need a
    /// whole network; those examples are skipped when it is null or returns null. (Analysis does not depend on the
    /// Zoo; the caller passes <c>Zoo.Build</c> or its own builder.)
    /// </summary>
    /// <exception cref="ArgumentException">Unknown topic; the message lists the known ones.</exception>
    public static IReadOnlyList<LectureResult> WorkedExamples(string? topic = null, Func<string, Network?>? findNetwork = null)
    {
        if (topic is not null && Topics.All(t => t.Topic != topic))
            throw new ArgumentException($"no lecture topic '{topic}'. Known: {string.Join(", ", Topics.Select(t => t.Topic))}.", nameof(topic));
        bool Want(string t) => topic is null || topic == t;
        var list = new List<LectureResult>();
        if (Want("output-size"))
        {
            list.Add(OutputSize(227, 11, 4, 0, "AlexNet conv1 on 227×227: 11×11 stride 4"));
            list.Add(OutputSize(224, 11, 4, 0, "AlexNet conv1 on the paper's 224×224"));
            list.Add(OutputSize(55, 3, 2, 0, "AlexNet pool1: 3×3 stride 2 on 55×55"));
            list.Add(OutputSize(224, 3, 1, 1, "VGG conv: 3×3 stride 1 pad 1 keeps the size"));
        }
        if (Want("receptive-field"))
        {
            list.Add(ReceptiveField(2));
            list.Add(ReceptiveField(3));
            list.Add(ReceptiveField(5));
            list.Add(ReceptiveField([11, 3, 5, 3], [4, 2, 1, 2], "AlexNet conv1 → pool1 → conv2 → pool2"));
        }
        if (Want("stacked-filters"))
        {
            list.Add(StackedFilters(128, 2));
            list.Add(StackedFilters(128, 3));
        }
        if (Want("conv-params"))
        {
            list.Add(ConvParameters(3, 96, 11, title: "AlexNet conv1: 11×11, 3→96"));
            list.Add(ConvParameters(96, 256, 5, groups: 2, title: "AlexNet conv2: 5×5, 96→256 in 2 groups (the two GPUs)"));
        }
        if (Want("inception")) list.Add(InceptionModule());
        if (Want("gap")) list.Add(GlobalPoolingSavings());
        if ((Want("memory") || Want("where")) && findNetwork?.Invoke("vgg16") is Network vgg)
        {
            if (Want("memory")) list.Add(ForwardMemory(vgg, 1, lectureClaimValues: 24_000_000));
            if (Want("where")) list.Add(WhereThingsLive(vgg));
        }
        return list;
    }
}
