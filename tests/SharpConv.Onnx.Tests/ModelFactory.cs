using Google.Protobuf;
using SharpConv.Onnx.Import;
using SharpConv.Onnx.Protobuf;

namespace SharpConv.Onnx.Tests;

/// <summary>Builds small ONNX models in memory for the robustness tests.</summary>
internal static class ModelFactory
{
    public static ModelProto Model(IEnumerable<NodeProto> nodes, IEnumerable<ValueInfoProto> inputs, IEnumerable<string> outputs,
        IEnumerable<TensorProto>? initializers = null, int opset = 13)
    {
        var g = new GraphProto { Name = "test" };
        g.Node.AddRange(nodes);
        g.Input.AddRange(inputs);
        g.Output.AddRange(outputs.Select(o => new ValueInfoProto { Name = o }));
        if (initializers is not null) g.Initializer.AddRange(initializers);
        var m = new ModelProto { IrVersion = 8, Graph = g, ProducerName = "SharpConv tests" };
        m.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return m;
    }

    public static NodeProto Node(string op, string[] inputs, string[] outputs, string? name = null, params AttributeProto[] attributes)
    {
        var n = new NodeProto { OpType = op, Name = name ?? op + "_" + outputs[0] };
        n.Input.AddRange(inputs); n.Output.AddRange(outputs); n.Attribute.AddRange(attributes);
        return n;
    }

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static ValueInfoProto Input(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (long d in dims)
            shape.Dim.Add(d < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "batch" } : new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } };
    }

    public static TensorProto Floats(string name, int[] dims, float[] values) =>
        TensorReader.FromTensor(name, new Tensor(new Shape(dims), values));

    public static byte[] Bytes(ModelProto m) => m.ToByteArray();
}
