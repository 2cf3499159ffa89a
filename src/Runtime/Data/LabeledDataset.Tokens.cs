using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using static TorchSharp.torch;

namespace DslKd;

/// <summary>What padding and truncation did to the token sequences of a dataset (<see cref="LabeledDataset.Sequences"/>).</summary>
/// <param name="Length">The length every sequence was padded or cut to, T.</param>
/// <param name="PaddingIndex">The id the padding holds.</param>
/// <param name="Truncated">How many sequences were longer than <paramref name="Length"/> and lost their tokens after it.</param>
/// <param name="Longest">The longest sequence's length before truncation.</param>
/// <param name="Empty">How many sequences had no token (all padding).</param>
/// <param name="UnknownTokens">How many tokens of the data (after truncation) the vocabulary did not hold, read as <c>&lt;unk&gt;</c> (text files; 0 for arrays).</param>
public sealed record SequenceStatistics(int Length, int PaddingIndex, int Truncated, int Longest, int Empty, long UnknownTokens = 0);

public sealed partial class LabeledDataset
{
    /// <summary>
    /// For datasets of token sequences made by <see cref="FromTokenSequences"/> or <see cref="FromTextFile"/>: the length,
    /// the padding id, and how many sequences were cut (their tokens after <see cref="SequenceStatistics.Length"/> are not
    /// in the data) or empty. Null for other datasets and for subsets.
    /// </summary>
    public SequenceStatistics? Sequences { get; private init; }

