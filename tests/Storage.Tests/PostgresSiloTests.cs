using System.Net;
using System.Net.Sockets;
using Factory.Blueprints;
using Factory.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Factory.Storage.Tests;

/// <summary>Silos in <c>Factory:Mode=Postgres</c>: a whole run on the database, surviving a restart of the host.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSiloTests(PostgresServer server)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task ARunSucceedsOnPostgresAndItsStateSurvivesARestartOfTheHost()
    {
        var connectionString = await server.CreateDatabaseAsync();
        var blueprint = BlueprintLoader.LoadFile(RepositoryPaths.Sample("todo-service.yaml"));
        Assert.True(blueprint.IsValid, string.Join(Environment.NewLine, blueprint.Problems));

        string runId;
        RunSnapshot before;
        using (var first = await StartSiloAsync(connectionString))
        {
            var client = first.Services.GetRequiredService<IClusterClient>();
            var submission = await client.GetGrain<ITenantGrain>(FactoryNames.DefaultTenant)
                .SubmitRunAsync(new RunRequest { BlueprintJson = blueprint.CanonicalJson! });
            runId = submission.RunId;
            using (var timeout = new CancellationTokenSource(RunTimeout))
            {
                await foreach (var _ in client.GetGrain<IRunGrain>(runId).WatchAsync(0, timeout.Token))
                {
                }
            }

            before = await client.GetGrain<IRunGrain>(runId).GetSnapshotAsync();
            Assert.Equal(RunStatus.Succeeded, before.Status);
            Assert.NotEmpty(before.Artifacts);
            await first.StopAsync();
        }

        // The journal, straight from its table: sequences 0..n-1, the last one the run's success.
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var sequences = new List<long>();
        string lastEvent = "";
        await using (var select = dataSource.CreateCommand("select sequence, event->>'type' from factory_journal where run_id = $1 order by sequence"))
        {
            select.Parameters.Add(new NpgsqlParameter { Value = runId });
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                sequences.Add(reader.GetInt64(0));
                lastEvent = reader.IsDBNull(1) ? "" : reader.GetString(1);
            }
        }

        Assert.Equal(before.EventCount, sequences.Count);
        Assert.Equal(Enumerable.Range(0, sequences.Count).Select(i => (long)i), sequences);
        Assert.Equal(TraceEventTypes.RunSucceeded, lastEvent);

        // Every artifact of the run is a row of factory_artifacts with its size.
        foreach (var artifact in before.Artifacts)
        {
            await using var find = dataSource.CreateCommand("select size from factory_artifacts where sha256 = $1");
            find.Parameters.Add(new NpgsqlParameter { Value = artifact.Sha256 });
            Assert.Equal((long)artifact.Size, Assert.IsType<long>(await find.ExecuteScalarAsync()));
        }

        // Orleans kept its grain state and its membership there too.
        Assert.True(await CountAsync(dataSource, "select count(*) from factory_orleans_grain_state where payload is not null") > 0);
        Assert.Equal(1, await CountAsync(dataSource, "select count(*) from factory_orleans_silo"));

        // A new host on the same database: the run's state, artifacts and journal are still there.
        using var second = await StartSiloAsync(connectionString);
        var again = second.Services.GetRequiredService<IClusterClient>().GetGrain<IRunGrain>(runId);
        var after = await again.GetSnapshotAsync();
        Assert.Equal(RunStatus.Succeeded, after.Status);
        Assert.Equal(before.Artifacts.Select(a => (a.Path, a.Sha256)), after.Artifacts.Select(a => (a.Path, a.Sha256)));
        var journal = await again.ReadJournalAsync(0, 10_000);
        Assert.Equal(sequences, journal.Select(e => e.Sequence));
        Assert.Equal(TraceEventTypes.RunSucceeded, journal[^1].Type);
        Assert.Equal(2, await CountAsync(dataSource, "select count(*) from factory_orleans_silo"));
        await second.StopAsync();
    }

    [Fact]
    public async Task AnUnreachableServerStopsTheHostAtStartUpNamingTheSettingAndTheServer()
    {
        var port = FreePort();
        var connectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=factory;Timeout=5";
        var builder = SiloBuilder(connectionString);
        using var host = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync(timeout.Token));

        var messages = string.Join(Environment.NewLine, Flatten(ex).Select(e => e.Message));
        Assert.Contains("Factory:Postgres:ConnectionString", messages, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", messages, StringComparison.Ordinal);
    }

    [Fact]
    public void PostgresModeWithoutAConnectionStringFailsNamingTheSetting()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Factory:Mode"] = "Postgres" });

        var ex = Assert.ThrowsAny<Exception>(() => builder.AddFactorySilo());

        Assert.Contains("Factory:Postgres:ConnectionString is required", ex.Message, StringComparison.Ordinal);
    }

    private static async Task<IHost> StartSiloAsync(string connectionString)
    {
        var host = SiloBuilder(connectionString).Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await host.StartAsync(timeout.Token);
        return host;
    }

    private static HostApplicationBuilder SiloBuilder(string connectionString)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Factory:Mode"] = "Postgres",
            ["Factory:Postgres:ConnectionString"] = connectionString,
            ["Factory:SiloPort"] = "0",
            ["Factory:GatewayPort"] = "0",
        });
        builder.AddFactorySilo();
        return builder;
    }

    private static async Task<long> CountAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return Assert.IsType<long>(await command.ExecuteScalarAsync());
    }

    private static IEnumerable<Exception> Flatten(Exception ex)
    {
        yield return ex;
        var inner = ex is AggregateException aggregate ? aggregate.InnerExceptions : (IEnumerable<Exception>)(ex.InnerException is null ? [] : [ex.InnerException]);
        foreach (var e in inner.SelectMany(Flatten))
        {
            yield return e;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
