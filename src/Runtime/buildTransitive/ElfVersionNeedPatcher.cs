// Makes a native library load on hosts whose libstdc++ is older than the one it was linked against.
//
// TorchSharp's libLibTorchSharp.so requires the symbol version GLIBCXX_3.4.32 (GCC 13), but binds only
// std::ios_base_library_init() to it, which nothing relocates against. Marking that version requirement
// weak (VER_FLG_WEAK in its Elf64_Vernaux entry) lets the dynamic loader accept an older libstdc++.
//
// DslKd.targets compiles this file with MSBuild's RoslynCodeTaskFactory (netstandard2.0 references, no
// preprocessor symbols); test projects compile it directly and see only the ELF logic, because the MSBuild
// task at the end of the file is excluded wherever NETCOREAPP is defined.
#nullable enable

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace DslKd.Build
{
    internal enum VersionNeedState
    {
        /// <summary>Not a readable 64-bit little-endian ELF file.</summary>
        NotElf,
        /// <summary>The file has no requirement on the version.</summary>
        NotNeeded,
        /// <summary>The loader refuses to load the file if no dependency defines the version.</summary>
        Required,
        /// <summary>The requirement is already marked weak.</summary>
        Weak,
    }

    internal enum PatchResult
    {
        NotElf,
        NotNeeded,
        AlreadyWeak,
        Patched,
    }

    internal static class ElfVersionNeedPatcher
    {
        public const string LibStdCxxSoName = "libstdc++.so.6";

        private const uint ShtGnuVerdef = 0x6ffffffd;
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlgWeak = 0x2;

        private static readonly string[] StandardLibraryDirectories =
        {
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
            "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
            "/lib64", "/usr/lib64", "/lib", "/usr/lib",
        };

        public static VersionNeedState GetVersionNeedState(string path, string versionName)
        {
            return FindVersionNeed(path, versionName, out _);
        }

        /// <summary>
        /// Sets VER_FLG_WEAK on the requirement of <paramref name="versionName"/>. The file is replaced
        /// atomically (and keeps its timestamp, so incremental copies still see it as up to date);
        /// a file that is not ELF or has no such requirement is left untouched.
        /// </summary>
        public static PatchResult MarkVersionNeedWeak(string path, string versionName)
        {
            switch (FindVersionNeed(path, versionName, out VersionNeedEntry entry))
            {
                case VersionNeedState.NotElf: return PatchResult.NotElf;
                case VersionNeedState.NotNeeded: return PatchResult.NotNeeded;
                case VersionNeedState.Weak: return PatchResult.AlreadyWeak;
            }

            ReplaceAtomically(path, entry.FlagsOffset, (ushort)(entry.Flags | VerFlgWeak));
            return PatchResult.Patched;
        }

        /// <summary>Whether the shared library defines <paramref name="versionName"/> (in .gnu.version_d).</summary>
        public static bool DefinesVersion(string libraryPath, string versionName)
        {
            try
            {
                using (FileStream stream = OpenRead(libraryPath))
                {
                    ElfImage image = ElfImage.Read(stream);
                    foreach (Section verdef in image.SectionsOfType(ShtGnuVerdef))
                    {
                        byte[] table = image.ReadSection(verdef);
                        byte[] strings = image.ReadSection(image.Section(verdef.Link));
                        long entryOffset = 0;
                        for (uint i = 0; i < verdef.Info; i++)
                        {
                            // Elf64_Verdef: vd_aux at 12, vd_next at 16; the first Elf64_Verdaux names the version.
                            long auxOffset = entryOffset + ReadUInt32(table, entryOffset + 12);
                            if (ReadString(strings, ReadUInt32(table, auxOffset)) == versionName)
                            {
                                return true;
                            }

                            uint next = ReadUInt32(table, entryOffset + 16);
                            if (next == 0)
                            {
                                break;
                            }

                            entryOffset += next;
                        }
                    }

                    return false;
                }
            }
            catch (InvalidDataException)
            {
                return false;
            }
        }

        /// <summary>
        /// The libstdc++ the dynamic loader would pick for a library built for <paramref name="elfMachine"/>:
        /// from the ldconfig cache, else from the standard library directories; null if there is none.
        /// </summary>
        public static string? FindHostLibStdCxx(ushort elfMachine)
        {
            var candidates = new List<string>(LibrariesFromLdconfigCache(LibStdCxxSoName));
            foreach (string directory in StandardLibraryDirectories)
            {
                candidates.Add(Path.Combine(directory, LibStdCxxSoName));
            }

            foreach (string candidate in candidates)
            {
                if (File.Exists(candidate) && GetMachine(candidate) == elfMachine)
                {
                    return candidate;
                }
            }

            return null;
        }

        /// <summary>The ELF e_machine of the file, or null if it is not a 64-bit little-endian ELF file.</summary>
        public static ushort? GetMachine(string path)
        {
            try
            {
                using (FileStream stream = OpenRead(path))
                {
                    return ElfImage.Read(stream).Machine;
                }
            }
            catch (InvalidDataException)
            {
                return null;
            }
        }

        private static VersionNeedState FindVersionNeed(string path, string versionName, out VersionNeedEntry entry)
        {
            entry = default(VersionNeedEntry);
            try
            {
                using (FileStream stream = OpenRead(path))
                {
                    ElfImage image = ElfImage.Read(stream);
                    foreach (Section verneed in image.SectionsOfType(ShtGnuVerneed))
                    {
                        VersionNeedEntry? found = FindInVerneedSection(image, verneed, versionName);
                        if (found != null)
                        {
                            entry = found.Value;
                            return (entry.Flags & VerFlgWeak) != 0 ? VersionNeedState.Weak : VersionNeedState.Required;
                        }
                    }

                    return VersionNeedState.NotNeeded;
                }
            }
            catch (InvalidDataException)
            {
                return VersionNeedState.NotElf;
            }
        }

        private static VersionNeedEntry? FindInVerneedSection(ElfImage image, Section verneed, string versionName)
        {
            byte[] table = image.ReadSection(verneed);
            byte[] strings = image.ReadSection(image.Section(verneed.Link));
            long needOffset = 0;
            for (uint i = 0; i < verneed.Info; i++)
            {
                // Elf64_Verneed: vn_cnt at 2, vn_aux at 8, vn_next at 12.
                ushort auxCount = ReadUInt16(table, needOffset + 2);
                long auxOffset = needOffset + ReadUInt32(table, needOffset + 8);
                for (int j = 0; j < auxCount; j++)
                {
                    // Elf64_Vernaux: vna_flags at 4, vna_name at 8, vna_next at 12.
                    if (ReadString(strings, ReadUInt32(table, auxOffset + 8)) == versionName)
                    {
                        return new VersionNeedEntry(verneed.Offset + auxOffset + 4, ReadUInt16(table, auxOffset + 4));
                    }

                    uint nextAux = ReadUInt32(table, auxOffset + 12);
                    if (nextAux == 0)
                    {
                        break;
                    }

                    auxOffset += nextAux;
                }

                uint nextNeed = ReadUInt32(table, needOffset + 12);
                if (nextNeed == 0)
                {
                    break;
                }

                needOffset += nextNeed;
            }

            return null;
        }

        /// <summary>
        /// Writes the patched copy next to the file and renames it over the original, so an interrupted
        /// build never leaves a half-written library, and a hard- or symbolic link into the NuGet cache
        /// is replaced instead of written through.
        /// </summary>
        private static void ReplaceAtomically(string path, long offset, ushort value)
        {
            string temporaryPath = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            try
            {
                // File.Copy keeps the timestamp of the file itself, even when path is a symbolic link.
                File.Copy(path, temporaryPath, overwrite: false);
                DateTime lastWriteTimeUtc = File.GetLastWriteTimeUtc(temporaryPath);
                using (var stream = new FileStream(temporaryPath, FileMode.Open, FileAccess.Write, FileShare.None))
                {
                    stream.Position = offset;
                    stream.WriteByte((byte)value);
                    stream.WriteByte((byte)(value >> 8));
                    stream.Flush(flushToDisk: true);
                }

                File.SetLastWriteTimeUtc(temporaryPath, lastWriteTimeUtc);
                File.Replace(temporaryPath, path, destinationBackupFileName: null);
            }
            finally
            {
                if (File.Exists(temporaryPath))
                {
                    File.Delete(temporaryPath);
                }
            }
        }

        private static IEnumerable<string> LibrariesFromLdconfigCache(string soName)
        {
            string output = RunLdconfigPrint();
            var paths = new List<string>();
            // Lines look like: "\tlibstdc++.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libstdc++.so.6"
            foreach (string line in output.Split('\n'))
            {
                string trimmed = line.Trim();
                int arrow = trimmed.IndexOf("=>", StringComparison.Ordinal);
                if (arrow > 0 && trimmed.StartsWith(soName + " ", StringComparison.Ordinal))
                {
                    paths.Add(trimmed.Substring(arrow + 2).Trim());
                }
            }

            return paths;
        }

        private static string RunLdconfigPrint()
        {
            // ldconfig lives in /sbin, which is often not on an unprivileged user's PATH.
            foreach (string ldconfig in new[] { "/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig" })
            {
                try
                {
                    var startInfo = new ProcessStartInfo(ldconfig, "-p")
                    {
                        RedirectStandardOutput = true,
                        UseShellExecute = false,
                        CreateNoWindow = true,
                    };
                    using (Process? process = Process.Start(startInfo))
                    {
                        if (process == null)
                        {
                            continue;
                        }

                        string output = process.StandardOutput.ReadToEnd();
                        process.WaitForExit();
                        if (process.ExitCode == 0)
                        {
                            return output;
                        }
                    }
                }
                catch (System.ComponentModel.Win32Exception)
                {
                    // Not at this path; try the next one.
                }
            }

            return string.Empty;
        }

        private static FileStream OpenRead(string path)
        {
            try
            {
                return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            }
            catch (FileNotFoundException e)
            {
                throw new InvalidDataException(e.Message, e);
            }
            catch (DirectoryNotFoundException e)
            {
                throw new InvalidDataException(e.Message, e);
            }
        }

        private static ushort ReadUInt16(byte[] data, long offset)
        {
            CheckRange(data, offset, 2);
            return (ushort)(data[offset] | data[offset + 1] << 8);
        }

        private static uint ReadUInt32(byte[] data, long offset)
        {
            CheckRange(data, offset, 4);
            return (uint)(data[offset] | data[offset + 1] << 8 | data[offset + 2] << 16 | data[offset + 3] << 24);
        }

        private static ulong ReadUInt64(byte[] data, long offset)
        {
            return ReadUInt32(data, offset) | (ulong)ReadUInt32(data, offset + 4) << 32;
        }

        private static string ReadString(byte[] data, uint offset)
        {
            CheckRange(data, offset, 1);
            int end = Array.IndexOf(data, (byte)0, (int)offset);
            if (end < 0)
            {
                throw new InvalidDataException("Unterminated string in ELF string table.");
            }

            return Encoding.ASCII.GetString(data, (int)offset, end - (int)offset);
        }

        private static void CheckRange(byte[] data, long offset, long length)
        {
            if (offset < 0 || length < 0 || offset > data.Length - length)
            {
                throw new InvalidDataException("ELF structure points outside its section.");
            }
        }

        private struct VersionNeedEntry
        {
            public VersionNeedEntry(long flagsOffset, ushort flags)
            {
                FlagsOffset = flagsOffset;
                Flags = flags;
            }

            /// <summary>File offset of vna_flags.</summary>
            public long FlagsOffset { get; }

            public ushort Flags { get; }
        }

        private struct Section
        {
            public uint Type;
            public long Offset;
            public long Size;
            public uint Link;
            public uint Info;
        }

        /// <summary>The section header table of a 64-bit little-endian ELF file, read lazily from a stream.</summary>
        private sealed class ElfImage
        {
            private const int HeaderSize = 64;
            private const int SectionHeaderSize = 64;
            private const int MaxSectionCount = 0x10000;

            private readonly FileStream _stream;
            private readonly Section[] _sections;

            private ElfImage(FileStream stream, ushort machine, Section[] sections)
            {
                _stream = stream;
                Machine = machine;
                _sections = sections;
            }

            public ushort Machine { get; }

            public static ElfImage Read(FileStream stream)
            {
                byte[] header = ReadAt(stream, 0, HeaderSize);
                bool isElf64LittleEndian = header[0] == 0x7f && header[1] == (byte)'E' && header[2] == (byte)'L'
                    && header[3] == (byte)'F' && header[4] == 2 && header[5] == 1;
                if (!isElf64LittleEndian)
                {
                    throw new InvalidDataException("Not a 64-bit little-endian ELF file.");
                }

                ushort machine = ReadUInt16(header, 18);
                ulong tableOffset = ReadUInt64(header, 0x28);
                ushort entrySize = ReadUInt16(header, 0x3a);
                uint count = ReadUInt16(header, 0x3c);
                if (tableOffset == 0)
                {
                    return new ElfImage(stream, machine, new Section[0]);
                }

                if (entrySize < SectionHeaderSize)
                {
                    throw new InvalidDataException("Unexpected ELF section header size.");
                }

                if (count == 0)
                {
                    // More than 0xff00 sections: the real count is in the first section header's sh_size.
                    count = (uint)Math.Min(ReadUInt64(ReadAt(stream, tableOffset, SectionHeaderSize), 32), MaxSectionCount);
                }

                byte[] table = ReadAt(stream, tableOffset, (long)count * entrySize);
                var sections = new Section[count];
                for (int i = 0; i < count; i++)
                {
                    long at = (long)i * entrySize;
                    sections[i] = new Section
                    {
                        Type = ReadUInt32(table, at + 4),
                        Offset = ToLength(ReadUInt64(table, at + 24)),
                        Size = ToLength(ReadUInt64(table, at + 32)),
                        Link = ReadUInt32(table, at + 40),
                        Info = ReadUInt32(table, at + 44),
                    };
                }

                return new ElfImage(stream, machine, sections);
            }

            public IEnumerable<Section> SectionsOfType(uint type)
            {
                foreach (Section section in _sections)
                {
                    if (section.Type == type)
                    {
                        yield return section;
                    }
                }
            }

            public Section Section(uint index)
            {
                if (index >= _sections.Length)
                {
                    throw new InvalidDataException("ELF section link out of range.");
                }

                return _sections[index];
            }

            public byte[] ReadSection(Section section)
            {
                return ReadAt(_stream, (ulong)section.Offset, section.Size);
            }

            private static long ToLength(ulong value)
            {
                if (value > long.MaxValue)
                {
                    throw new InvalidDataException("ELF offset out of range.");
                }

                return (long)value;
            }

            private static byte[] ReadAt(FileStream stream, ulong offset, long length)
            {
                if (offset > (ulong)stream.Length || length < 0 || length > stream.Length - (long)offset)
                {
                    throw new InvalidDataException("ELF structure extends past the end of the file.");
                }

                var buffer = new byte[length];
                stream.Position = (long)offset;
                int read = 0;
                while (read < length)
                {
                    int n = stream.Read(buffer, read, (int)length - read);
                    if (n == 0)
                    {
                        throw new InvalidDataException("Unexpected end of ELF file.");
                    }

                    read += n;
                }

                return buffer;
            }
        }
    }

#if !NETCOREAPP
    /// <summary>
    /// MSBuild task: marks <see cref="VersionName"/> weak in each of <see cref="Files"/> when the host's
    /// libstdc++ does not define it. Never fails the build.
    /// </summary>
    public sealed class DslKdWeakenMissingLibStdCxxVersion : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = new Microsoft.Build.Framework.ITaskItem[0];

        [Microsoft.Build.Framework.Required]
        public string VersionName { get; set; } = string.Empty;

        /// <summary>Paths in messages are shown relative to this directory.</summary>
        public string ProjectDirectory { get; set; } = string.Empty;

        public override bool Execute()
        {
            const Microsoft.Build.Framework.MessageImportance Low = Microsoft.Build.Framework.MessageImportance.Low;
            foreach (Microsoft.Build.Framework.ITaskItem file in Files)
            {
                string path = file.GetMetadata("FullPath");
                string shown = Display(path);
                try
                {
                    VersionNeedState state = ElfVersionNeedPatcher.GetVersionNeedState(path, VersionName);
                    if (state != VersionNeedState.Required)
                    {
                        Log.LogMessage(Low, "DslKd: {0}: {1}, left unchanged.", shown, Describe(state));
                        continue;
                    }

                    string? hostLibrary = ElfVersionNeedPatcher.FindHostLibStdCxx(ElfVersionNeedPatcher.GetMachine(path) ?? 0);
                    if (hostLibrary == null)
                    {
                        Log.LogMessage(Low, "DslKd: {0}: no host {1} for its architecture, left unchanged.", shown, ElfVersionNeedPatcher.LibStdCxxSoName);
                        continue;
                    }

                    if (ElfVersionNeedPatcher.DefinesVersion(hostLibrary, VersionName))
                    {
                        Log.LogMessage(Low, "DslKd: {0}: host {1} defines {2}, left unchanged.", shown, hostLibrary, VersionName);
                        continue;
                    }

                    if (ElfVersionNeedPatcher.MarkVersionNeedWeak(path, VersionName) == PatchResult.Patched)
                    {
                        Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                            "DslKd: marked {0} weak in {1} (host libstdc++ lacks it)", VersionName, shown);
                    }
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    Log.LogWarning(null, "DKDBUILD001", null, null, 0, 0, 0, 0,
                        "DslKd: could not mark {0} weak in {1}: {2} TorchSharp will fail to load on this host.", VersionName, shown, e.Message);
                }
            }

            return true;
        }

        private string Describe(VersionNeedState state)
        {
            switch (state)
            {
                case VersionNeedState.NotElf: return "not a 64-bit little-endian ELF file";
                case VersionNeedState.NotNeeded: return "does not require " + VersionName;
                default: return VersionName + " already weak (patched)";
            }
        }

        private string Display(string fullPath)
        {
            string directory = ProjectDirectory.TrimEnd('/', '\\') + Path.DirectorySeparatorChar;
            return ProjectDirectory.Length > 0 && fullPath.StartsWith(directory, StringComparison.Ordinal)
                ? fullPath.Substring(directory.Length)
                : fullPath;
        }
    }
#endif
}
