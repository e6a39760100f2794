using System.Collections.Concurrent;
using Factory.Grains.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Orleans.TestingHost;

namespace Factory.Testing;

/// <summary>
/// A real in-process Orleans cluster (two silos by default) with Factory's runtime on the memory
/// providers, sharing one artifact folder on disk.
/// </summary>
public sealed class FactoryCluster : IAsyncDisposable
{
    private const string ArtifactsKey = "Factory:Runtime:ArtifactsPath";
    private const string TemplatesKey = "Factory:Runtime:TemplatePackPath";
    private const string DefaultEditionKey = "Factory:DefaultEdition";
    private const string SharedStoresKey = "Factory:Testing:SharedStores";
    private const string RedrivePeriodKey = "Factory:Runtime:RedrivePeriod";
    private const string CaptureLogsKey = "Factory:Testing:CaptureLogs";

    /// <summary>Setting that makes each run's first <c>OnRunEndedAsync</c> report to its tenant fail, as when the tenant's silo has just died.</summary>
    public const string FailFirstRunEndedKey = "Factory:Testing:FailFirstRunEnded";

    private FactoryCluster(TestCluster cluster, string artifactsPath)
    {
        Cluster = cluster;
        ArtifactsPath = artifactsPath;
    }

    public TestCluster Cluster { get; }

    public IClusterClient Client => Cluster.Client;

    public string ArtifactsPath { get; }

    /// <summary>What every silo logged (through its logging pipeline, redaction included), when started with <c>captureLogs</c>.</summary>
    public IReadOnlyList<FakeLogRecord> SiloLogs() =>
        [.. Cluster.Silos.OfType<InProcessSiloHandle>()
            .Select(s => s.SiloHost.Services.GetService<FakeLogCollector>())
            .Where(c => c is not null)
            .SelectMany(c => c!.GetSnapshot())];

    /// <summary>
    /// Starts the cluster. Tenants never created get the enterprise edition (the shared tests act as one busy
    /// tenant) unless <paramref name="settings"/> says otherwise; <paramref name="settings"/> adds configuration.
    /// With <paramref name="survivesSiloLoss"/>, grain state, reminders and the journal are kept in
    /// <see cref="SharedMemoryStores"/> that outlive any one silo (as a database would), so a silo can be killed,
    /// and a <c>Factory:Runtime:RedrivePeriod</c> below a minute is allowed for reminders.
    /// </summary>
    public static async Task<FactoryCluster> StartAsync(short silos = 2, string? templatePackPath = null, IReadOnlyDictionary<string, string?>? settings = null,
        bool survivesSiloLoss = false, bool captureLogs = false)
    {
        var artifacts = Directory.CreateTempSubdirectory("factory-artifacts-").FullName;
        var sharedStores = survivesSiloLoss ? "cluster-" + Guid.NewGuid().ToString("N") : null;
        var builder = new TestClusterBuilder(silos);
        var configuration = new Dictionary<string, string?>
        {
            [ArtifactsKey] = artifacts,
            [TemplatesKey] = templatePackPath,
            [DefaultEditionKey] = "enterprise",
            [SharedStoresKey] = sharedStores,
            [CaptureLogsKey] = captureLogs ? "true" : null,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(configuration));
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddSiloBuilderConfigurator<LogCaptureConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new FactoryCluster(cluster, artifacts) { _sharedStores = sharedStores };
    }

    private string? _sharedStores;

    /// <summary>The run journal every silo shares, when the cluster was started to survive the loss of a silo.</summary>
    public Grains.Journal.IRunJournal? SharedJournal => _sharedStores is null ? null : SharedMemoryStores.For(_sharedStores).Journal;

    /// <summary>The reminder table every silo shares, when the cluster was started to survive the loss of a silo.</summary>
    public IReminderTable? SharedReminders => _sharedStores is null ? null : SharedMemoryStores.For(_sharedStores).Reminders;

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        if (_sharedStores is not null)
        {
            SharedMemoryStores.Release(_sharedStores);
        }

        try
        {
            Directory.Delete(ArtifactsPath, recursive: true);
        }
        catch (IOException)
        {
            // A silo still closing a file; the temp folder is cleaned by the OS.
        }
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            if (siloBuilder.Configuration[SharedStoresKey] is { Length: > 0 } shared)
            {
                SharedMemoryStores.For(shared).AddTo(siloBuilder, FactoryNames.GrainStorage, "PubSubStore");
                if (siloBuilder.Configuration.GetValue<TimeSpan?>(RedrivePeriodKey) is { } period)
                {
                    siloBuilder.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = period);
                }
            }
            else
            {
                siloBuilder.AddMemoryGrainStorage(FactoryNames.GrainStorage);
                siloBuilder.AddMemoryGrainStorage("PubSubStore");
                siloBuilder.UseInMemoryReminderService();
            }

            if (siloBuilder.Configuration.GetValue<bool>(FailFirstRunEndedKey))
            {
                siloBuilder.Services.AddSingleton<IIncomingGrainCallFilter, FailFirstRunEndedFilter>();
            }

            siloBuilder.AddFactoryMemoryStreams();
            siloBuilder.Services.AddFactoryRuntime();
        }
    }

    /// <summary>Fails the first end-of-run report each run makes to its tenant, with the error a dead silo gives.</summary>
    private sealed class FailFirstRunEndedFilter : IIncomingGrainCallFilter
    {
        private static readonly ConcurrentDictionary<string, bool> Failed = new(StringComparer.Ordinal);

        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod?.Name == nameof(ITenantGrain.OnRunEndedAsync) && context.Request.GetArgument(0) is RunEnded ended
                && Failed.TryAdd(ended.RunId, true))
            {
                throw new SiloUnavailableException($"The tenant's silo became unavailable (injected for run {ended.RunId}).");
            }

            return context.Invoke();
        }
    }

    /// <summary>Keeps every log record of a silo in a <see cref="FakeLogCollector"/> when the cluster was asked to.</summary>
    private sealed class LogCaptureConfigurator : IHostConfigurator
    {
        public void Configure(Microsoft.Extensions.Hosting.IHostBuilder hostBuilder) =>
            hostBuilder.ConfigureServices((context, services) =>
            {
                if (context.Configuration.GetValue<bool>(CaptureLogsKey))
                {
                    services.AddFakeLogging(o => o.CollectRecordsForDisabledLogLevels = false);
                }
            });
    }

    /// <summary>Clients (a gateway) subscribe to the same memory streams.</summary>
    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.AddMemoryStreams(FactoryNames.StreamProvider);
    }
}

/// <summary>One cluster shared by the tests of a class.</summary>
public sealed class FactoryClusterFixture : Xunit.IAsyncLifetime
{
    private FactoryCluster? _cluster;

    public FactoryCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not started.");

    public async Task InitializeAsync() => _cluster = await FactoryCluster.StartAsync();

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
