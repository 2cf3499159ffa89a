using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using DslKd.Generators.Specs;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace DslKd.Generators.Import;

/// <summary>
/// Reads safetensors headers at compile time. The compiler gives an analyzer only text: a <c>.safetensors</c>
/// AdditionalFiles item is binary (its 8-byte length prefix holds NUL bytes, its tensors are not UTF-8), so csc reports
/// CS2015 "is a binary file instead of a text file" and <see cref="AdditionalText.GetText"/> returns null; and a
/// generator may not open files itself (RS1035). DslKd's build targets (buildTransitive/DslKd.Weights.targets) therefore
/// copy the JSON header of each such item into a text file under obj/ before compiling, and pass that file instead, with
/// the original item in the metadata <c>DslKdWeightsOf</c> (as written) and <c>DslKdWeightsFullPath</c>. This reads those.
/// </summary>
internal static class WeightsHeaderReader
{
    public const string SourceMetadata = "build_metadata.AdditionalFiles.DslKdWeightsOf";
    public const string FullPathMetadata = "build_metadata.AdditionalFiles.DslKdWeightsFullPath";
    public const string ErrorKey = "__dslkd_error__";

    /// <summary>Whether the build passed this file as a weights header (or passed a raw .safetensors file).</summary>
    public static bool IsCandidate(AdditionalText text) =>
        text.Path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) || text.Path.EndsWith(".safetensors.json", StringComparison.OrdinalIgnoreCase);

    public static WeightsHeader? Read(AdditionalText text, AnalyzerConfigOptionsProvider options, CancellationToken cancellationToken)
    {
        var fileOptions = options.GetOptions(text);
        fileOptions.TryGetValue(SourceMetadata, out var source);
        fileOptions.TryGetValue(FullPathMetadata, out var fullPath);
        if (string.IsNullOrEmpty(source))
        {
            if (!text.Path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)) return null;
            // A raw .safetensors item: the build targets were not imported.
            return new WeightsHeader(text.Path, text.Path, EquatableArray<TensorSpec>.Empty,
                "it is binary and the compiler gives analyzers only text; import DslKd's build targets (the DslKd package does, " +
                "through buildTransitive), which pass its JSON header to the generator instead");
        }
        fullPath = string.IsNullOrEmpty(fullPath) ? source! : fullPath!;
        var content = text.GetText(cancellationToken)?.ToString();
        if (content is null) return new WeightsHeader(source!, fullPath, EquatableArray<TensorSpec>.Empty, "its header could not be read");
        try
        {
            return Parse(source!, fullPath, content);
        }
        catch (FormatException e)
        {
            return new WeightsHeader(source!, fullPath, EquatableArray<TensorSpec>.Empty, "its header is not a safetensors header: " + e.Message);
        }
    }

    /// <summary>Parses a safetensors JSON header (or the build's error record) into tensor specs.</summary>
    public static WeightsHeader Parse(string source, string fullPath, string json)
    {
        if (Json.Parse(json) is not Dictionary<string, object?> root) throw new FormatException("not a JSON object");
        if (root.TryGetValue(ErrorKey, out var error)) return new WeightsHeader(source, fullPath, EquatableArray<TensorSpec>.Empty, error as string ?? "unreadable");
        var tensors = new List<TensorSpec>();
        foreach (var pair in root)
        {
            if (pair.Key == "__metadata__") continue;
            if (pair.Value is not Dictionary<string, object?> entry
                || !entry.TryGetValue("dtype", out var dtype) || dtype is not string code
                || !entry.TryGetValue("shape", out var shape) || shape is not List<object?> sizes
                || sizes.Any(s => s is not long))
                throw new FormatException($"tensor '{pair.Key}' has no dtype and shape");
            tensors.Add(new TensorSpec(pair.Key, code, sizes.Select(s => (long)s!).ToEquatableArray()));
        }
        return new WeightsHeader(source, fullPath, tensors.ToEquatableArray(), null);
    }

    /// <summary>Normalises a path as a project names it: forward slashes, no leading "./".</summary>
    public static string Normalize(string path)
    {
        var p = path.Replace('\\', '/');
        while (p.StartsWith("./", StringComparison.Ordinal)) p = p.Substring(2);
        return p;
    }

    /// <summary>Whether <paramref name="header"/> is the file a [PretrainedWeights] path names.</summary>
    public static bool Matches(WeightsHeader header, string declaredPath)
    {
        var declared = Normalize(declaredPath);
        if (declared.Length == 0) return false;
        var source = Normalize(header.Source);
        var full = Normalize(header.FullPath);
        return string.Equals(source, declared, StringComparison.OrdinalIgnoreCase)
               || full.EndsWith("/" + declared, StringComparison.OrdinalIgnoreCase)
               || string.Equals(full, declared, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Just enough JSON for a safetensors header: objects, arrays, strings, integers, numbers, literals.</summary>
    private sealed class Json
    {
        private readonly string _text;
        private int _at;

        private Json(string text) => _text = text;

        public static object? Parse(string text)
        {
            var json = new Json(text);
            var value = json.Value(0);
            json.Space();
            if (json._at != text.Length) throw new FormatException($"unexpected text at character {json._at}");
            return value;
        }

        private object? Value(int depth)
        {
            if (depth > 64) throw new FormatException("nested too deeply");
            Space();
            if (_at >= _text.Length) throw new FormatException("it ends early");
            var c = _text[_at];
            switch (c)
            {
                case '{':
                {
                    _at++;
                    var result = new Dictionary<string, object?>(StringComparer.Ordinal);
                    Space();
                    if (Peek('}')) { _at++; return result; }
                    while (true)
                    {
                        Space();
                        var key = String();
                        Space();
                        Expect(':');
                        result[key] = Value(depth + 1);
                        Space();
                        if (Peek(',')) { _at++; continue; }
                        Expect('}');
                        return result;
                    }
                }
                case '[':
                {
                    _at++;
                    var result = new List<object?>();
                    Space();
                    if (Peek(']')) { _at++; return result; }
                    while (true)
                    {
                        result.Add(Value(depth + 1));
                        Space();
                        if (Peek(',')) { _at++; continue; }
                        Expect(']');
                        return result;
                    }
                }
                case '"':
                    return String();
                case 't': Word("true"); return true;
                case 'f': Word("false"); return false;
                case 'n': Word("null"); return null;
                default:
                    return Number();
            }
        }

        private object Number()
        {
            var start = _at;
            while (_at < _text.Length && "+-0123456789.eE".IndexOf(_text[_at]) >= 0) _at++;
            var token = _text.Substring(start, _at - start);
            if (token.Length == 0) throw new FormatException($"unexpected '{_text[start]}' at character {start}");
            if (long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)) return integer;
            if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var real)) return real;
            throw new FormatException($"'{token}' is not a number");
        }

        private string String()
        {
            Expect('"');
            var result = new StringBuilder();
            while (true)
            {
                if (_at >= _text.Length) throw new FormatException("a string does not end");
                var c = _text[_at++];
                if (c == '"') return result.ToString();
                if (c != '\\') { result.Append(c); continue; }
                if (_at >= _text.Length) throw new FormatException("a string does not end");
                var e = _text[_at++];
                switch (e)
                {
                    case '"': case '\\': case '/': result.Append(e); break;
                    case 'b': result.Append('\b'); break;
                    case 'f': result.Append('\f'); break;
                    case 'n': result.Append('\n'); break;
                    case 'r': result.Append('\r'); break;
                    case 't': result.Append('\t'); break;
                    case 'u':
                        if (_at + 4 > _text.Length || !int.TryParse(_text.Substring(_at, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
                            throw new FormatException("a bad \\u escape");
                        result.Append((char)code);
                        _at += 4;
                        break;
                    default: throw new FormatException($"a bad escape '\\{e}'");
                }
            }
        }

        private void Word(string word)
        {
            if (string.CompareOrdinal(_text, _at, word, 0, word.Length) != 0) throw new FormatException($"unexpected text at character {_at}");
            _at += word.Length;
        }

        private bool Peek(char c) => _at < _text.Length && _text[_at] == c;

        private void Expect(char c)
        {
            if (!Peek(c)) throw new FormatException($"expected '{c}' at character {_at}");
            _at++;
        }

        private void Space()
        {
            while (_at < _text.Length && char.IsWhiteSpace(_text[_at])) _at++;
        }
    }
}
