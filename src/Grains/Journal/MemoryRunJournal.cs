using System.Collections.Concurrent;
using Factory.Grains.Storage;
using Orleans.Serialization;

namespace Factory.Grains.Journal;

/// <summary>
/// The embedded-mode journal: each run's events in this process's memory. Given a serializer, it packs the events of
/// ended runs: once more than <see cref="EndedRunsUnpacked"/> runs have ended after a run, that run's events are kept
/// serialized and compressed (about a tenth of their size as objects), and a read of them unpacks them. Live runs, and
/// the runs that ended last (whose watchers are still catching up), are read as they are.
/// </summary>
public sealed class MemoryRunJournal : IRunJournal
{
    /// <summary>Ended runs whose events stay unpacked.</summary>
    public const int EndedRunsUnpacked = 256;

    private readonly ConcurrentDictionary<string, RunLog> _runs = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RunLog> _ended = new();
    private readonly Serializer? _serializer;

    /// <summary>A journal that keeps every event as it is.</summary>
    public MemoryRunJournal()
    {
    }

    /// <summary>A journal that packs ended runs' events with <paramref name="serializer"/>.</summary>
    public MemoryRunJournal(Serializer serializer)
    {
        _serializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
    }

    /// <inheritdoc/>
    public ValueTask AppendAsync(string runId, IReadOnlyList<TraceEvent> events, CancellationToken cancellationToken = default)
    {
        if (events.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        var log = _runs.GetOrAdd(runId, static _ => new RunLog());
        var ended = false;
        lock (log)
        {
            for (var i = 0; i < events.Count; i++)
            {
                if (events[i].Sequence != log.Count + i)
                {
                    throw new JournalSequenceException(runId, log.Count + i, events[i].Sequence);
                }
            }

            log.Recent.AddRange(events);
            if (!log.Ended && events.Any(e => TraceEventTypes.IsRunTerminal(e.Type)))
            {
                log.Ended = ended = true;
            }
        }

        if (ended && _serializer is not null)
        {
            _ended.Enqueue(log);
            while (_ended.Count > EndedRunsUnpacked && _ended.TryDequeue(out var oldest))
            {
                Pack(oldest);
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

            var count = (int)Math.Min(max, log.Count - fromSequence);
            if (fromSequence >= log.PackedCount)
            {
                return ValueTask.FromResult<IReadOnlyList<TraceEvent>>(log.Recent.GetRange((int)fromSequence - log.PackedCount, count));
            }

            var all = Unpack(log).Concat(log.Recent).Skip((int)fromSequence).Take(count).ToList();
            return ValueTask.FromResult<IReadOnlyList<TraceEvent>>(all);
        }
    }

    private void Pack(RunLog log)
    {
        lock (log)
        {
            // A run is packed once, when later runs have ended: all it holds then is unpacked.
            log.Packed = Packed.Pack(_serializer!.SerializeToArray(log.Recent.ToArray()));
            log.PackedCount = log.Recent.Count;
            log.Recent.Clear();
            log.Recent.TrimExcess();
        }
    }

    private TraceEvent[] Unpack(RunLog log) =>
        log.Packed is { } packed ? _serializer!.Deserialize<TraceEvent[]>(packed.Unpack()) ?? [] : [];

    /// <summary>One run's events: the first <see cref="PackedCount"/> packed (or none), then <see cref="Recent"/>.</summary>
    private sealed class RunLog
    {
        public Packed? Packed { get; set; }

        public int PackedCount { get; set; }

        public List<TraceEvent> Recent { get; } = [];

        public bool Ended { get; set; }

        public int Count => PackedCount + Recent.Count;
    }
}
