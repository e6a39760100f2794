using Factory.Storage.Postgres;
using Grpc.Core;
using Npgsql;
using Xunit.Abstractions;
using V1 = Factory.Gateway.V1;

namespace Factory.Storage.Tests;

/// <summary>
/// <c>Factory:Streams:Provider=AdoNet</c>: the trace and run streams queued in PostgreSQL (the statements of
/// <c>006_orleans_streams.sql</c>), used by silo processes and a standalone gateway alike.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AdoNetStreamsTests(PostgresServer server, ITestOutputHelper output)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task ARunThroughAStandaloneGatewayOnAdoNetStreamsSucceedsAndItsWatcherSeesEveryJournaledEventOnce()
    {
        await using var cluster = ProcessCluster.On(await server.CreateDatabaseAsync(), streamProvider: "AdoNet");
        await cluster.StartSiloAsync("silo");
        var gateway = await cluster.StartGatewayAsync("gateway");
        var channel = cluster.Channel(gateway);
        var tenant = await ProcessCluster.NewTenantAsync(channel);
        using var timeout = new CancellationTokenSource(RunTimeout);
        var runs = new V1.Runs.RunsClient(channel);

        // The tenant's run summaries reach the gateway (an Orleans client) through its own ADO.NET stream provider.
        using var tenantWatch = runs.WatchTenant(new V1.WatchTenantRequest(), tenant, cancellationToken: timeout.Token);
        await tenantWatch.ResponseHeadersAsync;

        var runId = (await ProcessCluster.SubmitAsync(channel, tenant, "todo-service.yaml", 1))[0];
        var watched = await cluster.WithOutputAsync(output, ProcessCluster.WatchToEndAsync(() => channel, tenant, runId, 0, timeout.Token));

        var run = await runs.GetRunAsync(new V1.GetRunRequest { RunId = runId }, tenant);
        Assert.True(run.Status == V1.RunStatus.Succeeded, $"run {runId} ended {run.Status}: {run.Reason}{Environment.NewLine}{cluster.Output}");

        // Gap-free and exactly once: the watcher's events are the journal's rows, in sequence order.
        var journal = await cluster.JournalAsync(runId);
        Assert.Equal(await JournalRowsAsync(cluster.DataSource, runId), journal.Count);
        Assert.Equal(Enumerable.Range(0, journal.Count).Select(s => (long)s), journal.Select(e => e.Sequence));
        Assert.Equal(journal.Select(e => (e.Sequence, e.EventId)), watched.Events.Select(e => (e.Sequence, e.EventId)));
        Assert.Equal(TraceEventTypes.RunSucceeded, journal[^1].Type);
        Assert.Equal(journal.Count, journal.Select(e => e.EventId).Distinct(StringComparer.Ordinal).Count());
        var completed = journal.Where(e => e.Type == TraceEventTypes.AgentCompleted).Select(e => $"{e.Module}/{e.Agent}");
        Assert.Equal(run.Tasks.Select(t => t.Id).Order(StringComparer.Ordinal), completed.Order(StringComparer.Ordinal));

        var succeeded = await cluster.WithOutputAsync(output, FirstSummaryAsync(tenantWatch, s => s.RunId == runId && s.Status == V1.RunStatus.Succeeded, timeout.Token));
        Assert.Equal(journal.Count, succeeded.EventCount);

        // The events travelled through the database's queues, and none was given up on.
        Assert.True(await CountAsync(cluster.DataSource, "select count(*) from factory_orleans_stream_control where provider_id = 'factory'") > 0,
            "no receiver ever read a stream queue in PostgreSQL");
        Assert.Equal(0, await CountAsync(cluster.DataSource, "select count(*) from factory_orleans_stream_dead_letter"));
        output.WriteLine($"run {runId}: {journal.Count} events journaled and watched");
    }

    [Fact]
    public async Task TheStreamStatementsQueueTakeConfirmReleaseAndBuryMessagesByTheirReceipts()
    {
        await using var dataSource = NpgsqlDataSource.Create(await server.CreateDatabaseAsync());
        await FactorySchema.ApplyAsync(dataSource);
        var queries = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var select = dataSource.CreateCommand("select QueryKey, QueryText from OrleansQuery"))
        await using (var reader = await select.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                queries[reader.GetString(0)] = reader.GetString(1);
            }
        }

        var first = await QueueAsync("one"u8.ToArray());
        var second = await QueueAsync("two"u8.ToArray());
        Assert.True(first < second, "message ids do not grow in queueing order");
        await QueueAsync("elsewhere"u8.ToArray(), queue: "q2");

        // Taken in id order, each on its first attempt, then hidden for the visibility timeout.
        var taken = await TakeAsync();
        Assert.Equal([(first, 1, "one"), (second, 1, "two")], taken);
        Assert.Empty(await TakeAsync());

        // A confirmation must match the attempt; it deletes the message once.
        Assert.Empty(await ConfirmAsync($"{first}:2"));
        Assert.Equal([first], await ConfirmAsync($"{first}:1"));
        Assert.Empty(await ConfirmAsync($"{first}:1"));

        // A negative receipt releases the message for redelivery at once, on its next attempt.
        Assert.Equal([second], await ConfirmAsync($"{second}:-1"));
        Assert.Equal([(second, 2, "two")], await TakeAsync());

        // Out of attempts (2), a failed delivery moves the message to the dead letters.
        await using (var fail = Command("FailStreamMessageKey"))
        {
            fail.Parameters.AddWithValue("MessageId", second);
            fail.Parameters.AddWithValue("MaxAttempts", 2);
            fail.Parameters.AddWithValue("RemovalTimeout", 60);
            await fail.ExecuteNonQueryAsync();
        }

        Assert.Equal(0, await CountAsync(dataSource, "select count(*) from factory_orleans_stream_message where queue_id = 'q1'"));
        Assert.Equal(1, await CountAsync(dataSource, $"select count(*) from factory_orleans_stream_dead_letter where message_id = {second}"));
        Assert.Equal(1, await CountAsync(dataSource, "select count(*) from factory_orleans_stream_message where queue_id = 'q2'"));

        async Task<long> QueueAsync(byte[] payload, string queue = "q1")
        {
            await using var command = Command("QueueStreamMessageKey", queue);
            command.Parameters.AddWithValue("Payload", payload);
            command.Parameters.AddWithValue("ExpiryTimeout", 600);
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            return (long)reader["MessageId"];
        }

        async Task<List<(long, int, string)>> TakeAsync()
        {
            await using var command = Command("GetStreamMessagesKey");
            command.Parameters.AddWithValue("MaxCount", 10);
            command.Parameters.AddWithValue("MaxAttempts", 2);
            command.Parameters.AddWithValue("VisibilityTimeout", 60);
            command.Parameters.AddWithValue("RemovalTimeout", 60);
            command.Parameters.AddWithValue("EvictionInterval", 10);
            command.Parameters.AddWithValue("EvictionBatchSize", 100);
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<(long, int, string)>();
            while (await reader.ReadAsync())
            {
                rows.Add(((long)reader["MessageId"], (int)reader["Dequeued"], System.Text.Encoding.UTF8.GetString((byte[])reader["Payload"])));
            }

            return [.. rows.OrderBy(r => r.Item1)];
        }

        async Task<List<long>> ConfirmAsync(string items)
        {
            await using var command = Command("ConfirmStreamMessagesKey");
            command.Parameters.AddWithValue("Items", items);
            await using var reader = await command.ExecuteReaderAsync();
            var ids = new List<long>();
            while (await reader.ReadAsync())
            {
                ids.Add((long)reader["MessageId"]);
            }

            return ids;
        }

        NpgsqlCommand Command(string key, string queue = "q1")
        {
            var command = dataSource.CreateCommand(queries[key]);
            command.Parameters.AddWithValue("ServiceId", "svc");
            command.Parameters.AddWithValue("ProviderId", "factory");
            command.Parameters.AddWithValue("QueueId", queue);
            return command;
        }
    }

    private static async Task<V1.RunSummary> FirstSummaryAsync(AsyncServerStreamingCall<V1.RunSummary> call, Func<V1.RunSummary, bool> match, CancellationToken cancellationToken)
    {
        await foreach (var summary in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            if (match(summary))
            {
                return summary;
            }
        }

        throw new InvalidOperationException("the tenant's watch ended before the summary arrived");
    }

    private static async Task<long> JournalRowsAsync(NpgsqlDataSource dataSource, string runId)
    {
        await using var command = dataSource.CreateCommand("select count(*) from factory_journal where run_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = runId });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<long> CountAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
