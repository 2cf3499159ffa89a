using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Copies the JSON header of each .safetensors AdditionalFiles item into a small text file for DslKd's source generator.
/// The compiler hands analyzers additional files only as text, and refuses a binary one (CS2015); a generator may not
/// read files itself (RS1035). The header is what the generator checks a [PretrainedWeights] model against: tensor names,
/// dtypes and shapes. A file that is not safetensors becomes a header holding the reason, which the generator reports
/// (DKD0047) on the model that names it. Only the header is read (at most 100 MB, checked against the file's length).
/// Runs in MSBuild on .NET and on .NET Framework, so it uses no newer API.
/// </summary>
public sealed class DslKdExtractSafetensorsHeaders : Task
{
    private const long MaxHeaderBytes = 100000000;

    /// <summary>The .safetensors AdditionalFiles items.</summary>
    [Required]
    public ITaskItem[] Files { get; set; } = new ITaskItem[0];

    /// <summary>Where the header files go (under obj/).</summary>
    [Required]
    public string OutputDirectory { get; set; } = "";

    /// <summary>One text file per item, with the metadata DslKdWeightsOf (the item as written) and DslKdWeightsFullPath.</summary>
    [Output]
    public ITaskItem[] Headers { get; set; } = new ITaskItem[0];

    public override bool Execute()
    {
        Directory.CreateDirectory(OutputDirectory);
        var headers = new List<ITaskItem>();
        foreach (var file in Files)
        {
            var fullPath = file.GetMetadata("FullPath");
            var text = ReadHeader(fullPath);
            var name = Sanitize(file.ItemSpec) + "." + StableHash(fullPath) + ".safetensors.json";
            var target = Path.Combine(OutputDirectory, name);
            if (!File.Exists(target) || File.ReadAllText(target, Encoding.UTF8) != text)
                File.WriteAllText(target, text, new UTF8Encoding(false));
            var item = new TaskItem(target);
            item.SetMetadata("DslKdWeightsOf", file.ItemSpec);
            item.SetMetadata("DslKdWeightsFullPath", fullPath);
            headers.Add(item);
        }
        Headers = headers.ToArray();
        return true;
    }

    private static string ReadHeader(string path)
    {
        try
        {
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
            {
                var prefix = ReadFully(stream, 8);
                if (prefix == null) return Error("it is shorter than the 8-byte header length of a safetensors file");
                var length = BitConverter.ToUInt64(BitConverter.IsLittleEndian ? prefix : Reverse(prefix), 0);
                if (length == 0 || length > MaxHeaderBytes || (long)length > stream.Length - 8)
                    return Error("its first 8 bytes give a header length of " + length + ", which does not fit the file (" + stream.Length + " bytes); it is not a safetensors file");
                var json = ReadFully(stream, (int)length);
                if (json == null) return Error("it ends inside its header");
                string text;
                try { text = new UTF8Encoding(false, true).GetString(json).TrimEnd(' '); }
                catch (DecoderFallbackException) { return Error("its header is not UTF-8 text; it is not a safetensors file"); }
                if (!text.StartsWith("{", StringComparison.Ordinal)) return Error("its header is not a JSON object; it is not a safetensors file");
                return text;
            }
        }
        catch (IOException e) { return Error("it cannot be read: " + e.Message); }
        catch (UnauthorizedAccessException e) { return Error("it cannot be read: " + e.Message); }
    }

    private static byte[] ReadFully(Stream stream, int count)
    {
        var buffer = new byte[count];
        var done = 0;
        while (done < count)
        {
            var read = stream.Read(buffer, done, count - done);
            if (read == 0) return null;
            done += read;
        }
        return buffer;
    }

    private static byte[] Reverse(byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        Array.Reverse(copy);
        return copy;
    }

    private static string Error(string message)
    {
        var escaped = new StringBuilder();
        foreach (var c in message)
        {
            if (c == '"' || c == '\\') escaped.Append('\\').Append(c);
            else if (c < ' ') escaped.Append(' ');
            else escaped.Append(c);
        }
        return "{\"__dslkd_error__\":\"" + escaped + "\"}";
    }

    private static string Sanitize(string path)
    {
        var name = new StringBuilder();
        foreach (var c in Path.GetFileNameWithoutExtension(path)) name.Append(char.IsLetterOrDigit(c) || c == '-' || c == '_' ? c : '_');
        return name.ToString();
    }

    private static string StableHash(string text)
    {
        unchecked
        {
            var hash = 2166136261u;
            foreach (var c in text) hash = (hash ^ c) * 16777619u;
            return hash.ToString("x8");
        }
    }
}
