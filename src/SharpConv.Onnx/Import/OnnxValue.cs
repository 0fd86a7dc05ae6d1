using SharpConv.Graph;

namespace SharpConv.Onnx.Import;

/// <summary>
/// What an ONNX value name stands for during import: a constant known at load time (folded), or a runtime value in
/// the network being built. A runtime value also carries its shape at a second batch size, so that dimensions that
/// follow the batch (<c>N</c>, <c>N·k</c>) can be told from fixed ones when shape glue asks for <c>Shape(x)</c>.
/// </summary>
internal sealed class OnnxValue
{
    private OnnxValue(ConstTensor? constant, Value? runtime, Shape shapeAtBatch2)
    {
        Const = constant; Runtime = runtime; ShapeAtBatch2 = shapeAtBatch2;
    }

    /// <summary>A constant.</summary>
    public static OnnxValue Of(ConstTensor c) => new(c, null, default);
    /// <summary>A runtime value with its shape at the second probe batch.</summary>
    public static OnnxValue Of(Value v, Shape shapeAtBatch2) => new(null, v, shapeAtBatch2);

    /// <summary>The constant, when known at load time.</summary>
    public ConstTensor? Const { get; }
    /// <summary>The runtime value, when computed by the network.</summary>
    public Value? Runtime { get; }
    /// <summary>Runtime values: the shape at the second probe batch size.</summary>
    public Shape ShapeAtBatch2 { get; }

    /// <summary>True for constants.</summary>
    public bool IsConst => Const is not null;

    /// <summary>The shape at the declared batch size.</summary>
    public Shape Shape => Const?.Shape ?? Runtime!.Value.Shape;

    /// <summary>The rank.</summary>
    public int Rank => Shape.Rank;

    /// <summary>
    /// The shape with batch-dependent dimensions as multiples of <c>N</c>, from the shapes at the two probe batches
    /// <paramref name="batch1"/> and <paramref name="batch2"/>.
    /// </summary>
    public SymInt[] SymShape(int batch1, int batch2, string node)
    {
        var s1 = Shape;
        var r = new SymInt[s1.Rank];
        for (int i = 0; i < r.Length; i++)
        {
            if (Const is not null) { r[i] = SymInt.Of(s1[i]); continue; }
            long d1 = s1[i], d2 = ShapeAtBatch2[i];
            if (d1 == d2) { r[i] = SymInt.Of(d1); continue; }
            long diff = d2 - d1, step = batch2 - batch1;
            if (diff % step != 0 || (diff / step) * batch1 != d1)
                throw new ModelFormatException($"node '{node}': dimension {i} of its input ({d1} at batch {batch1}, {d2} at batch {batch2}) is not proportional to the batch size, so it cannot be folded into a fixed shape.");
            r[i] = new SymInt(diff / step, true);
        }
        return r;
    }

    public override string ToString() => Const is not null ? $"const {Const}" : $"value {Runtime!.Value.Node.Name} {Shape}";
}
