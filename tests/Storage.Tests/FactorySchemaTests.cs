using Factory.Storage.Postgres;
using Npgsql;

namespace Factory.Storage.Tests;

[Collection(PostgresCollection.Name)]
public sealed class FactorySchemaTests(PostgresServer server)
{
    [Fact]
    public async Task ApplyingTwiceAppliesEveryScriptOnceAndRecordsThem()
    {
        await using var dataSource = NpgsqlDataSource.Create(await server.CreateDatabaseAsync());

        var first = await FactorySchema.ApplyAsync(dataSource);
        var second = await FactorySchema.ApplyAsync(dataSource);

        Assert.Equal(["001_journal.sql", "002_artifacts.sql", "003_orleans_clustering.sql", "004_orleans_grain_state.sql", "005_orleans_reminders.sql",
                      "006_orleans_streams.sql", "007_lz4_compression.sql"], first);
        Assert.Equal(FactorySchema.ScriptNames, first);
        Assert.Empty(second);
        Assert.Equal(first, await ColumnAsync(dataSource, "select script from factory_schema_version order by script"));
        Assert.Equal(["factory_artifacts", "factory_journal", "factory_orleans_cluster", "factory_orleans_grain_state",
                      "factory_orleans_reminder", "factory_orleans_silo", "factory_orleans_stream_control", "factory_orleans_stream_dead_letter",
                      "factory_orleans_stream_message", "factory_schema_version", "orleansquery"],
            await ColumnAsync(dataSource, "select table_name::text from information_schema.tables where table_schema = 'public' order by table_name"));

        // Large artifacts and grain states are compressed with lz4 (this server has it).
        Assert.Equal(["factory_artifacts.content l", "factory_orleans_grain_state.payload l"],
            await ColumnAsync(dataSource, "select attrelid::regclass::text || '.' || attname || ' ' || attcompression::text from pg_attribute " +
                "where attrelid in ('factory_artifacts'::regclass, 'factory_orleans_grain_state'::regclass) and attcompression <> '' order by 1"));

        // The statements Orleans' ADO.NET clustering, grain storage, reminders and streams look up by key.
        Assert.Equal(
            ["CleanupDefunctSiloEntriesKey", "ClearStorageKey", "ConfirmStreamMessagesKey", "DeleteMembershipTableEntriesKey",
             "DeleteReminderRowKey", "DeleteReminderRowsKey", "DeleteStorageKey", "EvictStreamDeadLettersKey", "EvictStreamMessagesKey",
             "FailStreamMessageKey", "GatewaysQueryKey", "GetStreamMessagesKey", "InsertMembershipKey", "InsertMembershipVersionKey",
             "MembershipReadAllKey", "MembershipReadRowKey", "QueueStreamMessageKey", "ReadFromStorageKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
             "ReadReminderRowKey", "ReadReminderRowsKey", "UpdateIAmAlivetimeKey", "UpdateMembershipKey", "UpsertReminderRowKey",
             "WriteToStorageKey"],
            await ColumnAsync(dataSource, "select querykey::text from orleansquery order by querykey collate \"C\""));
    }

    [Fact]
    public async Task ConcurrentAppliersApplyEachScriptOnce()
    {
        await using var dataSource = NpgsqlDataSource.Create(await server.CreateDatabaseAsync());

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => FactorySchema.ApplyAsync(dataSource)));

        Assert.Equal(FactorySchema.ScriptNames, results.SelectMany(r => r).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TheScriptsThemselvesAreIdempotent()
    {
        await using var dataSource = NpgsqlDataSource.Create(await server.CreateDatabaseAsync());
        foreach (var name in FactorySchema.ScriptNames.Concat(FactorySchema.ScriptNames))
        {
            await using var command = dataSource.CreateCommand(FactorySchema.ReadScript(name));
            await command.ExecuteNonQueryAsync();
        }

        // And applying after them only records the names.
        Assert.Equal(FactorySchema.ScriptNames, await FactorySchema.ApplyAsync(dataSource));
    }

    private static async Task<List<string>> ColumnAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
