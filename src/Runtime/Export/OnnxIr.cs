using System;
using System.Collections.Generic;
using System.Linq;

namespace DslKd.Export;

/// <summary>ONNX element types the exporter writes (TensorProto.DataType numbers).</summary>
internal enum OnnxElementType
{
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    Int32 = 6,
    Int64 = 7,
}

/// <summary>A constant tensor (an initializer): name, dimensions, element type and values.</summary>
internal sealed record OnnxTensor(string Name, long[] Dims, OnnxElementType Type, Array Values)
{
    public static OnnxTensor Float(string name, long[] dims, float[] values) => new(name, dims, OnnxElementType.Float, values);
    public static OnnxTensor Scalar(string name, float value) => new(name, [], OnnxElementType.Float, new[] { value });
    public static OnnxTensor Int64s(string name, long[] values) => new(name, [values.Length], OnnxElementType.Int64, values);

    public float[] Floats => (float[])Values;

    public long ElementCount => Dims.Aggregate(1L, (p, d) => p * d);
}

/// <summary>A graph output: the value it reads (rewritten as the graph is), the name it is written with, its per-sample shape.</summary>
internal sealed class OnnxOutput(string value, string name, Shape shape)
{
    public string Value { get; set; } = value;
    public string Name { get; } = name;
    public Shape Shape { get; } = shape;
}

/// <summary>One node: operator, inputs and outputs by value name, attributes (long, float, long[], string).</summary>
internal sealed class OnnxNode(string op, string name, string[] inputs, string[] outputs)
{
    public string Op { get; } = op;
    public string Name { get; } = name;
    public string[] Inputs { get; } = inputs;
    public string[] Outputs { get; } = outputs;
    public SortedDictionary<string, object> Attributes { get; } = new(StringComparer.Ordinal);

    public OnnxNode With(string attribute, object value)
    {
        Attributes[attribute] = value;
        return this;
    }
}

/// <summary>
/// The exporter's own small graph: nodes in topological order, initializers, the input, the outputs and the shapes the
/// generator inferred for the values (per sample). Lowering writes it, folding and quantization rewrite it, and
/// <see cref="OnnxProtoWriter"/> turns it into the protobuf.
/// </summary>
internal sealed class OnnxIr
{
    public const string BatchDimension = "batch";

    public string InputName { get; set; } = "input";
    public Shape InputShape { get; set; } = new();
    /// <summary>The input's element type: float, or int64 token ids when the first layer is an embedding.</summary>
    public OnnxElementType InputType { get; set; } = OnnxElementType.Float;
    public List<OnnxNode> Nodes { get; } = [];
    public Dictionary<string, OnnxTensor> Initializers { get; } = new(StringComparer.Ordinal);
    /// <summary>Graph outputs: the value, the name it gets when the graph is written, its per-sample shape.</summary>
    public List<OnnxOutput> Outputs { get; } = [];
    /// <summary>Per-sample shapes of intermediate values (value_info).</summary>
    public Dictionary<string, Shape> ValueShapes { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);
    public string Doc { get; set; } = "";

    public OnnxNode Add(string op, string name, string[] inputs, params string[] outputs)
    {
        var node = new OnnxNode(op, name, inputs, outputs);
        Nodes.Add(node);
        return node;
    }

    public string Constant(OnnxTensor tensor)
    {
        Initializers[tensor.Name] = tensor;
        return tensor.Name;
    }

    public OnnxNode? Producer(string value) => Nodes.FirstOrDefault(n => n.Outputs.Contains(value));

    public List<OnnxNode> Consumers(string value) => Nodes.Where(n => n.Inputs.Contains(value)).ToList();

    public bool IsGraphOutput(string value) => Outputs.Any(o => o.Value == value);

    /// <summary>Renames a value everywhere it appears (node outputs and inputs, shapes).</summary>
    public void Rename(string from, string to)
    {
        foreach (var node in Nodes)
        {
            for (var i = 0; i < node.Inputs.Length; i++) if (node.Inputs[i] == from) node.Inputs[i] = to;
            for (var i = 0; i < node.Outputs.Length; i++) if (node.Outputs[i] == from) node.Outputs[i] = to;
        }
        foreach (var output in Outputs) if (output.Value == from) output.Value = to;
        if (ValueShapes.Remove(from, out var shape)) ValueShapes[to] = shape;
    }

    /// <summary>Drops initializers no node reads.</summary>
    public void RemoveUnusedInitializers()
    {
        var used = Nodes.SelectMany(n => n.Inputs).ToHashSet(StringComparer.Ordinal);
        foreach (var name in Initializers.Keys.Where(k => !used.Contains(k)).ToList()) Initializers.Remove(name);
    }
}
