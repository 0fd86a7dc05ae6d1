using SharpConv.Analysis;
using SharpConv.Graph;

namespace SharpConv.Tests.Analysis;

public class SummaryTests
{
    [Fact]
    public void TotalsEqualTheNetworkTotals()
    {
        foreach (var net in new[] { TestNetworks.LeNet5(), TestNetworks.Vgg16() })
        {
            var s = Summary.Of(net);
            Assert.Equal(net.ParameterCount, s.TrainableParameters);
            Assert.Equal(net.BufferCount, s.Buffers);
            Assert.Equal(net.Macs, s.Macs);
            Assert.Equal(net.Nodes.Count - net.Inputs.Count, s.Layers.Count);
            Assert.Equal(2 * s.GMacs, s.GFlops, 12);
            Assert.Equal(net.InputShape.ElementCount * 4, s.InputBytes);
            Assert.Equal(s.Layers.Sum(l => l.OutputShape.ElementCount) * 4, s.ActivationBytes);
            Assert.Equal((s.TrainableParameters + s.Buffers) * 4, s.ParameterBytes);
        }
    }

    [Fact]
    public void LeNet5HasItsPublishedCountAndLayerRows()
    {
        var s = Summary.Of(TestNetworks.LeNet5());
        Assert.Equal(61_706, s.TrainableParameters);
        var c1 = s.Layers.Single(l => l.Name == "c1");
        Assert.Equal("Conv2d", c1.Kind);
        Assert.Equal(new Shape(1, 6, 28, 28), c1.OutputShape);
        Assert.Equal(5 * 5 * 6 + 6, c1.Parameters);
        Assert.Equal(28L * 28 * 6 * 25, c1.Macs);
        Assert.Equal(28L * 28 * 6 * 4, c1.ActivationBytes);
        Assert.Equal("5×5/1 p0, 6", c1.HyperParameters);
    }

    [Fact]
    public void BatchScalesMacsAndActivationsButNotParameters()
    {
        var net = TestNetworks.LeNet5();
        var one = Summary.Of(net);
        var four = Summary.Of(net, 4);
        Assert.Equal(4, four.Batch);
        Assert.Equal(4 * one.Macs, four.Macs);
        Assert.Equal(4 * one.ActivationBytes, four.ActivationBytes);
        Assert.Equal(one.TrainableParameters, four.TrainableParameters);
        Assert.Equal(one.MacsPerImage, four.MacsPerImage);
        Assert.True(four.PeakActivationBytes > one.PeakActivationBytes);
        Assert.Throws<ArgumentOutOfRangeException>(() => Summary.Of(net, 0));
    }

    [Fact]
    public void BreakdownSharesSumToOneHundredPercent()
    {
        var s = Summary.Of(TestNetworks.Vgg16());
        foreach (var rows in new[] { s.ByKind, s.ByCategory, s.ByStage })
        {
            Assert.Equal(1.0, rows.Sum(r => r.ParameterShare), 9);
            Assert.Equal(1.0, rows.Sum(r => r.ActivationShare), 9);
            Assert.Equal(1.0, rows.Sum(r => r.MacShare), 9);
            Assert.Equal(s.Layers.Count, rows.Sum(r => r.Layers));
            Assert.Equal(s.TrainableParameters, rows.Sum(r => r.Parameters));
        }
    }

    [Fact]
    public void Vgg16FullyConnectedLayersHoldEightyNinePercentOfParameters()
    {
        var s = Summary.Of(TestNetworks.Vgg16());
        Assert.Equal(138_357_544, s.TrainableParameters);
        var fc = s.Kind("Linear")!;
        Assert.Equal(123_642_856, fc.Parameters); // 25088·4096+4096 + 4096·4096+4096 + 4096·1000+1000
        Assert.InRange(fc.ParameterShare, 0.885, 0.90);
        // Compute lives in the convolutions, activations in the early (high-resolution) layers.
        Assert.True(s.Kind("Conv2d")!.MacShare > 0.99);
        Assert.InRange(s.GMacs, 15.4, 15.55);
        Assert.True(s.ByStage[0].ActivationShare > s.ByStage[4].ActivationShare * 10);
        Assert.Equal(["block1", "block2", "block3", "block4", "block5", "classifier"], s.ByStage.Select(r => r.Key));
        Assert.Equal(new Shape(1, 512, 7, 7), s.ByStage[4].LastOutputShape);
    }

    [Fact]
    public void ZooVgg16AgreesWithThePaperVgg16()
    {
        var paper = Summary.Of(TestNetworks.Vgg16());
        var zoo = Summary.Of(TestNetworks.ZooVgg16());
        Assert.Equal(paper.TrainableParameters, zoo.TrainableParameters);
        Assert.Equal(paper.Macs, zoo.Macs);
        Assert.Equal(paper.Kind("Linear")!.ParameterShare, zoo.Kind("Linear")!.ParameterShare, 12);
        Assert.Equal(paper.PeakActivationBytes, zoo.PeakActivationBytes);
    }

    [Fact]
    public void EveryZooArchitectureSummarisesToItsNetworkTotals()
    {
        foreach (var entry in global::SharpConv.Zoo.Zoo.All)
        {
            var net = entry.Build(new global::SharpConv.Zoo.ZooOptions());
            var s = Summary.Of(net);
            Assert.Equal(net.ParameterCount, s.TrainableParameters);
            Assert.Equal(net.Macs, s.Macs);
            Assert.True(s.PeakActivationBytes <= s.InputBytes + s.ActivationBytes + 64L * s.Layers.Count, entry.Name);
            Assert.Equal(1.0, s.ByKind.Sum(r => r.ParameterShare), 9);
        }
    }

    [Fact]
    public void PeakActivationIsBelowTheSumOfActivations()
    {
        foreach (var net in new[] { TestNetworks.LeNet5(), TestNetworks.Vgg16() })
        {
            var s = Summary.Of(net);
            Assert.True(s.PeakActivationBytes > 0);
            Assert.True(s.PeakActivationBytes <= s.ActivationBytes, $"{net.Name}: peak {s.PeakActivationBytes} > sum {s.ActivationBytes}");
            // At least the largest single output (plus its input) must fit.
            Assert.True(s.PeakActivationBytes >= s.Layers.Max(l => l.ActivationBytes));
        }
        // VGG-16: two 224×224×64 maps live at once (conv1_2 reads conv1_1's ReLU) — 25.7 MB, not the 115 MB sum.
        var vgg = Summary.Of(TestNetworks.Vgg16());
        Assert.InRange(vgg.PeakActivationBytes, 2 * 224 * 224 * 64 * 4, 3 * 224 * 224 * 64 * 4);
    }

    [Fact]
    public void SummarisingMaterialisesNoWeights()
    {
        var net = TestNetworks.Vgg16();
        _ = Summary.Of(net);
        Assert.All(net.Nodes.SelectMany(n => n.Op.Parameters), p => Assert.False(p.IsMaterialized));
    }

    [Fact]
    public void TextRenderingHasTheTorchinfoSections()
    {
        string text = Summary.Of(TestNetworks.LeNet5()).ToText();
        Assert.Contains("c1 (Conv2d)", text);
        Assert.Contains("Trainable params:        61,706", text);
        Assert.Contains("1 MAC = 2 FLOPs", text);
        Assert.Contains("Peak activation memory", text);
        Assert.Contains("By layer kind", text);
    }
}
