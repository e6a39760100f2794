using Npgsql;

namespace Factory.Storage.Postgres;

/// <summary>
/// Factory's PostgreSQL schema: SQL scripts shipped inside this assembly, applied in name order. Each
/// applied script's name is recorded in <c>factory_schema_version</c>, so applying again runs only new ones.
/// </summary>
public static class FactorySchema
{
    private const string ResourcePrefix = "schema/";

    // Serializes concurrent appliers (two silos starting at once); any constant key works.
    private const long AdvisoryLockKey = 0x46_61_63_74_6F_72_79;

    /// <summary>The names of the shipped scripts, in the order they are applied.</summary>
    public static IReadOnlyList<string> ScriptNames { get; } =
        [.. typeof(FactorySchema).Assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Select(name => name[ResourcePrefix.Length..])
            .Order(StringComparer.Ordinal)];

    /// <summary>
    /// Applies the scripts not yet recorded, each in its own transaction with its record, and returns their
    /// names in the order applied (empty when the schema is current).
    /// </summary>
    public static async Task<IReadOnlyList<string>> ApplyAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, $"select pg_advisory_xact_lock({AdvisoryLockKey})", cancellationToken);
        await ExecuteAsync(connection, transaction, """
            create table if not exists factory_schema_version (
                script     text        primary key,
                applied_at timestamptz not null default now()
            )
            """, cancellationToken);

        var recorded = new HashSet<string>(StringComparer.Ordinal);
        await using (var select = new NpgsqlCommand("select script from factory_schema_version", connection, transaction))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                recorded.Add(reader.GetString(0));
            }
        }

        var applied = new List<string>();
        foreach (var name in ScriptNames)
        {
            if (recorded.Contains(name))
            {
                continue;
            }

            await ExecuteAsync(connection, transaction, ReadScript(name), cancellationToken);
            await using var record = new NpgsqlCommand("insert into factory_schema_version (script) values ($1)", connection, transaction);
            record.Parameters.Add(new NpgsqlParameter { Value = name });
            await record.ExecuteNonQueryAsync(cancellationToken);
            applied.Add(name);
        }

        await transaction.CommitAsync(cancellationToken);
        return applied;
    }

    /// <summary>The text of the shipped script <paramref name="name"/>.</summary>
    public static string ReadScript(string name)
    {
        using var stream = typeof(FactorySchema).Assembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new ArgumentException($"There is no schema script named '{name}'.", nameof(name));
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
