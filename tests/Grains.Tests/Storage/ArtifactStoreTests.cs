using System.Collections.Concurrent;
using System.Text;
using Factory.Grains.Storage;

namespace Factory.Grains.Tests.Storage;

/// <summary>The file-system artifact store, and the cache of recent artifacts in front of a store.</summary>
public sealed class ArtifactStoreTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("factory-artifacts-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public async Task Writers_racing_to_create_the_same_new_folders_all_store_their_artifacts()
    {
        // Each round starts from an empty store and releases 32 writer threads at once, each with its own content: many
        // of them are a new folder's first artifact together with another writer.
        for (var round = 0; round < 200; round++)
        {
            var store = new FileSystemArtifactStore(Path.Combine(_root.FullName, $"round-{round}"));
            var contents = Enumerable.Range(0, 32).Select(i => Encoding.UTF8.GetBytes($"round {round}, artifact {i}")).ToArray();
            var stored = new ConcurrentBag<(byte[] Content, ContentAddress Address)>();
            var failures = new ConcurrentBag<Exception>();
            using var go = new ManualResetEventSlim();
            var writers = contents.Select(content => new Thread(() =>
            {
                go.Wait();
                try
                {
                    stored.Add((content, store.PutAsync(content).AsTask().GetAwaiter().GetResult()));
                }
                catch (Exception e)
                {
                    failures.Add(e);
                }
            })).ToList();
            writers.ForEach(w => w.Start());
            go.Set();
            writers.ForEach(w => Assert.True(w.Join(TimeSpan.FromSeconds(30)), "a writer did not finish within 30 s"));

            Assert.Empty(failures);
            Assert.Equal(contents.Length, stored.Count);
            foreach (var (content, address) in stored)
            {
                Assert.Equal(content, await store.GetAsync(address.Sha256));
            }

            Assert.Empty(Directory.EnumerateFiles(store.Root, "*.tmp", SearchOption.AllDirectories));
        }
    }

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
