using Factory.Grains.Journal;
using Factory.Grains.Runtime;

namespace Factory.Grains.Storage;

/// <summary>An artifact store whose reads and writes ride out a transient outage of the store behind it (<see cref="StorageRetry"/>).</summary>
public sealed class RetryingArtifactStore(IArtifactStore inner, StorageRetry retry) : IArtifactStore
{
    /// <inheritdoc/>
    public async ValueTask<ContentAddress> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        await retry.ExecuteAsync($"storing an artifact of {content.Length} bytes", ct => inner.PutAsync(content, ct), cancellationToken);

    /// <inheritdoc/>
    /// <remarks>Content is addressed by its hash, so storing the whole set again after a failure is harmless.</remarks>
    public async ValueTask<ContentAddress[]> PutAllAsync(IReadOnlyList<ReadOnlyMemory<byte>> contents, CancellationToken cancellationToken = default) =>
        await retry.ExecuteAsync($"storing {contents.Count} artifacts", ct => inner.PutAllAsync(contents, ct), cancellationToken);

    /// <inheritdoc/>
    public async ValueTask<byte[]?> GetAsync(string sha256, CancellationToken cancellationToken = default) =>
        await retry.ExecuteAsync($"reading artifact {sha256}", ct => inner.GetAsync(sha256, ct), cancellationToken);
}

/// <summary>
/// A run journal whose reads ride out a transient outage of the journal behind it (<see cref="StorageRetry"/>).
/// Appends are passed through: the run retries them itself, since only it can tell a lost answer from a lost append.
/// </summary>
public sealed class RetryingRunJournal(IRunJournal inner, StorageRetry retry) : IRunJournal
{
    /// <inheritdoc/>
    public ValueTask AppendAsync(string runId, IReadOnlyList<TraceEvent> events, CancellationToken cancellationToken = default) =>
        inner.AppendAsync(runId, events, cancellationToken);

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<TraceEvent>> ReadAsync(string runId, long fromSequence, int max, CancellationToken cancellationToken = default) =>
        await retry.ExecuteAsync($"run {runId}: reading the journal from {fromSequence}", ct => inner.ReadAsync(runId, fromSequence, max, ct), cancellationToken);
}
