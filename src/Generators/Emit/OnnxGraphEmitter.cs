using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using DslKd.Generators.Layers;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Emit;

/// <summary>
/// Writes the model's ONNX description: a second partial declaration implementing <c>DslKd.Export.IOnnxExportable</c>
/// with <c>OnnxGraph</c>, every block, residual unit and layer as the generator resolved them (kinds, settings, shapes,
/// state_dict paths). Nothing is written when a layer kind has no ONNX mapping: the model is then not exportable, and
/// an export call is DKD0050.
/// </summary>
internal static class OnnxGraphEmitter
{
    private const string Export = "global::DslKd.Export.";

    public static void Emit(CodeWriter writer, ResolvedModel model) => Emit(writer, model, OnnxMappings.Default);

    internal static void Emit(CodeWriter writer, ResolvedModel model, OnnxMappings mappings)
    {
        if (mappings.FirstUnmapped(model) is not null) return;
        var name = Identifiers.Id(model.Spec.ClassName);
        writer.Line();
        writer.Line($"/// <summary>ONNX export of <see cref=\"{name}\"/>: its graph as the generator resolved it; <see cref=\"{Export}OnnxExport\"/> adds the weights.</summary>");
        using (writer.Block($"partial class {name} : {Export}IOnnxExportable"))
        {
            writer.Line("/// <summary>Every block, residual unit and layer with its ONNX mapping, settings, shapes and state_dict path; written at compile time.</summary>");
            // The type's [GeneratedCode] is on the main declaration; a type can carry it once.
            writer.Line(ModelEmitter.GeneratedCodeAttribute);
            writer.Line($"public static {Export}OnnxGraph OnnxGraph {{ get; }} = new {Export}OnnxGraph(");
            using (writer.Indent())
            {
                writer.Line($"{Literal.CSharpString(model.Spec.ClassName)}, InputShape, OutputShape,");
                writer.Line($"new {Export}OnnxBlock[]");
                writer.Line("{");
                using (writer.Indent())
                {
                    foreach (var block in model.Blocks) Block(writer, mappings, block);
                }
                writer.Line("});");
            }
            writer.Line();
            writer.Line($"{Export}OnnxGraph {Export}IOnnxExportable.OnnxGraph => OnnxGraph;");
        }
    }

    private static void Block(CodeWriter writer, OnnxMappings mappings, ResolvedBlock block)
    {
        writer.Line($"new {Export}OnnxBlock({Literal.CSharpString(block.Name)}, Shapes.{Identifiers.Id(block.Name)}, new {Export}OnnxStep[]");
        writer.Line("{");
        using (writer.Indent())
        {
            if (!block.IsUnitBlock)
            {
                for (var i = 0; i < block.Layers.Count; i++) writer.Line(mappings.Map(block.Layers[i], Path(block.Name, i))! + ",");
            }
            else
            {
                for (var u = 0; u < block.Units.Count; u++) Unit(writer, mappings, block.Units[u], Path(block.Name, u));
            }
        }
        writer.Line("}),");
    }

    private static void Unit(CodeWriter writer, OnnxMappings mappings, ResolvedUnit unit, string path)
    {
        var layers = unit.Body.Concat(unit.AfterAdd).ToList();
        if (!unit.Adds)
        {
            for (var i = 0; i < layers.Count; i++) writer.Line(mappings.Map(layers[i], Path(path, i))! + ",");
            return;
        }
        writer.Line($"new {Export}OnnxResidualUnit({Literal.CSharpString(path)},");
        using (writer.Indent())
        {
            LayerArray(writer, unit.Body.Select((l, i) => mappings.Map(l, Path(path, i))!).ToList(), ",");
            if (unit.Shortcut.Count == 0) writer.Line("null, // shortcut: the identity");
            else LayerArray(writer, unit.Shortcut.Select((l, i) => mappings.Map(l, Path(path + ".Shortcut", i))!).ToList(), ",");
            LayerArray(writer, unit.AfterAdd.Select((l, i) => mappings.Map(l, Path(path, unit.Body.Count + i))!).ToList(), "),");
        }
    }

    private static void LayerArray(CodeWriter writer, IReadOnlyList<string> layers, string end)
    {
        if (layers.Count == 0)
        {
            writer.Line($"global::System.Array.Empty<{Export}OnnxLayer>(){end}");
            return;
        }
        writer.Line($"new {Export}OnnxLayer[]");
        writer.Line("{");
        using (writer.Indent())
        {
            foreach (var layer in layers) writer.Line(layer + ",");
        }
        writer.Line("}" + end);
    }

    private static string Path(string prefix, int index) => prefix + "." + index.ToString(CultureInfo.InvariantCulture);
}
