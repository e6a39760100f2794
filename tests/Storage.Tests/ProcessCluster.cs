using System.Security.Cryptography;
using System.Text;
using Factory.Storage.Postgres;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Configuration;
using Xunit.Abstractions;
using V1 = Factory.Gateway.V1;

namespace Factory.Storage.Tests;

/// <summary>
/// Silo processes in <c>Factory:Mode=Postgres</c> on one fresh database and cluster id, each co-hosting the gRPC
/// gateway; tenants through the Operators service; runs submitted and watched over gRPC; the journal read back
/// from its table. Every process is killed on dispose.
/// </summary>
public sealed class ProcessCluster : IAsyncDisposable
{
    public const string OperatorKey = "operator-key-for-process-tests-0123456789";
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    private readonly List<FactoryProcess> _silos = [];
    private readonly List<GrpcChannel> _channels = [];

    private ProcessCluster(string connectionString, string clusterId, string redrivePeriod, string streamProvider)
    {
        ConnectionString = connectionString;
        ClusterId = clusterId;
        RedrivePeriod = redrivePeriod;
        StreamProvider = streamProvider;
        DataSource = NpgsqlDataSource.Create(connectionString);
        Journal = new PostgresRunJournal(DataSource);
    }

    public string ConnectionString { get; }

    public string ClusterId { get; }

    public string RedrivePeriod { get; }

    /// <summary>Every process's <c>Factory:Streams:Provider</c>.</summary>
    public string StreamProvider { get; }

    public NpgsqlDataSource DataSource { get; }

    public PostgresRunJournal Journal { get; }

    public IReadOnlyList<FactoryProcess> Silos => _silos;

    /// <summary>
    /// A cluster on <paramref name="connectionString"/> (a fresh database) with a fresh cluster id, its processes using
    /// the stream provider <paramref name="streamProvider"/>; no silo started yet.
    /// </summary>
    public static ProcessCluster On(string connectionString, string redrivePeriod = "00:00:05", string streamProvider = "Memory") =>
        new(connectionString, "c" + Guid.NewGuid().ToString("N")[..12], redrivePeriod, streamProvider);

    /// <summary>Adds a silo and starts it (waiting for its health to answer SERVING).</summary>
    public Task<FactoryProcess> StartSiloAsync(string name) => StartAsync(name, FactoryProcess.SiloAssembly);

    /// <summary>Adds a standalone gateway (an Orleans client finding the silos in the membership table) and starts it.</summary>
    public Task<FactoryProcess> StartGatewayAsync(string name) => StartAsync(name, FactoryProcess.GatewayAssembly);

    private async Task<FactoryProcess> StartAsync(string name, string assembly)
    {
        var silo = new FactoryProcess(name, new Dictionary<string, string>
        {
            ["Factory:Mode"] = "Postgres",
            ["Factory:Postgres:ConnectionString"] = ConnectionString,
            ["Factory:ClusterId"] = ClusterId,
            ["Factory:ServiceId"] = ClusterId,
            ["Factory:Gateway:OperatorKeySha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(OperatorKey))),
            ["Factory:Runtime:RedrivePeriod"] = RedrivePeriod,
            ["Factory:Streams:Provider"] = StreamProvider,
            ["Factory:DefaultEdition"] = "enterprise",
        }, assembly);
        _silos.Add(silo);
        await silo.StartAsync(StartTimeout);
        return silo;
    }

    /// <summary>A channel to <paramref name="silo"/>'s gRPC API.</summary>
    public GrpcChannel Channel(FactoryProcess silo)
    {
        var channel = GrpcChannel.ForAddress(silo.Url, new GrpcChannelOptions { MaxReceiveMessageSize = null });
        _channels.Add(channel);
        return channel;
    }

    public static Metadata Bearer(string key) => new() { { "authorization", $"Bearer {key}" } };

    /// <summary>A new enterprise tenant and an API key of it, through the Operators service.</summary>
    public static async Task<Metadata> NewTenantAsync(GrpcChannel channel)
    {
        var operators = new V1.Operators.OperatorsClient(channel);
        var tenantId = "t" + Guid.NewGuid().ToString("N")[..12];
        await operators.CreateTenantAsync(new V1.CreateTenantRequest { TenantId = tenantId, Edition = "enterprise" }, Bearer(OperatorKey));
        var key = await operators.IssueApiKeyAsync(new V1.IssueApiKeyRequest { TenantId = tenantId }, Bearer(OperatorKey));
        return Bearer(key.Secret);
    }

    /// <summary>Submits <paramref name="count"/> runs of the sample <paramref name="blueprintFile"/>; returns their ids.</summary>
    public static async Task<List<string>> SubmitAsync(GrpcChannel channel, Metadata tenant, string blueprintFile, int count)
    {
        var yaml = await File.ReadAllTextAsync(RepositoryPaths.Sample(blueprintFile));
        var runs = new V1.Runs.RunsClient(channel);
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            ids.Add((await runs.SubmitRunAsync(new V1.SubmitRunRequest { Yaml = yaml }, tenant)).RunId);
        }

        return ids;
    }