    /// <summary>
    /// A dataset of token sequences: inputs <c>[N, length]</c> int64, each sequence padded at the end with
    /// <paramref name="paddingIndex"/> or cut to its first <paramref name="length"/> tokens (how many were cut is in
    /// <see cref="Sequences"/>). Sequences may already end in padding; padding before a real token is an error.
    /// </summary>
    /// <param name="sequences">Token ids per sample (non-negative; the model's embedding checks them against its vocabulary).</param>
    /// <param name="labels">Class indices, one per sample.</param>
    /// <param name="length">T, the length of every sequence in the dataset.</param>
    /// <param name="paddingIndex">The padding id (the embedding's PaddingIndex; 0 in a <see cref="Vocabulary"/>).</param>
    /// <param name="classes">When given, every label must be in [0, classes).</param>
    /// <exception cref="ArgumentException">Counts differ, a sequence is null, or an id is negative or padding before a real token; the message names the sequence and position.</exception>
    public static LabeledDataset FromTokenSequences(IReadOnlyList<int[]> sequences, IReadOnlyList<int> labels, int length, int paddingIndex = 0, int? classes = null)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(labels);
        if (sequences.Count != labels.Count) throw new ArgumentException($"There are {sequences.Count} sequences but {labels.Count} labels.", nameof(labels));
        for (var i = 0; i < labels.Count; i++)
            if (labels[i] < 0) throw new ArgumentException($"Label {labels[i]} of sequence {i} is negative; labels are class indices 0, 1, ...", nameof(labels));
        return Pad(sequences, labels.Select(l => (long)l).ToArray(), length, paddingIndex, classes, i => $"Sequence {i}", nameof(sequences), unknownTokens: 0);
    }

    /// <summary>
    /// Reads a text file of one labelled sample per line, <c>label&lt;TAB&gt;text</c> (UTF-8; blank lines skipped), and
    /// encodes each text with <paramref name="vocabulary"/>, padded with <see cref="Vocabulary.PaddingId"/> or cut to
    /// <paramref name="length"/> tokens (<see cref="Sequences"/> says how many were cut and how many tokens were unknown).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="vocabulary">Splits and encodes the texts; built from the training texts, saved with the model.</param>
    /// <param name="length">T, the length of every sequence.</param>
    /// <param name="classes">The number of classes, checked against the labels; null: <paramref name="classNames"/>' count, or unchecked.</param>
    /// <param name="classNames">The classes in index order when the labels are names (<c>sports</c>); null: labels are class indices 0, 1, ...</param>
    /// <exception cref="InvalidDataException">A line has no tab, a bad label or no text, or the file has no samples; the message names the file and the line.</exception>
    public static LabeledDataset FromTextFile(string path, Vocabulary vocabulary, int length, int? classes = null, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(vocabulary);
        var (texts, labels, lines) = ReadLabelledLines(path, classNames);
        var sequences = new int[texts.Count][];
        var unknown = 0L;
        for (var i = 0; i < texts.Count; i++)
        {
            sequences[i] = vocabulary.Encode(texts[i]);
            if (sequences[i].Length == 0) throw new InvalidDataException($"'{path}', line {lines[i]}: the text has no {vocabulary.Tokenization} tokens.");
            unknown += sequences[i].Take(length).Count(id => id == Vocabulary.UnknownId);
        }
        classes ??= classNames?.Count;
        if (classes is { } k && labels.FindIndex(l => l >= k) is var at and >= 0)
            throw new InvalidDataException($"'{path}', line {lines[at]}: label {labels[at]} is not below the {k} classes.");
        return Pad(sequences, labels.ToArray(), length, Vocabulary.PaddingId, classes, i => $"'{path}', line {lines[i]}", nameof(path), unknown);
    }

    /// <summary>The texts of a <c>label&lt;TAB&gt;text</c> file, for building a <see cref="Vocabulary"/> before reading it with <see cref="FromTextFile"/>.</summary>
    /// <exception cref="InvalidDataException">As <see cref="FromTextFile"/>.</exception>
    public static IReadOnlyList<string> ReadTexts(string path, IReadOnlyList<string>? classNames = null) => ReadLabelledLines(path, classNames).Texts;

    private static (List<string> Texts, List<long> Labels, List<int> Lines) ReadLabelledLines(string path, IReadOnlyList<string>? classNames)
    {
        ArgumentNullException.ThrowIfNull(path);
        var classIndex = classNames?.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => (long)p.i, StringComparer.Ordinal);
        var texts = new List<string>();
        var labels = new List<long>();
        var lines = new List<int>();
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            var tab = line.IndexOf('\t');
            if (tab < 0)
                throw new InvalidDataException($"'{path}', line {lineNumber}: no tab; each line is a label, a tab, then the text ('label<TAB>text').");
            var label = line[..tab].Trim();
            var text = line[(tab + 1)..];
            if (classIndex is not null)
            {
                if (!classIndex.TryGetValue(label, out var known))
                    throw new InvalidDataException(
                        $"'{path}', line {lineNumber}: the label '{label}' is not one of the classes {string.Join(", ", classNames!.Select(c => $"'{c}'"))}.");
                labels.Add(known);
            }
            else if (long.TryParse(label, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                labels.Add(index);
            else
                throw new InvalidDataException(
                    $"'{path}', line {lineNumber}: the label '{label}' is not a class index (0, 1, ...); for class names pass classNames.");
            if (text.Trim().Length == 0) throw new InvalidDataException($"'{path}', line {lineNumber}: the text after the tab is empty.");
            texts.Add(text);
            lines.Add(lineNumber);
        }
        if (texts.Count == 0) throw new InvalidDataException($"'{path}' has no samples: each line is a label, a tab, then the text.");
        return (texts, labels, lines);
    }

    private static LabeledDataset Pad(IReadOnlyList<int[]> sequences, long[] labels, int length, int paddingIndex, int? classes, Func<int, string> nameOf, string parameter,
        long unknownTokens)
    {
        if (length <= 0) throw new ArgumentOutOfRangeException(nameof(length), length, "The sequence length must be positive.");
        if (paddingIndex < 0) throw new ArgumentOutOfRangeException(nameof(paddingIndex), paddingIndex, "The padding id must be a token id (0 or more).");
        if (sequences.Count == 0) throw new ArgumentException("There are no sequences.", parameter);
        var ids = new long[checked((long)sequences.Count * length)];
        Array.Fill(ids, paddingIndex);
        var (truncated, longest, emptyCount) = (0, 0, 0);
        for (var i = 0; i < sequences.Count; i++)
        {
            var sequence = sequences[i] ?? throw new ArgumentException($"{nameOf(i)} is null.", parameter);
            var real = sequence.Length;
            while (real > 0 && sequence[real - 1] == paddingIndex) real--; // padding already at the end is padding
            for (var j = 0; j < real; j++)
            {
                if (sequence[j] < 0) throw new ArgumentException($"{nameOf(i)}, position {j}: token id {sequence[j]} is negative.", parameter);
                if (sequence[j] == paddingIndex)
                    throw new ArgumentException(
                        $"{nameOf(i)}, position {j}: the padding id {paddingIndex} comes before a real token (at position {real - 1}); padding goes at the end only, and a real token needs an id other than padding's.",
                        parameter);
            }
            longest = Math.Max(longest, real);
            if (real == 0) emptyCount++;
            if (real > length) truncated++;
            var kept = Math.Min(real, length);
            for (var j = 0; j < kept; j++) ids[(long)i * length + j] = sequence[j];
        }
        var inputs = tensor(ids, [sequences.Count, length]);
        var targets = tensor(labels, [labels.Length]);
        return new LabeledDataset(inputs, targets, classes)
        {
            Sequences = new SequenceStatistics(length, paddingIndex, truncated, longest, emptyCount, unknownTokens),
        };
    }
}
