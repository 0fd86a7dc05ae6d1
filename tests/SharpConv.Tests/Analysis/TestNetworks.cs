using SharpConv.Graph;

namespace SharpConv.Tests.Analysis;

/// <summary>
/// Networks the analysis tests need independently of the zoo: VGG-16 exactly as the paper and the lecture draw it
/// (configuration D, no torchvision adaptive pool), built shape-only — its 138M weights stay lazy, so building and
/// summarising it costs no weight memory. The zoo's vgg16 is checked against it.
/// </summary>
internal static class TestNetworks
{
    public static Network Vgg16()
    {
        var b = new NetworkBuilder("vgg16");
        var x = b.Input(3, 224, 224);
        int[][] stages = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]];
        for (int s = 0; s < stages.Length; s++)
            using (b.Scope($"block{s + 1}"))
            {
                foreach (int c in stages[s]) x = x.Conv(c, 3, padding: 1).Relu();
                x = x.MaxPool(2, 2);
            }
        using (b.Scope("classifier"))
            x = x.Flatten().Linear(4096).Relu().Dropout().Linear(4096).Relu().Dropout().Linear(1000);
        return b.Build(x);
    }

    public static Network LeNet5() => global::SharpConv.Zoo.Zoo.LeNet5();

    public static Network ZooVgg16() => global::SharpConv.Zoo.Zoo.Build("vgg16");
}
