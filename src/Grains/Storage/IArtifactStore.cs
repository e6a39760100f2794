namespace Factory.Grains.Storage;

/// <summary>The address and size of stored content.</summary>
/// <param name="Sha256">Lower-case hex SHA-256 of the content.</param>
/// <param name="Size">Size in bytes.</param>
public readonly record struct ContentAddress(string Sha256, long Size);

/// <summary>
/// Content-addressed storage for generated files (and blueprints' canonical forms): content is
/// stored under its SHA-256, so writing the same bytes twice stores them once and re-executing
/// a step is idempotent. Implementations are thread-safe.
/// </summary>
public interface IArtifactStore
{
    /// <summary>Stores <paramref name="content"/> (no-op when already present) and returns its address.</summary>
    ValueTask<ContentAddress> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores each of <paramref name="contents"/> as <see cref="PutAsync"/> does and returns their addresses in the same
    /// order. A store that can write many in one go (a database: one statement) overrides this; by default they are
    /// stored one after the other.
    /// </summary>
    async ValueTask<ContentAddress[]> PutAllAsync(IReadOnlyList<ReadOnlyMemory<byte>> contents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contents);
        var addresses = new ContentAddress[contents.Count];
        for (var i = 0; i < contents.Count; i++)
        {
            addresses[i] = await PutAsync(contents[i], cancellationToken);
        }

        return addresses;
    }

    /// <summary>The content stored under <paramref name="sha256"/>, or null when there is none.</summary>
    ValueTask<byte[]?> GetAsync(string sha256, CancellationToken cancellationToken = default);
}
