using Factory.Grains.Storage;
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
    private readonly NpgsqlDataSource _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));

    /// <inheritdoc/>
    public async ValueTask<ContentAddress> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var sha = ContentHash.Sha256Hex(content.Span);
        await using var insert = _dataSource.CreateCommand(
            "insert into factory_artifacts (sha256, size, content) values ($1, $2, $3) on conflict (sha256) do nothing");
        insert.Parameters.Add(new NpgsqlParameter { Value = sha, NpgsqlDbType = NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter { Value = (long)content.Length, NpgsqlDbType = NpgsqlDbType.Bigint });
        insert.Parameters.Add(new NpgsqlParameter<ReadOnlyMemory<byte>> { TypedValue = content, NpgsqlDbType = NpgsqlDbType.Bytea });
        await insert.ExecuteNonQueryAsync(cancellationToken);
        return new ContentAddress(sha, content.Length);
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
}
