using System.Text;
using SharpConv.Onnx.Import;

namespace SharpConv.Onnx;

/// <summary>One row of the ONNX operator table: what SharpConv imports and how.</summary>
/// <param name="OpType">The ONNX operator (default domain).</param>
/// <param name="MinOpset">Oldest opset handled.</param>
/// <param name="MaxOpset">Newest opset handled.</param>
/// <param name="SharpConvOps">The SharpConv op(s) it becomes, or "folded" when it is evaluated at load time.</param>
/// <param name="Notes">Limits and remarks.</param>
public sealed record OnnxOperatorSupport(string OpType, int MinOpset, int MaxOpset, string SharpConvOps, string Notes);

/// <summary>
/// The single source of truth for ONNX operator support: the importer dispatches through this table, and
/// <c>docs/onnx-operators.md</c> is generated from it (<see cref="ToMarkdown"/>; a test keeps the two equal).
/// </summary>
public static class OnnxOperators
{
    /// <summary>Oldest opset of the default domain SharpConv reads.</summary>
    public const int OldestOpset = 7;
    /// <summary>Newest opset of the default domain SharpConv reads.</summary>
    public const int NewestOpset = 25;

    internal sealed record Entry(OnnxOperatorSupport Info, Func<NodeContext, OnnxValue[]> Convert)
    {
        public int MinOpset => Info.MinOpset;
        public int MaxOpset => Info.MaxOpset;
    }

    private static Entry E(string op, string maps, string notes, Func<NodeContext, OnnxValue[]> convert, int min = OldestOpset, int max = NewestOpset) =>
        new(new OnnxOperatorSupport(op, min, max, maps, notes), convert);

    private const string Folded = "folded at load";

    private static readonly Entry[] Entries =
    [
        E("Conv", "Conv2d", "2-D only; weight (and bias) must be constant; pads, auto_pad (SAME_UPPER/SAME_LOWER/VALID), strides, dilations, group.", Converters.Conv),
        E("MaxPool", "MaxPool2d (4-D), MaxPoolNd (other ranks)", "pads, auto_pad, strides, dilations, ceil_mode; padding acts as −∞. The Indices output is not supported.", Converters.MaxPool),
        E("AveragePool", "AvgPool2d (4-D), AvgPoolNd (other ranks)", "pads, auto_pad, strides, dilations, ceil_mode, count_include_pad (3-D AveragePool on 5-D tensors: PyTorch's LRN export).", Converters.AveragePool),
        E("GlobalAveragePool", "GlobalAvgPool (4-D), ReduceMean (other ranks)", "", Converters.GlobalAveragePool),
        E("GlobalMaxPool", "GlobalMaxPool (4-D), MaxPoolNd (other ranks)", "", Converters.GlobalMaxPool),
        E("BatchNormalization", "BatchNorm", "Inference form; scale, bias, mean, variance must be constant; training_mode=1 is refused.", Converters.BatchNormalization),
        E("LRN", "Lrn", "Across channels: size, alpha, beta, bias.", Converters.Lrn),
        E("Gemm", "Linear (+ Transpose / Add / MatMul / Scale)", "Constant B becomes a Linear layer with alpha folded in; transA, transB, alpha, beta; C as bias when it is a vector, else an Add.", Converters.Gemm),
        E("MatMul", "Linear (2-D input · constant 2-D weight), MatMul", "Operands of rank ≥ 2 with NumPy batch broadcasting; 1-D operands are not supported.", Converters.MatMulNode),
        E("Relu", "Relu", "", Converters.Relu),
        E("LeakyRelu", "LeakyRelu", "alpha (default 0.01).", Converters.LeakyRelu),
        E("PRelu", "PReLU", "slope must be constant and broadcast (unidirectionally) to the input.", Converters.PRelu),
        E("HardSigmoid", "HardSigmoid", "alpha (default 0.2), beta (default 0.5).", Converters.HardSigmoid),
        E("HardSwish", "HardSwish", "", Converters.HardSwish, min: 14),
        E("Clip", "Clip (Relu for [0, ∞))", "min/max as attributes (opset < 11) or constant inputs.", Converters.Clip),
        E("Tanh", "Tanh", "", Converters.Tanh),
        E("Sigmoid", "Sigmoid", "", Converters.Sigmoid),
        E("Softmax", "Softmax", "Opset ≥ 13: one axis (default −1). Older: the 2-D coercion at axis (default 1) via Flatten/Reshape.", Converters.Softmax),
        E("LogSoftmax", "LogSoftmax", "As Softmax.", Converters.LogSoftmax),
        E("Flatten", "Flatten", "axis (negative allowed).", Converters.Flatten),
        E("Reshape", "Reshape", "Shape must be constant or folded shape glue; 0 copies, −1 infers, allowzero; a batch-dependent dimension stays dynamic.", Converters.Reshape),
        E("Concat", "Concat", "Any axis; constant inputs become Constant nodes.", Converters.Concat),
        E("Add", "Add (Scale for a scalar constant)", "NumPy broadcasting.", Converters.AddNode),
        E("Sub", "Sub (Scale for a scalar constant)", "NumPy broadcasting.", Converters.SubNode),
        E("Mul", "Mul (Scale for a scalar constant)", "NumPy broadcasting.", Converters.MulNode),
        E("Div", "Div", "NumPy broadcasting.", Converters.DivNode),
        E("Pow", "Pow", "Exponent must be a scalar constant.", Converters.PowNode),
        E("Sum", "Add (chained)", "", Converters.Sum),
        E("Max", "Max (chained)", "Any number of inputs, NumPy broadcasting; NaN propagates.", Converters.MaxNode, min: 8),
        E("Min", "Min (chained)", "Any number of inputs, NumPy broadcasting; NaN propagates.", Converters.MinNode, min: 8),
        E("Mean", "Mean (equal shapes), Add + Scale (broadcasting)", "", Converters.MeanNode),
        E("ReduceMean", "ReduceMean", "axes as attribute (opset < 18) or constant input; keepdims, noop_with_empty_axes.", Converters.ReduceMeanNode),
        E("Pad", "Pad", "Modes constant, reflect, edge; pads (and constant_value, axes) constant; not on the batch axis; no negative pads.", Converters.Pad),
        E("Slice", "Slice", "starts/ends/axes/steps constant (attributes before opset 10); negative and strided slices.", Converters.Slice),
        E("Transpose", "Transpose", "perm (default: reversed).", Converters.Transpose),
        E("Squeeze", "Reshape", "axes as attribute (opset < 13) or constant input.", Converters.Squeeze),
        E("Unsqueeze", "Reshape", "axes as attribute (opset < 13) or constant input.", Converters.Unsqueeze),
        E("Dropout", "Dropout (identity at inference)", "Inference only; the mask output is not supported.", Converters.Dropout),
        E("Identity", "—", "Passes its input through.", Converters.Identity),
        E("Constant", Folded, "value, value_float(s), value_int(s).", Converters.FoldOnly),
        E("Shape", Folded, "start/end; the batch dimension folds to a symbolic N.", Converters.FoldOnly),
        E("Size", Folded, "", Converters.FoldOnly),
        E("Gather", Folded, "Shape glue only (constant data and indices).", Converters.FoldOnly),
        E("ConstantOfShape", Folded, "", Converters.FoldOnly),
        E("Cast", "folded; identity for float → float at run time", "Integer casts of runtime tensors are not supported.", Converters.Cast),
        E("Equal", Folded, "", Converters.FoldOnly),
        E("Neg", Folded, "", Converters.FoldOnly),
        E("Sqrt", Folded, "", Converters.FoldOnly),
        E("Range", Folded, "", Converters.FoldOnly),
        E("If", "folded (the branch taken is inlined)", "The condition must be known at load time (e.g. PyTorch's shape checks).", Converters.FoldOnly),
    ];

