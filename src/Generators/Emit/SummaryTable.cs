using System.Collections.Generic;
using System.Linq;
using System.Text;
using DslKd.Generators.Layers;
using DslKd.Generators.Specs;

namespace DslKd.Generators.Emit;

/// <summary>Renders the torchinfo-style model summary that the generated <c>Summary</c> constant holds.</summary>
internal static class SummaryTable
{
    public static string Render(ResolvedModel model)
    {
        var rows = new List<(string Layer, string Shape, string Parameters)>
        {
            (model.TakesTokens ? "Input (token ids)" : "Input", ShapeText.Format(model.Spec.InputShape), ""),
        };
        foreach (var block in model.Blocks)
        {
            rows.Add((block.Name, ShapeText.Format(block.OutputShape), Literal.Thousands(block.ParameterCount)));
            foreach (var layer in block.Layers) rows.Add(LayerRow(layer, "  "));
            for (var u = 0; u < block.Units.Count; u++)
            {
                // Units after the first are alike (same shapes and parameters): shown once, with their count.
                var unit = block.Units[u];
                var label = u == 0 || block.Units.Count == 2
                    ? $"  Unit {u}"
                    : $"  Units {u}-{block.Units.Count - 1} (each)";
                rows.Add((label + (unit.Adds ? " (residual)" : ""), ShapeText.Format(unit.OutputShape), Literal.Thousands(unit.ParameterCount)));
                foreach (var layer in unit.Body) rows.Add(LayerRow(layer, "    "));
                if (unit.Adds)
                {
                    foreach (var layer in unit.Shortcut) rows.Add(LayerRow(layer, "    shortcut: "));
                    rows.Add(("    + input" + (unit.Shortcut.Count == 0 ? "" : " (through the shortcut)"), ShapeText.Format(unit.Body[unit.Body.Count - 1].OutputShape), "0"));
                }
                foreach (var layer in unit.AfterAdd) rows.Add(LayerRow(layer, "    "));
                if (u >= 1) break;
            }
        }

        const string layerHeader = "Layer (block)";
        const string shapeHeader = "Output shape";
        const string parameterHeader = "Param #";
        var layerWidth = rows.Max(r => r.Layer.Length);
        layerWidth = layerWidth < layerHeader.Length ? layerHeader.Length : layerWidth;
        var shapeWidth = System.Math.Max(shapeHeader.Length, rows.Max(r => r.Shape.Length));
        var parameterWidth = System.Math.Max(parameterHeader.Length, rows.Max(r => r.Parameters.Length));
        var ruleWidth = layerWidth + 2 + shapeWidth + 2 + parameterWidth;

        var text = new StringBuilder();
        text.Append(model.Spec.ClassName).Append(" (").Append(model.Spec.Role.ToLowerInvariant()).Append(")\n");
        text.Append('=', ruleWidth).Append('\n');
        Row(text, layerHeader, shapeHeader, parameterHeader, layerWidth, shapeWidth, parameterWidth);
        text.Append('-', ruleWidth).Append('\n');
        foreach (var row in rows) Row(text, row.Layer, row.Shape, row.Parameters, layerWidth, shapeWidth, parameterWidth);
        text.Append('=', ruleWidth).Append('\n');
        text.Append("Trainable params: ").Append(Literal.Thousands(model.ParameterCount)).Append('\n');
        text.Append("Params size (float32): ").Append(Megabytes(model.ParameterCount * 4.0)).Append(" MB\n");
        return text.ToString();
    }

    private static (string Layer, string Shape, string Parameters) LayerRow(ResolvedLayer layer, string indent) =>
        (indent + LayerCatalog.Find(layer.Layer.Kind)!.Describe(layer), ShapeText.Format(layer.OutputShape), Literal.Thousands(layer.ParameterCount));

    private static void Row(StringBuilder text, string layer, string shape, string parameters, int layerWidth, int shapeWidth, int parameterWidth)
    {
        text.Append(layer.PadRight(layerWidth)).Append("  ")
            .Append(shape.PadRight(shapeWidth)).Append("  ")
            .Append(parameters.PadLeft(parameterWidth));
        // Trailing spaces would make the summary awkward to compare and to paste.
        while (text.Length > 0 && text[text.Length - 1] == ' ') text.Length--;
        text.Append('\n');
    }

    private static string Megabytes(double bytes) =>
        (bytes / (1024.0 * 1024.0)).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
}
