using System.Collections.Concurrent;

namespace Factory.Grains.Journal;

/// <summary>
/// Keeps the events this process appended to each run in memory, in front of a durable journal, and serves reads
/// of them (watchers following a live run read each new event right after it is appended) without a round trip to
/// storage. Journaled events never change, so what it serves is always what storage holds; a read it cannot serve
/// whole from memory goes to storage. Bounded: a run's events are dropped once the run has ended and
/// <see cref="EndedRunsKept"/> later-ended runs followed, or when more than <see cref="MaxRuns"/> runs are held.
/// </summary>
/// <param name="inner">The durable journal.</param>
public sealed class TailCachingRunJournal(IRunJournal inner) : IRunJournal
{
    /// <summary>Ended runs whose events stay in memory (watchers catching up with a run's end).</summary>
    public const int EndedRunsKept = 256;

    /// <summary>Most runs held; past it, the oldest are dropped first.</summary>
    public const int MaxRuns = 8192;

    private readonly IRunJournal _inner = inner ?? throw new ArgumentNullException(nameof(inner));
    private readonly ConcurrentDictionary<string, Tail> _tails = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _ended = new();
    private readonly ConcurrentQueue<string> _order = new();

    /// <inheritdoc/>
    public async ValueTask AppendAsync(string runId, IReadOnlyList<TraceEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(events);
        await _inner.AppendAsync(runId, events, cancellationToken);
        if (events.Count == 0)
        {
            return;
        }

        var added = false;
        var tail = _tails.GetOrAdd(runId, _ =>
        {
            added = true;
            return new Tail(events[0].Sequence);
        });
        if (added)
        {
            _order.Enqueue(runId);
        }

        var ended = false;
        lock (tail)
        {
            if (events[0].Sequence != tail.Start + tail.Events.Count)
            {
                // Another process appended in between (the run moved): start over from here.
                tail.Start = events[0].Sequence;
                tail.Events.Clear();
            }

            tail.Events.AddRange(events);
            if (!tail.Ended && events.Any(e => TraceEventTypes.IsRunTerminal(e.Type)))
            {
                tail.Ended = ended = true;
            }
        }

        if (ended)
        {
            _ended.Enqueue(runId);
        }

        Trim();
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<TraceEvent>> ReadAsync(string runId, long fromSequence, int max, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentOutOfRangeException.ThrowIfNegative(fromSequence);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        if (_tails.TryGetValue(runId, out var tail))
        {
            lock (tail)
            {
                var end = tail.Start + tail.Events.Count;
                if (fromSequence >= tail.Start && fromSequence < end)
                {
                    var start = (int)(fromSequence - tail.Start);
                    return ValueTask.FromResult<IReadOnlyList<TraceEvent>>(tail.Events.GetRange(start, (int)Math.Min(max, end - fromSequence)));
                }
            }
        }

        return _inner.ReadAsync(runId, fromSequence, max, cancellationToken);
    }

    private void Trim()
    {
        while (_ended.Count > EndedRunsKept && _ended.TryDequeue(out var run))
        {
            _tails.TryRemove(run, out _);
        }

        while (_tails.Count > MaxRuns && _order.TryDequeue(out var oldest))
        {
            _tails.TryRemove(oldest, out _);
        }

        // Runs already dropped leave their ids in the queue of arrival; keep it from growing without bound.
        for (var i = _order.Count - (2 * MaxRuns); i > 0 && _order.TryDequeue(out var id); i--)
        {
            if (_tails.ContainsKey(id))
            {
                _order.Enqueue(id);
            }
        }
    }

    private sealed class Tail(long start)
    {
        public long Start { get; set; } = start;

        public List<TraceEvent> Events { get; } = [];

        public bool Ended { get; set; }
    }
}
