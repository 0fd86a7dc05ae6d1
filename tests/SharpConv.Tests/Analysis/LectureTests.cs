using SharpConv.Analysis;
using SharpConv.Graph;
using SharpConv.Ops;

namespace SharpConv.Tests.Analysis;

public class LectureTests
{
    [Fact]
    public void AlexNetConv1OutputIs55()
    {
        var r = Lecture.OutputSize(227, 11, 4);
        Assert.Equal(55, r.Size);
        Assert.True(r.Fits);
        Assert.Contains("(227 − 11 + 2·0) / 4 + 1", r.Derivation);
        Assert.EndsWith("= 55", r.Derivation);
    }

    [Fact]
    public void NonIntegerOutputSizeIsFlagged()
    {
        var r = Lecture.OutputSize(224, 11, 4);
        Assert.False(r.Fits);
        Assert.Equal(54, r.Size);   // what frameworks compute: ⌊213/4⌋ + 1
        Assert.Equal(54.25, r.Exact);
        Assert.Equal(1, r.UnusedPixels);
        Assert.Contains("not an integer", r.Derivation);
        // The same rule as the engine's Conv2d.
        var b = new NetworkBuilder("t");
        Assert.Equal(54, b.Input(3, 224, 224).Conv(96, 11, stride: 4).Shape.H);
        Assert.Throws<ArgumentOutOfRangeException>(() => Lecture.OutputSize(5, 7));
    }

    [Theory]
    [InlineData(2, 5)]
    [InlineData(3, 7)]
    [InlineData(5, 11)]
    public void StackedThreeByThreeReceptiveField(int layers, int expected)
    {
        var r = Lecture.ReceptiveField(layers);
        Assert.Equal(expected, r.Size);
        Assert.Equal($"{expected}×{expected}", r.Answer);
    }

    [Fact]
    public void StridedReceptiveFieldUsesTheJump()
    {
        // AlexNet conv1 11/4 → pool 3/2 → conv2 5/1 → pool 3/2: 11, 11+2·4 = 19, 19+4·8 = 51, 51+2·8 = 67.
        var r = Lecture.ReceptiveField([11, 3, 5, 3], [4, 2, 1, 2]);
        Assert.Equal([11, 19, 51, 67], r.AfterEachLayer);
        Assert.Throws<ArgumentException>(() => Lecture.ReceptiveField([3, 3], [1]));
    }

    [Fact]
    public void TwoThreeByThreeVersusOneFiveByFive()
    {
        var r = Lecture.StackedFilters(128, 2);
        Assert.Equal(5, r.LargeKernel);
        Assert.Equal(294_912, r.StackWeights);
        Assert.Equal(409_600, r.LargeWeights);
        var three = Lecture.StackedFilters(128, 3);
        Assert.Equal(7, three.LargeKernel);
        Assert.Equal(27L * 128 * 128, three.StackWeights);
        Assert.Equal(49L * 128 * 128, three.LargeWeights);
    }

    [Fact]
    public void ConvParameterFormula()
    {
        var r = Lecture.ConvParameters(3, 96, 11);
        Assert.Equal(34_848, r.Weights);
        Assert.Equal(34_944, r.Total);
        var grouped = Lecture.ConvParameters(96, 256, 5, groups: 2);
        Assert.Equal(5L * 5 * 48 * 256 + 256, grouped.Total);
    }

    [Fact]
    public void NaiveInceptionModuleCosts854M()
    {
        var r = Lecture.InceptionModule();
        Assert.Equal(new Shape(1, 672, 28, 28), r.NaiveOutput);
        Assert.Equal(854_196_224, r.NaiveMacs);
        Assert.Equal(854, r.NaiveMacs / 1_000_000);
    }

