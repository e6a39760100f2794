using System.Diagnostics.Metrics;
using System.Text;
using Factory.Grains.Storage;
using Factory.Storage.Postgres;
using Npgsql;

namespace Factory.Storage.Tests;

[Collection(PostgresCollection.Name)]
public sealed class PostgresArtifactStoreTests(PostgresServer server)
{
    [Fact]
    public async Task IdenticalContentIsStoredOnceAndReadBack()
    {
        await using var dataSource = await server.CreateSchemaDatabaseAsync();
        var store = new PostgresArtifactStore(dataSource);
        var content = Encoding.UTF8.GetBytes("namespace Appointments;\npublic sealed record Slot(int Id);\n");

        var first = await store.PutAsync(content);
        var second = await new PostgresArtifactStore(dataSource).PutAsync(content.ToArray());
        var other = await store.PutAsync(Encoding.UTF8.GetBytes("something else"));

        Assert.Equal(first, second);
        Assert.Equal(new ContentAddress(ContentHash.Sha256Hex(content), content.Length), first);
        Assert.NotEqual(first.Sha256, other.Sha256);
        Assert.Equal(2L, await ScalarAsync(dataSource, "select count(*) from factory_artifacts"));
        Assert.Equal(1L, await ScalarAsync(dataSource, $"select count(*) from factory_artifacts where sha256 = '{first.Sha256}' and size = {content.Length}"));
        Assert.Equal(content, await store.GetAsync(first.Sha256));
    }

    [Fact]
    public async Task ConcurrentPutsOfTheSameContentLeaveOneRow()
    {
        await using var dataSource = await server.CreateSchemaDatabaseAsync();
        var store = new PostgresArtifactStore(dataSource);
        var content = new byte[256 * 1024];
        new Random(7).NextBytes(content);

        var addresses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => store.PutAsync(content).AsTask()));

        Assert.Single(addresses.Distinct());
        Assert.Equal(1L, await ScalarAsync(dataSource, "select count(*) from factory_artifacts"));
        Assert.Equal(content, await store.GetAsync(addresses[0].Sha256));
    }

    [Fact]
    public async Task ManyConcurrentPutsGoInBatchesAndEveryOneIsStoredWhole()
    {
        await using var dataSource = await server.CreateSchemaDatabaseAsync();
        var store = new PostgresArtifactStore(dataSource);
        var contents = Enumerable.Range(0, 3 * PostgresArtifactStore.MaxBatch)
            .Select(i => Encoding.UTF8.GetBytes($"public sealed record Slot{i}(int Id); // {new string('x', i % 97)}"))
            .ToList();

        // Each content put twice at once: batches hold duplicates and content another batch stored.
        var addresses = await Task.WhenAll(contents.Concat(contents).Select(c => store.PutAsync(c).AsTask()));

        Assert.Equal(contents.Count, addresses.Distinct().Count());
        Assert.Equal((long)contents.Count, await ScalarAsync(dataSource, "select count(*) from factory_artifacts"));
        foreach (var content in contents.Where((_, i) => i % 37 == 0))
        {
            Assert.Equal(content, await store.GetAsync(ContentHash.Sha256Hex(content)));
        }
    }

    [Fact]
    public async Task ASetOfFilesPutTogetherGoesInOneStatementInItsOrder()
    {
        await using var dataSource = await server.CreateSchemaDatabaseAsync();
        IArtifactStore store = new PostgresArtifactStore(dataSource);
        ReadOnlyMemory<byte>[] files =
        [
            Encoding.UTF8.GetBytes("public sealed record Slot(int Id);"),
            Encoding.UTF8.GetBytes("openapi: 3.1.0"),
            Encoding.UTF8.GetBytes("public sealed record Slot(int Id);"),
            Array.Empty<byte>(),
            Encoding.UTF8.GetBytes("apiVersion: apps/v1"),
        ];
        long writes = 0;
        using var listener = CountWrites(value => Interlocked.Add(ref writes, value));

        var addresses = await store.PutAllAsync(files);

        Assert.Equal(1, Interlocked.Read(ref writes));
        Assert.Equal(files.Select(f => new ContentAddress(ContentHash.Sha256Hex(f.Span), f.Length)), addresses);
        Assert.Equal(4L, await ScalarAsync(dataSource, "select count(*) from factory_artifacts"));
        foreach (var (file, address) in files.Zip(addresses))
        {
            Assert.Equal(file.ToArray(), await store.GetAsync(address.Sha256));
        }

        Assert.Empty(await store.PutAllAsync([]));
        Assert.Equal(1, Interlocked.Read(ref writes));
    }

    [Fact]
    public async Task StatementsArePreparedOnceUsedOnAConnectionOfTheSilosConnectionString()
    {
        await using var plain = await server.CreateSchemaDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(PreparedStatements.Enable(plain.ConnectionString));
        var store = new PostgresArtifactStore(dataSource);

        // One at a time: each put takes the pool's one idle connection.
        for (var i = 0; i < PreparedStatements.DefaultAutoPrepareMinUsages + 1; i++)
        {
            await store.PutAsync(Encoding.UTF8.GetBytes($"put {i}"));
        }

        Assert.Equal(1L, await ScalarAsync(dataSource, "select count(*) from pg_prepared_statements where statement like '%insert into factory_artifacts%'"));
        Assert.Equal(0L, await ScalarAsync(plain, "select count(*) from pg_prepared_statements"));
    }

    [Fact]
    public async Task EmptyContentAndAMissingAddress()
    {
        await using var dataSource = await server.CreateSchemaDatabaseAsync();
        var store = new PostgresArtifactStore(dataSource);

        var empty = await store.PutAsync(ReadOnlyMemory<byte>.Empty);

        Assert.Equal(0, empty.Size);
        Assert.Equal(Array.Empty<byte>(), await store.GetAsync(empty.Sha256));
        Assert.Null(await store.GetAsync(new string('0', 64)));
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.GetAsync("NOT-A-HASH"));
    }

    [Fact]
    public async Task ATamperedRowIsDetectedOnRead()
    {
        await using var dataSource = await server.CreateSchemaDatabaseAsync();
        var store = new PostgresArtifactStore(dataSource);
        var address = await store.PutAsync(Encoding.UTF8.GetBytes("original"));
        await using (var tamper = dataSource.CreateCommand("update factory_artifacts set content = $1 where sha256 = $2"))
        {
            tamper.Parameters.Add(new NpgsqlParameter { Value = Encoding.UTF8.GetBytes("0riginal") });
            tamper.Parameters.Add(new NpgsqlParameter { Value = address.Sha256 });
            Assert.Equal(1, await tamper.ExecuteNonQueryAsync());
        }

        var corrupt = await Assert.ThrowsAsync<ArtifactIntegrityException>(async () => await store.GetAsync(address.Sha256));

        Assert.Equal(address.Sha256, corrupt.Sha256);
        Assert.Equal(ContentHash.Sha256Hex("0riginal"u8), corrupt.ActualSha256);
    }

    private static MeterListener CountWrites(Action<long> add)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "factory.artifacts.writes")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => add(value));
        listener.Start();
        return listener;
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync() ?? 0L);
    }
}
