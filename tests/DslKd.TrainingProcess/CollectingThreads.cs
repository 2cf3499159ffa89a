namespace DslKd.TrainingProcess;

/// <summary>Threads that collect garbage and run finalizers without pause until disposed: the harnesses' adversary.</summary>
public sealed class CollectingThreads : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Thread> _threads;

    public CollectingThreads(int count = 3)
    {
        _threads = Enumerable.Range(0, count).Select(_ => new Thread(() =>
        {
            while (!_stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        })).ToList();
        _threads.ForEach(t => t.Start());
    }

    public void Dispose()
    {
        _stop.Cancel();
        _threads.ForEach(t => t.Join());
        _stop.Dispose();
    }
}
