using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace DslKd.Export;

/// <summary>Writes an <see cref="OnnxIr"/> as an ONNX ModelProto with OnnxSharp's generated protobuf classes.</summary>
internal static class OnnxProtoWriter
{
    /// <summary>IR version 8: what opset 17 is defined with (ONNX 1.12), so ONNX 1.12's checker and every newer runtime read it.</summary>
    public const long IrVersion = 8;

    public static ModelProto ToProto(OnnxIr ir, int opset)
    {
        var graph = new GraphProto { Name = ir.Metadata.GetValueOrDefault("dslkd.model", "model"), DocString = ir.Doc };
        graph.Input.Add(ValueInfo(ir.InputName, ir.InputShape, ir.InputType));
        foreach (var output in ir.Outputs) graph.Output.Add(ValueInfo(output.Name, output.Shape));
        foreach (var node in ir.Nodes) graph.Node.Add(Node(node));
        // Initializers in the order nodes first read them: a stable file for the same model.
        foreach (var name in ir.Nodes.SelectMany(n => n.Inputs).Distinct().Where(ir.Initializers.ContainsKey))
            graph.Initializer.Add(Tensor(ir.Initializers[name]));
        foreach (var node in ir.Nodes)
            foreach (var output in node.Outputs)
                if (ir.ValueShapes.TryGetValue(output, out var shape) && !ir.IsGraphOutput(output))
                    graph.ValueInfo.Add(ValueInfo(output, shape));

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "DslKd",
            ProducerVersion = typeof(OnnxProtoWriter).Assembly.GetName().Version?.ToString(3) ?? "0",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        foreach (var (key, value) in ir.Metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    private static ValueInfoProto ValueInfo(string name, Shape shape, OnnxElementType type = OnnxElementType.Float)
    {
        var tensorShape = new TensorShapeProto();
        tensorShape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = OnnxIr.BatchDimension });
        foreach (var d in shape) tensorShape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = tensorShape } },
        };
    }

    private static NodeProto Node(OnnxNode node)
    {
        var proto = new NodeProto { OpType = node.Op, Name = node.Name };
        proto.Input.AddRange(node.Inputs);
        proto.Output.AddRange(node.Outputs);
        foreach (var (name, value) in node.Attributes) proto.Attribute.Add(Attribute(name, value));
        return proto;
    }

    private static AttributeProto Attribute(string name, object value) => value switch
    {
        long i => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = i },
        float f => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = f },
        string s => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(s) },
        long[] ints => Ints(name, ints),
        _ => throw new NotSupportedException($"ONNX attribute '{name}' of type {value.GetType().Name}."),
    };

    private static AttributeProto Ints(string name, long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static TensorProto Tensor(OnnxTensor tensor)
    {
        var proto = new TensorProto { Name = tensor.Name, DataType = (int)tensor.Type };
        proto.Dims.AddRange(tensor.Dims);
        // raw_data is little-endian, as this machine (and every platform .NET runs ONNX Runtime on) is.
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX export writes little-endian raw data.");
        proto.RawData = tensor.Values switch
        {
            float[] f => ByteString.CopyFrom(MemoryMarshal.AsBytes(f.AsSpan())),
            long[] l => ByteString.CopyFrom(MemoryMarshal.AsBytes(l.AsSpan())),
            int[] i => ByteString.CopyFrom(MemoryMarshal.AsBytes(i.AsSpan())),
            sbyte[] s => ByteString.CopyFrom(MemoryMarshal.AsBytes(s.AsSpan())),
            byte[] b => ByteString.CopyFrom(b),
            _ => throw new NotSupportedException($"ONNX tensor '{tensor.Name}' of {tensor.Values.GetType().Name}."),
        };
        return proto;
    }
}
