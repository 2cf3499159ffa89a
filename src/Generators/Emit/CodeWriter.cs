using System;
using System.Text;

namespace DslKd.Generators.Emit;

/// <summary>A minimal indenting writer for generated C#: four spaces a level, '\n' line endings on every platform.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _depth;

    public CodeWriter Line(string line = "")
    {
        if (line.Length > 0) _text.Append(' ', _depth * 4).Append(line);
        _text.Append('\n');
        return this;
    }

    /// <summary>Writes <paramref name="header"/>, an opening brace, and indents until the returned scope is disposed.</summary>
    public IDisposable Block(string header, string closing = "}")
    {
        Line(header);
        Line("{");
        _depth++;
        return new Closer(this, closing);
    }

    public IDisposable Indent()
    {
        _depth++;
        return new Closer(this, null);
    }

    public override string ToString() => _text.ToString();

    /// <summary>A scope that writes nothing: for code that needs no namespace block, for instance.</summary>
    public sealed class NoScope : IDisposable
    {
        public void Dispose() { }
    }

    private sealed class Closer(CodeWriter writer, string? closing) : IDisposable
    {
        public void Dispose()
        {
            writer._depth--;
            if (closing is not null) writer.Line(closing);
        }
    }
}
