using System;
using System.Runtime.InteropServices;

namespace DslKd;

/// <summary>
/// The C library's environment, which native libraries (libgomp, oneDNN) read with getenv. On Unix, .NET's
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> changes only .NET's own copy.
/// </summary>
internal static class CEnvironment
{
    /// <summary>The C environment's value of <paramref name="name"/> (null when unset); the process environment on Windows.</summary>
    public static string? Get(string name) =>
        OperatingSystem.IsWindows() ? Environment.GetEnvironmentVariable(name) : Marshal.PtrToStringUTF8(GetEnv(name));

    /// <summary>Sets <paramref name="name"/> in the C environment unless it is set; false when there is no C library to ask.</summary>
    public static bool SetIfUnset(string name, string value)
    {
        try
        {
            return SetEnv(name, value, overwrite: 0) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    [DllImport("libc", EntryPoint = "getenv")]
    private static extern IntPtr GetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
}
