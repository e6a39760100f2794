using System.Diagnostics.Metrics;
using Factory.Grains.Storage;
using Factory.Grains.Telemetry;
using Npgsql;
using NpgsqlTypes;

namespace Factory.Storage.Postgres;

/// <summary>
/// Content-addressed artifacts as rows of <c>factory_artifacts</c>, keyed by SHA-256: identical content
/// (across runs and tenants) is stored once. Reads check the content against its address.
/// </summary>
/// <param name="dataSource">The database, whose schema <see cref="FactorySchema"/> has applied.</param>
public sealed class PostgresArtifactStore(NpgsqlDataSource dataSource) : IArtifactStore
{
    /// <summary>Most puts inserted in one statement.</summary>
    public const int MaxBatch = 256;

    private static readonly Meter Meter = new(FactoryTelemetry.SourceName);
    private static readonly Counter<long> Writes = Meter.CreateCounter<long>("factory.artifacts.writes", "{write}", "Artifact round trips to PostgreSQL (each may carry many artifacts).");

    private readonly NpgsqlDataSource _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));
    private readonly GroupCommit<Put> _puts = new(batch => InsertAsync(dataSource, batch), MaxBatch);

    /// <inheritdoc/>
    /// <remarks>Puts that arrive while one is in flight are inserted together, in one statement (group commit).</remarks>
    public async ValueTask<ContentAddress> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        (await PutAllAsync([content], cancellationToken))[0];

    /// <inheritdoc/>
    /// <remarks>The puts are queued together, so they go in one statement (with any others waiting then).</remarks>
    public async ValueTask<ContentAddress[]> PutAllAsync(IReadOnlyList<ReadOnlyMemory<byte>> contents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contents);
        var puts = new Put[contents.Count];
        var addresses = new ContentAddress[contents.Count];
        for (var i = 0; i < contents.Count; i++)
        {
            puts[i] = new Put(ContentHash.Sha256Hex(contents[i].Span), contents[i]);
            addresses[i] = new ContentAddress(puts[i].Sha256, contents[i].Length);
        }

        await _puts.WriteAllAsync(puts, cancellationToken);
        return addresses;
    }

    /// <inheritdoc/>
    /// <exception cref="ArtifactIntegrityException">The stored content does not hash to <paramref name="sha256"/>.</exception>
    public async ValueTask<byte[]?> GetAsync(string sha256, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sha256);
        if (!ContentHash.IsSha256Hex(sha256))
        {
            throw new ArgumentException($"'{sha256}' is not a lower-case hex SHA-256.", nameof(sha256));
        }

        await using var select = _dataSource.CreateCommand("select content from factory_artifacts where sha256 = $1");
        select.Parameters.Add(new NpgsqlParameter { Value = sha256, NpgsqlDbType = NpgsqlDbType.Text });
        if (await select.ExecuteScalarAsync(cancellationToken) is not byte[] content)
        {
            return null;
        }

        var actual = ContentHash.Sha256Hex(content);
        return actual == sha256 ? content : throw new ArtifactIntegrityException(sha256, actual);
    }

    /// <summary>Inserts a batch of puts in one statement; content already stored (by hash) is left as it is.</summary>
    private static async Task InsertAsync(NpgsqlDataSource dataSource, List<Pending<Put>> batch)
    {
        // One row per hash: the same content put twice in a batch would make the insert touch a row twice.
        var rows = batch.Select(p => p.Item).DistinctBy(p => p.Sha256, StringComparer.Ordinal).ToList();
        await using var insert = dataSource.CreateCommand(
            """
            insert into factory_artifacts (sha256, size, content)
            select * from unnest($1::text[], $2::bigint[], $3::bytea[])
            on conflict (sha256) do nothing
            """);
        insert.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Sha256).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => (long)r.Content.Length).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        insert.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Content.ToArray()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        await insert.ExecuteNonQueryAsync();
        Writes.Add(1);
        foreach (var pending in batch)
        {
            pending.Done.TrySetResult();
        }
    }

    private sealed record Put(string Sha256, ReadOnlyMemory<byte> Content);
}
