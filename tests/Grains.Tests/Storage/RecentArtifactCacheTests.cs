using System.Text;
using Factory.Grains.Storage;

namespace Factory.Grains.Tests.Storage;

public sealed class RecentArtifactCacheTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("factory-cache-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public async Task Recent_artifacts_are_read_from_memory_and_evicted_ones_from_the_store_with_the_same_bytes()
    {
        var files = new CountingStore(new FileSystemArtifactStore(_root.FullName));
        var cache = new RecentArtifactCache(files, capacityBytes: 16 * 1024);
        var contents = Enumerable.Range(0, 40).Select(i => Encoding.UTF8.GetBytes($"artifact {i} " + new string('x', 900))).ToList();
        var addresses = new List<ContentAddress>();
        foreach (var content in contents)
        {
            addresses.Add(await cache.PutAsync(content));
        }

        Assert.InRange(cache.Bytes, 1, cache.CapacityBytes);

        // The last ones stored are served from memory.
        Assert.Equal(contents[^1], await cache.GetAsync(addresses[^1].Sha256));
        Assert.Equal(0, files.Reads);

        // The first ones were evicted: read from the store, the same bytes, and cached again.
        Assert.Equal(contents[0], await cache.GetAsync(addresses[0].Sha256));
        Assert.Equal(1, files.Reads);
        Assert.Equal(contents[0], await cache.GetAsync(addresses[0].Sha256));
        Assert.Equal(1, files.Reads);
        Assert.InRange(cache.Bytes, 1, cache.CapacityBytes);

        // What the store lacks is not remembered as anything.
        var missing = new string('0', 64);
        Assert.Null(await cache.GetAsync(missing));
        Assert.Null(await cache.GetAsync(missing));
        Assert.Equal(3, files.Reads);
    }

    [Fact]
    public async Task An_artifact_over_a_sixteenth_of_the_capacity_is_not_cached()
    {
        var files = new CountingStore(new FileSystemArtifactStore(_root.FullName));
        var cache = new RecentArtifactCache(files, capacityBytes: 16 * 1024);
        var large = await cache.PutAsync(new byte[1025]);
        Assert.Equal(0, cache.Bytes);
        Assert.Equal(1025, (await cache.GetAsync(large.Sha256))!.Length);
        Assert.Equal(1, files.Reads);
    }

    /// <summary>The file store, counting the reads that reach it.</summary>
    private sealed class CountingStore(IArtifactStore inner) : IArtifactStore
    {
        public int Reads { get; private set; }

        public ValueTask<ContentAddress> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) => inner.PutAsync(content, cancellationToken);

        public ValueTask<byte[]?> GetAsync(string sha256, CancellationToken cancellationToken = default)
        {
            Reads++;
            return inner.GetAsync(sha256, cancellationToken);
        }
    }
}