    private static readonly Dictionary<string, Entry> ByOp = Entries.ToDictionary(e => e.Info.OpType, StringComparer.Ordinal);

    /// <summary>Every supported operator, in documentation order.</summary>
    public static IReadOnlyList<OnnxOperatorSupport> Table { get; } = Entries.Select(e => e.Info).ToArray();

    /// <summary>True when <paramref name="opType"/> (default domain) is supported at <paramref name="opset"/>.</summary>
    public static bool IsSupported(string opType, int opset) =>
        ByOp.TryGetValue(opType, out var e) && opset >= e.MinOpset && opset <= e.MaxOpset;

    internal static Entry? Find(string opType) => ByOp.GetValueOrDefault(opType);

    /// <summary>"What is supported instead", for error messages.</summary>
    internal static string SupportedSummary(string opType) =>
        ByOp.TryGetValue(opType, out var e)
            ? $"Supported: {e.Info.OpType} (opsets {e.MinOpset}–{e.MaxOpset}): {e.Info.Notes}".TrimEnd(' ', ':')
            : $"SharpConv imports these operators (opsets {OldestOpset}–{NewestOpset}): {string.Join(", ", Entries.Select(x => x.Info.OpType))}.";

    /// <summary>The operator table as Markdown — the content of <c>docs/onnx-operators.md</c>.</summary>
    public static string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.Append("# ONNX operators\n\n");
        sb.Append("<!-- Generated from SharpConv.Onnx.OnnxOperators.Table by OnnxOperators.ToMarkdown(); do not edit by hand.\n");
        sb.Append("     tests/SharpConv.Onnx.Tests checks that this file equals the generated text\n");
        sb.Append("     (set SHARPCONV_UPDATE_DOCS=1 and run the tests to rewrite it). -->\n\n");
        sb.Append($"SharpConv imports ONNX models of opsets {OldestOpset}–{NewestOpset} (default domain `ai.onnx`) with these operators.\n");
        sb.Append("\"folded at load\" means the node is evaluated while loading (shape glue, constants) and leaves no layer behind;\n");
        sb.Append("the batch dimension stays dynamic (`Shape(x)[0]` folds to a symbolic N). Any other operator, or an unsupported\n");
        sb.Append("attribute, raises `UnsupportedOperatorException` naming the node, the operator, the opset and what is supported.\n\n");
        sb.Append("| ONNX operator | opsets | SharpConv | notes |\n|---|---|---|---|\n");
        foreach (var e in Entries)
            sb.Append($"| {e.Info.OpType} | {e.Info.MinOpset}–{e.Info.MaxOpset} | {e.Info.SharpConvOps} | {e.Info.Notes.Replace("|", "\\|")} |\n");
        return sb.ToString();
    }
}
