using System;

namespace DslKd;

/// <summary>
/// An <see cref="IProgress{T}"/> that runs the handler on the reporting thread, at once. (The BCL's Progress&lt;T&gt;
/// posts to the synchronization context or the thread pool, so a handler may run after training moved on.)
/// </summary>
public sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    /// <inheritdoc />
    public void Report(T value) => handler(value);
}
