using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>Run-time helpers the generated recipes call.</summary>
public static class RecipeSupport
{
    /// <summary>
    /// Freezes a teacher: evaluation mode (dropout off, batch-norm statistics fixed) and no gradients for any parameter.
    /// Generated recipes call this in their constructor and never register the teacher, so it is never trained.
    /// </summary>
    public static void Freeze(nn.Module teacher)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        teacher.eval();
        foreach (var parameter in teacher.parameters()) parameter.requires_grad = false;
    }

    /// <summary>
    /// Looks up the parameters that parameter anchoring compares, by state_dict name, and checks both sides have the
    /// shape the generator paired them by.
    /// </summary>
    public static IReadOnlyList<(Tensor Student, Tensor Teacher)> PairParameters(nn.Module student, nn.Module teacher, IReadOnlyList<string> names)
    {
        var studentParameters = student.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        var teacherParameters = teacher.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        var pairs = new List<(Tensor, Tensor)>(names.Count);
        foreach (var name in names)
        {
            if (!studentParameters.TryGetValue(name, out var s) || !teacherParameters.TryGetValue(name, out var t))
                throw new InvalidOperationException($"Parameter anchoring expected a parameter '{name}' in both models; rebuild so the generated recipe matches the models.");
            if (!s.shape.SequenceEqual(t.shape))
                throw new InvalidOperationException($"Parameter anchoring paired '{name}' but its shapes differ at run time: [{string.Join(", ", s.shape)}] vs [{string.Join(", ", t.shape)}].");
            pairs.Add((s, t));
        }
        return pairs;
    }
}

/// <summary>One named, weighted term of a recipe's loss, for logging.</summary>
/// <param name="Name">The term's name, as in the generated Losses record.</param>
/// <param name="Weight">Its weight in the total.</param>
/// <param name="Value">Its (unweighted) value, a scalar tensor.</param>
public readonly record struct LossTerm(string Name, double Weight, Tensor Value);
