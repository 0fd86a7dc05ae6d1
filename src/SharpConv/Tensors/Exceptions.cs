namespace SharpConv;

/// <summary>Base of every error SharpConv raises on bad input: callers can catch this one type.</summary>
public class SharpConvException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SharpConvException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>A tensor or layer input has the wrong shape. The message names the layer, the expected and the found shape.</summary>
public sealed class ShapeMismatchException : SharpConvException
{
    /// <summary>Creates the exception.</summary>
    public ShapeMismatchException(string layer, string expected, string found)
        : base($"{layer}: expected {expected}, found {found}.")
    {
        Layer = layer; Expected = expected; Found = found;
    }
    /// <summary>The layer (node) name.</summary>
    public string Layer { get; }
    /// <summary>What was expected.</summary>
    public string Expected { get; }
    /// <summary>What was found.</summary>
    public string Found { get; }
}

/// <summary>A layer's parameters are impossible (kernel larger than the padded input, channels not divisible by groups, sizes ≤ 0…).</summary>
public sealed class InvalidLayerException : SharpConvException
{
    /// <summary>Creates the exception.</summary>
    public InvalidLayerException(string layer, string problem) : base($"{layer}: {problem}")
    {
        Layer = layer; Problem = problem;
    }
    /// <summary>The layer (node) name.</summary>
    public string Layer { get; }
    /// <summary>What is wrong.</summary>
    public string Problem { get; }
}

/// <summary>A graph is malformed: unknown input names, cycles, duplicate names, no output.</summary>
public sealed class GraphException : SharpConvException
{
    /// <summary>Creates the exception.</summary>
    public GraphException(string message) : base(message) { }
}

/// <summary>A size would exceed a configured limit (<see cref="Limits"/>); raised before allocating.</summary>
public sealed class LimitExceededException : SharpConvException
{
    /// <summary>Creates the exception.</summary>
    public LimitExceededException(string what, string found, long limit)
        : base($"{what}: {found}, over the limit of {limit:N0} (see SharpConv.Limits).") { What = what; Limit = limit; }
    /// <summary>What was being sized.</summary>
    public string What { get; }
    /// <summary>The limit in force.</summary>
    public long Limit { get; }
}

/// <summary>A model file is malformed (truncated, wrong magic, missing initializers, cycles, bad types).</summary>
public sealed class ModelFormatException : SharpConvException
{
    /// <summary>Creates the exception.</summary>
    public ModelFormatException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>A model uses an operator (or an attribute of it) that SharpConv does not implement.</summary>
public sealed class UnsupportedOperatorException : SharpConvException
{
    /// <summary>Creates the exception.</summary>
    public UnsupportedOperatorException(string node, string opType, int opset, string supported)
        : base($"node '{node}': operator {opType} (opset {opset}) is not supported. {supported}")
    {
        Node = node; OpType = opType; Opset = opset;
    }
    /// <summary>The node name.</summary>
    public string Node { get; }
    /// <summary>The operator type.</summary>
    public string OpType { get; }
    /// <summary>The opset in force.</summary>
    public int Opset { get; }
}
