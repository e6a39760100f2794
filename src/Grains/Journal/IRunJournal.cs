namespace Factory.Grains.Journal;

/// <summary>
/// The per-run journal: the source of truth for a run's events. Append-only: appending never
/// rewrites earlier events. Only the run's grain appends; anyone may read.
/// </summary>
public interface IRunJournal
{
    /// <summary>
    /// Appends <paramref name="events"/>, whose sequences must continue the journal without a gap
    /// (the first equals the number of events already journaled).
    /// </summary>
    /// <exception cref="JournalSequenceException">The first sequence does not continue the journal.</exception>
    ValueTask AppendAsync(string runId, IReadOnlyList<TraceEvent> events, CancellationToken cancellationToken = default);

    /// <summary>At most <paramref name="max"/> events of the run from <paramref name="fromSequence"/>, in order.</summary>
    ValueTask<IReadOnlyList<TraceEvent>> ReadAsync(string runId, long fromSequence, int max, CancellationToken cancellationToken = default);
}

/// <summary>An append did not continue the journal: a bug or a second writer.</summary>
public sealed class JournalSequenceException(string runId, long expected, long actual)
    : InvalidOperationException($"Journal of run '{runId}' expected sequence {expected} next but was given {actual}.")
{
    /// <summary>The run.</summary>
    public string RunId { get; } = runId;

    /// <summary>The sequence the journal expected.</summary>
    public long Expected { get; } = expected;

    /// <summary>The sequence it was given.</summary>
    public long Actual { get; } = actual;
}
