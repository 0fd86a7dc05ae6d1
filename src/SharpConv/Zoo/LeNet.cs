using SharpConv.Graph;

namespace SharpConv.Zoo;

public static partial class Zoo
{
    /// <summary>
    /// LeNet-5, modern form: conv5×5 6 → ReLU → maxpool 2 → conv5×5 16 → ReLU → maxpool 2 → FC120 → FC84 → FC10.
    /// 32×32×1 input; 61,706 parameters.
    /// </summary>
    public static Network LeNet5(ZooOptions? options = null)
    {
        var o = options ?? new ZooOptions();
        var b = new NetworkBuilder("lenet5", o.Seed);
        var x = b.Input(1, o.InputSize ?? 32, o.InputSize ?? 32, o.Batch);
        x = x.Conv(6, 5, name: "c1").Relu().MaxPool(2, 2, name: "s2");
        x = x.Conv(16, 5, name: "c3").Relu().MaxPool(2, 2, name: "s4");
        x = x.Flatten().Linear(120, name: "c5").Relu().Linear(84, name: "f6").Relu().Linear(o.Classes ?? 10, name: "output");
        return b.Build(x);
    }

    /// <summary>
    /// LeNet-5 as published: tanh non-linearities after average-pooling subsampling, full C3 connections
    /// (the paper's partial connection table is a training-era economy; with full connections it has 61,706 parameters).
    /// </summary>
    public static Network LeNet5Original(ZooOptions? options = null)
    {
        var o = options ?? new ZooOptions();
        var b = new NetworkBuilder("lenet5-original", o.Seed);
        var x = b.Input(1, o.InputSize ?? 32, o.InputSize ?? 32, o.Batch);
        x = x.Conv(6, 5, name: "c1").Tanh().AvgPool(2, 2, name: "s2");
        x = x.Conv(16, 5, name: "c3").Tanh().AvgPool(2, 2, name: "s4");
        x = x.Flatten().Linear(120, name: "c5").Tanh().Linear(84, name: "f6").Tanh().Linear(o.Classes ?? 10, name: "output");
        return b.Build(x);
    }
}