    /// <summary>
    /// Watches a run from <paramref name="fromSequence"/> to its end as a client would: when the connection or the
    /// silo behind it goes away, it reconnects (to the channel <paramref name="channel"/> gives then) from its
    /// last sequence + 1. <paramref name="onEvent"/> sees each event as it arrives.
    /// </summary>
    public static async Task<WatchResult> WatchToEndAsync(Func<GrpcChannel> channel, Metadata tenant, string runId, long fromSequence,
        CancellationToken cancellationToken, Action<V1.TraceEvent>? onEvent = null)
    {
        var events = new List<V1.TraceEvent>();
        var reconnects = 0;
        var next = fromSequence;
        while (true)
        {
            try
            {
                using var call = new V1.Runs.RunsClient(channel()).WatchRun(new V1.WatchRunRequest { RunId = runId, FromSequence = next }, tenant, cancellationToken: cancellationToken);
                await foreach (var e in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    events.Add(e);
                    next = e.Sequence + 1;
                    onEvent?.Invoke(e);
                }

                return new WatchResult(events, reconnects);
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown or StatusCode.DeadlineExceeded
                                          && !cancellationToken.IsCancellationRequested)
            {
                reconnects++;
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken); // a client's back-off before reconnecting
            }
        }
    }

    /// <summary>The run's journal straight from <c>factory_journal</c>.</summary>
    public async Task<List<TraceEvent>> JournalAsync(string runId)
    {
        var all = new List<TraceEvent>();
        while (true)
        {
            var page = await Journal.ReadAsync(runId, all.Count, 500);
            all.AddRange(page);
            if (page.Count < 500)
            {
                return all;
            }
        }
    }

    /// <summary>Those of <paramref name="runIds"/> whose journal has no terminal event yet.</summary>
    public async Task<List<string>> InFlightAsync(IEnumerable<string> runIds)
    {
        var inFlight = new List<string>();
        foreach (var runId in runIds)
        {
            if (!(await JournalAsync(runId)).Any(e => e.IsTerminal))
            {
                inFlight.Add(runId);
            }
        }

        return inFlight;
    }

    /// <summary>Awaits <paramref name="task"/>; when it fails, the silos' recent output goes to <paramref name="output"/>.</summary>
    public async Task<T> WithOutputAsync<T>(ITestOutputHelper output, Task<T> task)
    {
        try
        {
            return await task;
        }
        catch
        {
            output.WriteLine(Output);
            throw;
        }
    }

    /// <summary>The rows of <c>factory_orleans_silo</c> of this cluster: (port, status).</summary>
    public async Task<List<(int Port, int Status)>> MembershipAsync()
    {
        await using var select = DataSource.CreateCommand("select port, status from factory_orleans_silo where cluster_id = $1 order by port");
        select.Parameters.Add(new NpgsqlParameter { Value = ClusterId });
        await using var reader = await select.ExecuteReaderAsync();
        var rows = new List<(int, int)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt32(0), reader.GetInt32(1)));
        }

        return rows;
    }

    /// <summary>An Orleans client of the cluster, through the membership table (as a standalone gateway would be).</summary>
    public async Task<IHost> ConnectClientAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = ClusterId;
                o.ServiceId = ClusterId;
            });
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = ConnectionString;
            });
        });
        var host = builder.Build();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await host.StartAsync(timeout.Token);
        return host;
    }

    /// <summary>The silo (its silo port) each activation of the grain class <paramref name="grainClass"/> is on, by grain key.</summary>
    public static async Task<Dictionary<string, int>> ActivationsAsync(IClusterClient client, string grainClass)
    {
        var statistics = await client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return statistics.Where(s => s.GrainType.Split(',')[0] == grainClass)
            .ToDictionary(s => s.GrainId.Key.ToString()!, s => s.SiloAddress.Endpoint.Port, StringComparer.Ordinal);
    }

    /// <summary>Every silo's recent output, for a failure message.</summary>
    public string Output => string.Join(Environment.NewLine, _silos.Select(s => s.Output));

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        await DataSource.DisposeAsync();
    }
}

/// <summary>What a watcher received, and how often it had to reconnect.</summary>
public sealed record WatchResult(List<V1.TraceEvent> Events, int Reconnects);
