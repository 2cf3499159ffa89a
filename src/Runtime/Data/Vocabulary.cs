using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace DslKd;

/// <summary>
/// Token ids for text: id 0 is <c>&lt;pad&gt;</c> (padding, the embedding's padding index), id 1 is <c>&lt;unk&gt;</c>
/// (every token the vocabulary does not hold), then the tokens of the texts it was built from, most frequent first (ties
/// in ordinal order, so a build is reproducible). Its <see cref="Count"/> is the embedding's vocabulary size.
/// </summary>
/// <remarks>Saved as UTF-8 text, one token per line in id order (the two reserved ones first); a character vocabulary's space token is a line holding one space.</remarks>
public sealed class Vocabulary
{
    /// <summary>The id of padding.</summary>
    public const int PaddingId = 0;

    /// <summary>The id of every token the vocabulary does not hold.</summary>
    public const int UnknownId = 1;

    /// <summary>The padding token's text.</summary>
    public const string PaddingToken = "<pad>";

    /// <summary>The unknown token's text.</summary>
    public const string UnknownToken = "<unk>";

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;

    private Vocabulary(string[] tokens, Tokenization tokenization)
    {
        _tokens = tokens;
        _ids = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (var i = 0; i < tokens.Length; i++) _ids[tokens[i]] = i;
        Tokenization = tokenization;
    }

    /// <summary>How texts are split into tokens.</summary>
    public Tokenization Tokenization { get; }

    /// <summary>Number of ids, the two reserved ones included: the embedding's vocabulary size.</summary>
    public int Count => _tokens.Length;

    /// <summary>The tokens in id order.</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>
    /// Builds a vocabulary from <paramref name="texts"/>: every token seen at least <paramref name="minCount"/> times, the most
    /// frequent first, at most <paramref name="maxSize"/> ids in all (the two reserved ones included; 0: no limit).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minCount"/> is below 1, or <paramref name="maxSize"/> is 1 or 2 (no room for a token) or negative.</exception>
    public static Vocabulary Build(IEnumerable<string> texts, Tokenization tokenization = Tokenization.Whitespace, int minCount = 1, int maxSize = 0)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (!Enum.IsDefined(tokenization)) throw new ArgumentOutOfRangeException(nameof(tokenization), tokenization, "Not a tokenization.");
        if (minCount < 1) throw new ArgumentOutOfRangeException(nameof(minCount), minCount, "The minimum count must be at least 1.");
        if (maxSize < 0 || maxSize is 1 or 2)
            throw new ArgumentOutOfRangeException(nameof(maxSize), maxSize, "The maximum size counts the two reserved ids (<pad>, <unk>): it must be at least 3, or 0 for no limit.");
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            if (text is null) continue;
            foreach (var token in Split(text, tokenization))
                counts[token] = counts.GetValueOrDefault(token) + 1;
        }
        var kept = counts.Where(c => c.Value >= minCount && c.Key != PaddingToken && c.Key != UnknownToken)
            .OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => c.Key);
        if (maxSize > 0) kept = kept.Take(maxSize - 2);
        return new Vocabulary([PaddingToken, UnknownToken, .. kept], tokenization);
    }

    /// <summary>The id of <paramref name="token"/>, or <see cref="UnknownId"/> when the vocabulary does not hold it.</summary>
    public int IdOf(string token) => _ids.TryGetValue(token, out var id) ? id : UnknownId;

    /// <summary>Whether the vocabulary holds <paramref name="token"/>.</summary>
    public bool Contains(string token) => _ids.ContainsKey(token);

    /// <summary>The token of <paramref name="id"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The id is not in [0, <see cref="Count"/>).</exception>
    public string TokenOf(int id) =>
        id >= 0 && id < _tokens.Length ? _tokens[id] : throw new ArgumentOutOfRangeException(nameof(id), id, $"Ids run from 0 to {_tokens.Length - 1}.");

    /// <summary>The tokens of <paramref name="text"/> as this vocabulary splits it.</summary>
    public IReadOnlyList<string> Split(string text) => Split(text, Tokenization).ToList();

    /// <summary>
    /// The ids of <paramref name="text"/>'s tokens, unpadded: unknown ones as <see cref="UnknownId"/>, and so is a
    /// <c>&lt;pad&gt;</c> written in the text (padding is only ever added after it).
    /// </summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Split(text, Tokenization).Select(token => token == PaddingToken ? UnknownId : IdOf(token)).ToArray();
    }

    /// <summary>The tokens of <paramref name="ids"/> joined as text (a space between words; characters as they are); padding is left out.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var tokens = ids.Where(id => id != PaddingId).Select(TokenOf);
        return string.Join(Tokenization == Tokenization.Whitespace ? " " : "", tokens);
    }

    /// <summary>Writes the tokens, one per line in id order (UTF-8, '\n' line ends), atomically.</summary>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var text = new StringBuilder();
        foreach (var token in _tokens) text.Append(token).Append('\n');
        AtomicFile.WriteAllText(path, text.ToString());
    }

    /// <summary>Reads a vocabulary <see cref="Save"/> wrote (or any file of one token per line, <c>&lt;pad&gt;</c> and <c>&lt;unk&gt;</c> first).</summary>
    /// <exception cref="InvalidDataException">The first two lines are not the reserved tokens, or a line is empty, repeats a token or does not fit the tokenization; the message names the file and line.</exception>
    public static Vocabulary Load(string path, Tokenization tokenization = Tokenization.Whitespace)
    {
        ArgumentNullException.ThrowIfNull(path);
        var content = File.ReadAllText(path, Encoding.UTF8);
        if (content.EndsWith('\n')) content = content[..^1];
        var lines = content.Split('\n').Select(l => l.EndsWith('\r') ? l[..^1] : l).ToArray();
        if (lines.Length < 2 || lines[0] != PaddingToken || lines[1] != UnknownToken)
            throw new InvalidDataException($"'{path}' is not a vocabulary: its first two lines must be '{PaddingToken}' and '{UnknownToken}' (ids 0 and 1).");
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Length; i++)
        {
            var token = lines[i];
            if (token.Length == 0) throw new InvalidDataException($"'{path}', line {i + 1}: an empty line is not a token.");
            if (i >= 2)
            {
                var split = Split(token, tokenization).ToList();
                if (split.Count != 1 || split[0] != token)
                    throw new InvalidDataException(
                        $"'{path}', line {i + 1}: '{token}' is not one token of a {tokenization} vocabulary{(tokenization == Tokenization.Whitespace ? " (it holds white space)" : " (it is more than one character)")}; load it with the tokenization it was built with.");
            }
            if (!seen.TryAdd(token, i + 1)) throw new InvalidDataException($"'{path}', line {i + 1}: '{token}' is already on line {seen[token]}.");
        }
        return new Vocabulary(lines, tokenization);
    }

    private static IEnumerable<string> Split(string text, Tokenization tokenization)
    {
        if (tokenization == Tokenization.Whitespace)
        {
            foreach (var word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)) yield return word;
            yield break;
        }
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value is '\n' or '\r') continue;
            yield return rune.ToString();
        }
    }
}
