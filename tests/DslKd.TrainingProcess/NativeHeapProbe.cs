using System.Runtime.InteropServices;
using DslKd;

namespace DslKd.TrainingProcess;

/// <summary>
/// Where glibc puts a large buffer before and after the process's first training run: "mmap" (a fresh mapping, faulted
/// in page by page) or "heap" (memory the process keeps). Prints "before mmap", then "after heap" when NativeHeap works.
/// </summary>
public static class NativeHeapProbe
{
    // glibc marks a chunk it got from mmap with this bit of the size word just before the pointer it returns.
    private const long MmappedChunkBit = 2;

    public static int Run()
    {
        // 30 MiB first: mapped under glibc's defaults. Freeing it raises glibc's adaptive threshold to 30 MiB, so the
        // probe after the run asks for 31 MiB, which only NativeHeap's 32-MiB threshold keeps on the heap.
        Console.WriteLine($"before {Where(30 << 20)}");
        var train = Synthetic.Create(64, seed: 1);
        new TrainTeacher(new Teacher(seed: 1)).Train(train);
        Console.WriteLine($"after {Where(31 << 20)} {NativeHeap.State}");
        return 0;
    }

    private static string Where(int bytes)
    {
        var buffer = Marshal.AllocHGlobal(bytes);
        try
        {
            return (Marshal.ReadInt64(buffer, -8) & MmappedChunkBit) != 0 ? "mmap" : "heap";
        }
        finally
        {
            Marshal.FreeHGlobal(buffer);
        }
    }
}
