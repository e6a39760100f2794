using System.Collections.Concurrent;

namespace Factory.Grains.Storage;

/// <summary>
/// Keeps the artifacts most recently stored or read in memory, up to a number of bytes, in front of the store that
/// holds them. A module's validator reads back every artifact its agents have just stored (about 40 per module), so
/// most reads are served from memory instead of a file or a database query. Artifacts are addressed by content, so
/// a cached one can never be stale. The oldest entries leave first. Callers must not change the arrays it returns.
/// </summary>
public sealed class RecentArtifactCache : IArtifactStore
{
    private readonly IArtifactStore _inner;
    private readonly ConcurrentDictionary<string, byte[]> _content = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();
    private long _bytes;

    /// <summary>Caches up to <paramref name="capacityBytes"/> bytes of what <paramref name="inner"/> stores and returns.</summary>
    public RecentArtifactCache(IArtifactStore inner, long capacityBytes)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfNegative(capacityBytes);
        _inner = inner;
        CapacityBytes = capacityBytes;
    }

    /// <summary><paramref name="store"/> behind a cache of <paramref name="megabytes"/>, or itself when that is 0.</summary>
    public static IArtifactStore InFrontOf(IArtifactStore store, int megabytes) =>
        megabytes == 0 ? store : new RecentArtifactCache(store, megabytes * 1024L * 1024L);

    /// <summary>The most bytes of content held.</summary>
    public long CapacityBytes { get; }

    /// <summary>The bytes of content held now.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <inheritdoc/>
    public async ValueTask<ContentAddress> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var address = await _inner.PutAsync(content, cancellationToken);
        Remember(address.Sha256, content.ToArray());
        return address;
    }

    /// <inheritdoc/>
    public async ValueTask<ContentAddress[]> PutAllAsync(IReadOnlyList<ReadOnlyMemory<byte>> contents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contents);
        var addresses = await _inner.PutAllAsync(contents, cancellationToken);
        for (var i = 0; i < addresses.Length; i++)
        {
            Remember(addresses[i].Sha256, contents[i].ToArray());
        }

        return addresses;
    }

    /// <inheritdoc/>
    public async ValueTask<byte[]?> GetAsync(string sha256, CancellationToken cancellationToken = default)
    {
        if (sha256 is not null && _content.TryGetValue(sha256, out var cached))
        {
            return cached;
        }

        var content = await _inner.GetAsync(sha256!, cancellationToken);
        if (content is not null)
        {
            Remember(sha256!, content);
        }

        return content;
    }

    private void Remember(string sha256, byte[] content)
    {
        if (content.Length > CapacityBytes / 16 || !_content.TryAdd(sha256, content))
        {
            return; // too large to be worth a place, or held already
        }

        _order.Enqueue(sha256);
        Interlocked.Add(ref _bytes, content.Length);
        while (Interlocked.Read(ref _bytes) > CapacityBytes && _order.TryDequeue(out var oldest))
        {
            if (_content.TryRemove(oldest, out var evicted))
            {
                Interlocked.Add(ref _bytes, -evicted.Length);
            }
        }
    }
}
