using System.Globalization;
using SharpConv.Graph;
using SharpConv.Onnx.Protobuf;
using SharpConv.Ops;

namespace SharpConv.Onnx.Import;

/// <summary>
/// One ONNX node while it is being converted: its inputs (constants or runtime values), typed attribute access
/// with the defaults of the operator's specification, and the means to emit SharpConv nodes. Every error raised
/// through it names the node, its operator and the opset.
/// </summary>
internal sealed class NodeContext
{
    private readonly OnnxImporter _importer;
    private readonly Dictionary<string, AttributeProto> _attributes = new(StringComparer.Ordinal);
    private int _emitted;

    public NodeContext(OnnxImporter importer, NodeProto node, int opset, string name)
    {
        _importer = importer; Proto = node; Opset = opset; Name = name;
        foreach (var a in node.Attribute) _attributes[a.Name] = a;
    }

    /// <summary>The ONNX node.</summary>
    public NodeProto Proto { get; }
    /// <summary>The node's unique name (the ONNX name, or one made from its op type and output).</summary>
    public string Name { get; }
    /// <summary>The operator type.</summary>
    public string OpType => Proto.OpType;
    /// <summary>The opset of the default domain.</summary>
    public int Opset { get; }
    /// <summary>The importer (for nested graphs).</summary>
    public OnnxImporter Importer => _importer;

    /// <summary>Number of input slots (including empty optional ones).</summary>
    public int InputCount => Proto.Input.Count;

    /// <summary>Input <paramref name="i"/>, or null when absent or left empty.</summary>
    public OnnxValue? Input(int i) =>
        i < Proto.Input.Count && Proto.Input[i].Length > 0 ? _importer.Lookup(Proto.Input[i], this) : null;

    /// <summary>Input <paramref name="i"/>, which must be present.</summary>
    public OnnxValue RequiredInput(int i) =>
        Input(i) ?? throw Malformed($"input {i} is required but missing.");

    /// <summary>All present inputs, in order.</summary>
    public List<OnnxValue> PresentInputs()
    {
        var r = new List<OnnxValue>();
        for (int i = 0; i < InputCount; i++) if (Input(i) is { } v) r.Add(v);
        return r;
    }

    /// <summary>Input <paramref name="i"/> as a constant; a runtime value there is unsupported.</summary>
    public ConstTensor ConstInput(int i, string what)
    {
        var v = RequiredInput(i);
        return v.Const ?? throw Unsupported($"its {what} (input {i}, '{Proto.Input[i]}') must be a constant (an initializer or foldable shape glue), but it is computed at run time.");
    }

    /// <summary>Optional constant input; null when absent.</summary>
    public ConstTensor? OptionalConstInput(int i, string what) => Input(i) is null ? null : ConstInput(i, what);

    // ---- attributes -------------------------------------------------------------------------------------

    /// <summary>True when the attribute is present.</summary>
    public bool Has(string name) => _attributes.ContainsKey(name);

    /// <summary>An integer attribute.</summary>
    public long Int(string name, long fallback) => _attributes.TryGetValue(name, out var a) ? a.I : fallback;

    /// <summary>A float attribute.</summary>
    public float Float(string name, float fallback) => _attributes.TryGetValue(name, out var a) ? a.F : fallback;

    /// <summary>A string attribute.</summary>
    public string String(string name, string fallback) => _attributes.TryGetValue(name, out var a) ? a.S.ToStringUtf8() : fallback;

    /// <summary>An integer-list attribute (null when absent).</summary>
    public long[]? Ints(string name) => _attributes.TryGetValue(name, out var a) ? a.Ints.ToArray() : null;

    /// <summary>A float-list attribute (null when absent).</summary>
    public float[]? Floats(string name) => _attributes.TryGetValue(name, out var a) ? a.Floats.ToArray() : null;

    /// <summary>A tensor attribute (null when absent).</summary>
    public ConstTensor? TensorAttribute(string name) =>
        _attributes.TryGetValue(name, out var a) && a.T is not null ? _importer.ReadTensor(a.T, $"node '{Name}' attribute '{name}'") : null;

    /// <summary>A graph attribute.</summary>
    public GraphProto Graph(string name) =>
        _attributes.TryGetValue(name, out var a) && a.G is not null ? a.G : throw Malformed($"attribute '{name}' (a graph) is missing.");

    /// <summary>The list given as an attribute in old opsets or as input <paramref name="input"/> in new ones.</summary>
    public long[]? IntsFromAttributeOrInput(string attribute, int input, string what) =>
        Ints(attribute) ?? OptionalConstInput(input, what)?.ToLongs($"node '{Name}' ({OpType}) {what}");

    // ---- errors ----------------------------------------------------------------------------------------

    /// <summary>An unsupported use of this operator; <paramref name="detail"/> says what and what is supported instead.</summary>
    public UnsupportedOperatorException Unsupported(string detail) =>
        new(Name, OpType, Opset, (detail.Length > 0 ? char.ToUpperInvariant(detail[0]) + detail[1..] : detail) + " " + OnnxOperators.SupportedSummary(OpType));

    /// <summary>A malformed node.</summary>
    public ModelFormatException Malformed(string problem) =>
        new($"node '{Name}' ({OpType}, opset {Opset}): {problem}");

    /// <summary>Converts an int64 to an int, or reports it as malformed.</summary>
    public int ToInt(long v, string what) =>
        v is >= int.MinValue and <= int.MaxValue ? (int)v : throw Malformed($"{what} {v} is out of range.");

    // ---- emission --------------------------------------------------------------------------------------

    /// <summary>Adds a SharpConv node running <paramref name="op"/> on <paramref name="inputs"/> (constants become Constant nodes).</summary>
    public OnnxValue Emit(Op op, params OnnxValue[] inputs)
    {
        string name = _emitted++ == 0 ? Name : $"{Name}#{_emitted}";
        return _importer.Emit(op, inputs, name);
    }

    /// <summary>The value as a runtime value (a constant becomes a Constant node).</summary>
    public Value AsRuntime(OnnxValue v) => _importer.AsRuntime(v);

    /// <summary>The symbolic shape of a value (batch-dependent dimensions as multiples of N).</summary>
    public SymInt[] SymShape(OnnxValue v) => _importer.SymShape(v, Name);

    /// <summary>Formats numbers for messages.</summary>
    public static string List<T>(IEnumerable<T> values) => "[" + string.Join(", ", values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture))) + "]";
}
