using System.Collections.Concurrent;
using System.Text;
using Factory.Grains.Storage;

namespace Factory.Grains.Tests.Storage;

public sealed class FileSystemArtifactStoreTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("factory-files-");

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
}
