using Orleans.Concurrency;

namespace Factory.Grains.Storage;

/// <summary>Serves slices of stored artifact content from the silo's <see cref="IArtifactStore"/>.</summary>
[StatelessWorker]
public sealed class ArtifactContentGrain(IArtifactStore store) : Grain, IArtifactContentGrain
{
    /// <inheritdoc/>
    public async Task<byte[]?> ReadAsync(string sha256, long offset, int count)
    {
        if (!ContentHash.IsSha256Hex(sha256))
        {
            throw new ArgumentException($"'{sha256}' is not a lower-case hex SHA-256.", nameof(sha256));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, IArtifactContentGrain.MaxCount);
        var content = await store.GetAsync(sha256);
        if (content is null)
        {
            return null;
        }

        if (offset >= content.Length)
        {
            return [];
        }

        var length = (int)Math.Min(count, content.Length - offset);
        return content.AsSpan((int)offset, length).ToArray();
    }
}
