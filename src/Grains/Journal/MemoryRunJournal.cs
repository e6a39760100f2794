using System.Collections.Concurrent;

namespace Factory.Grains.Journal;

/// <summary>The embedded-mode journal: one append-only list per run, in this process's memory.</summary>
public sealed class MemoryRunJournal : IRunJournal
{
    private readonly ConcurrentDictionary<string, List<TraceEvent>> _runs = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public ValueTask AppendAsync(string runId, IReadOnlyList<TraceEvent> events, CancellationToken cancellationToken = default)
    {
        if (events.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        var log = _runs.GetOrAdd(runId, static _ => []);
        lock (log)
        {
            if (events[0].Sequence != log.Count)
            {
                throw new JournalSequenceException(runId, log.Count, events[0].Sequence);
            }

            for (var i = 0; i < events.Count; i++)
            {
                if (events[i].Sequence != log.Count)
                {
                    throw new JournalSequenceException(runId, log.Count, events[i].Sequence);
                }

                log.Add(events[i]);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<TraceEvent>> ReadAsync(string runId, long fromSequence, int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromSequence);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        if (!_runs.TryGetValue(runId, out var log))
        {
            return ValueTask.FromResult<IReadOnlyList<TraceEvent>>([]);
        }

        lock (log)
        {
            if (fromSequence >= log.Count)
            {
                return ValueTask.FromResult<IReadOnlyList<TraceEvent>>([]);
            }

            var start = (int)fromSequence;
            var count = Math.Min(max, log.Count - start);
            return ValueTask.FromResult<IReadOnlyList<TraceEvent>>(log.GetRange(start, count));
        }
    }
}
