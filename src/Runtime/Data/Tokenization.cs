namespace DslKd;

/// <summary>How a <see cref="Vocabulary"/> splits text into tokens.</summary>
public enum Tokenization
{
    /// <summary>Words: runs of non-white-space characters (tabs, spaces, line breaks separate them).</summary>
    Whitespace,
    /// <summary>Characters: every Unicode character (a surrogate pair counts as one) except line breaks is a token, spaces included.</summary>
    Character,
}
