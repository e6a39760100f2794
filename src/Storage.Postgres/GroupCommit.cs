using System.Collections.Concurrent;

namespace Factory.Storage.Postgres;

/// <summary>
/// Group commit: writes that arrive while one is in flight are sent together, at most <see cref="MaxBatch"/> at a
/// time, by one flush loop, so under load many writers cost one round trip and with one writer there is no wait.
/// </summary>
/// <typeparam name="T">One pending write; <paramref name="write"/> completes each (or fails it) through <see cref="Pending{T}.Done"/>.</typeparam>
/// <param name="write">Sends a batch and completes its writes.</param>
/// <param name="maxBatch">Most writes in one batch.</param>
internal sealed class GroupCommit<T>(Func<List<Pending<T>>, Task> write, int maxBatch)
{
    private readonly ConcurrentQueue<Pending<T>> _pending = new();
    private int _flushing;

    /// <summary>Most writes in one batch.</summary>
    public int MaxBatch { get; } = maxBatch;

    /// <summary>Queues <paramref name="item"/> and waits until its batch is written.</summary>
    public Task WriteAsync(T item, CancellationToken cancellationToken)
    {
        var pending = new Pending<T>(item);
        _pending.Enqueue(pending);
        StartFlushing();
        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Queues all of <paramref name="items"/> before any flush can take them, and waits until they are written: they
    /// go in one batch when they fit in one.
    /// </summary>
    public Task WriteAllAsync(IReadOnlyList<T> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            return Task.CompletedTask;
        }

        var done = new Task[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var pending = new Pending<T>(items[i]);
            _pending.Enqueue(pending);
            done[i] = pending.Done.Task;
        }

        StartFlushing();
        return Task.WhenAll(done).WaitAsync(cancellationToken);
    }

    /// <summary>Starts the flush loop unless it is running.</summary>
    private void StartFlushing()
    {
        if (Interlocked.CompareExchange(ref _flushing, 1, 0) == 0)
        {
            _ = Task.Run(FlushAsync, CancellationToken.None);
        }
    }

    /// <summary>Sends what is pending, batch after batch, until nothing is; one flush runs at a time.</summary>
    private async Task FlushAsync()
    {
        var batch = new List<Pending<T>>(MaxBatch);
        while (true)
        {
            while (batch.Count < MaxBatch && _pending.TryDequeue(out var next))
            {
                batch.Add(next);
            }

            if (batch.Count == 0)
            {
                Volatile.Write(ref _flushing, 0);
                // A write may have been queued after the last dequeue and before the flag was cleared.
                if (_pending.IsEmpty || Interlocked.CompareExchange(ref _flushing, 1, 0) != 0)
                {
                    return;
                }

                continue;
            }

            try
            {
                await write(batch);
            }
#pragma warning disable CA1031 // Every waiting write gets the failure; the flush itself must go on.
            catch (Exception e)
#pragma warning restore CA1031
            {
                foreach (var pending in batch)
                {
                    pending.Done.TrySetException(e);
                }
            }

            batch.Clear();
        }
    }
}

/// <summary>A write waiting in a <see cref="GroupCommit{T}"/>.</summary>
/// <typeparam name="T">The write.</typeparam>
/// <param name="Item">The write.</param>
internal sealed record Pending<T>(T Item)
{
    /// <summary>Completed when the write is stored, failed when it is not.</summary>
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