    [Fact]
    public void ReducedInceptionModuleIsComputedNotCopied()
    {
        var r = Lecture.InceptionModule();
        Assert.Equal(new Shape(1, 480, 28, 28), r.ReducedOutput);
        // The lecture's own list of layers, each costed by its closed form Hout·Wout·Cout·F·F·Cin.
        long[] lectureList =
        [
            28L * 28 * 64 * 1 * 1 * 256,   // [1x1 conv, 64] before the 3x3
            28L * 28 * 64 * 1 * 1 * 256,   // [1x1 conv, 64] before the 5x5
            28L * 28 * 128 * 1 * 1 * 256,  // [1x1 conv, 128]
            28L * 28 * 192 * 3 * 3 * 64,   // [3x3 conv, 192]
            28L * 28 * 96 * 5 * 5 * 64,    // [5x5 conv, 96]
            28L * 28 * 64 * 1 * 1 * 256,   // [1x1 conv, 64] after the pool
        ];
        Assert.Equal(lectureList.Sum(), r.ReducedMacs);
        Assert.Equal(r.ReducedLayers.Sum(l => l.Macs), r.ReducedMacs);
        Assert.Equal(271_351_808, r.ReducedMacs);
        Assert.NotEqual(358_000_000, r.ReducedMacs);
        Assert.NotNull(r.Correction);
        Assert.Contains("358M", r.Correction);
        Assert.Contains("271", r.Correction);
    }

    [Fact]
    public void GlobalAveragePoolingSaves51MWeights()
    {
        var r = Lecture.GlobalPoolingSavings();
        Assert.Equal(7L * 7 * 1024 * 1024, r.FcWeights);
        Assert.Equal(51_380_224, r.FcWeights);
        Assert.InRange(r.FcWeights / 1e6, 51.3, 51.4);
        Assert.Equal(0, r.GapParameters);
    }

    [Fact]
    public void Vgg16ForwardMemoryThreeWays()
    {
        var r = Lecture.ForwardMemory(TestNetworks.Vgg16(), lectureClaimValues: 24_000_000);
        // Input + 13 conv + 5 pool + 3 FC outputs: the slide's own per-layer list.
        Assert.Equal(15_237_608, r.LectureConventionValues);
        Assert.True(r.AllOutputValues > r.LectureConventionValues);
        Assert.True(r.PeakValues < r.LectureConventionValues);
        Assert.NotNull(r.Correction);
        Assert.Contains("24M", r.Correction);
    }

    [Fact]
    public void ZooVgg16ForwardMemoryLeavesOutTheIdentityAdaptivePool()
    {
        // torchvision's layout adds AdaptiveAvgPool2d(7×7), the identity at 224×224: the lecture count must not change.
        var r = Lecture.ForwardMemory(TestNetworks.ZooVgg16(), lectureClaimValues: 24_000_000);
        Assert.Equal(15_237_608, r.LectureConventionValues);
    }

    [Fact]
    public void Vgg16WhereThingsLive()
    {
        var r = Lecture.WhereThingsLive(TestNetworks.Vgg16());
        Assert.InRange(r.FullyConnectedParameterShare, 0.89, 0.90);
        Assert.True(r.ConvolutionMacShare > 0.99);
        Assert.Equal("224×224", r.ActivationShareByResolution[0].Resolution);
        Assert.True(r.ActivationShareByResolution[0].Share > 0.4);
    }

    [Fact]
    public void WorkedExamplesCoverEveryTopic()
    {
        var all = Lecture.WorkedExamples(findNetwork: name => name == "vgg16" ? TestNetworks.Vgg16() : null);
        Assert.Equal(Lecture.Topics.Select(t => t.Topic), all.Select(r => r.Topic).Distinct());
        Assert.All(all, r => Assert.False(string.IsNullOrWhiteSpace(r.Derivation)));
        Assert.DoesNotContain(Lecture.WorkedExamples(), r => r.Topic == "memory"); // no network resolver: skipped
        Assert.Single(Lecture.WorkedExamples("inception"));
        var e = Assert.Throws<ArgumentException>(() => Lecture.WorkedExamples("nope"));
        Assert.Contains("receptive-field", e.Message);
    }
}
