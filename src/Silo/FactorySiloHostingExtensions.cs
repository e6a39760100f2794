using System.Net;
using System.Net.Sockets;
using Factory.Grains.Agents;
using Factory.Grains.Journal;
using Factory.Grains.Redaction;
using Factory.Grains.Runs;
using Factory.Grains.Runtime;
using Factory.Grains.Storage;
using Factory.Storage.Postgres;
using Factory.Grains.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Factory.Silo;

/// <summary>Hosts a Factory silo: Orleans with the providers the storage mode selects, the agent runtime and telemetry.</summary>
public static class FactorySiloHostingExtensions
{
    /// <summary>
    /// Adds an Orleans silo configured from the <c>Factory</c> section (validated at start-up),
    /// Factory's runtime services, and OpenTelemetry (exported over OTLP when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set).
    /// </summary>
    public static IHostApplicationBuilder AddFactorySilo(this IHostApplicationBuilder builder, Action<FactoryRuntimeOptions>? configureRuntime = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<FactoryHostOptions>().BindConfiguration(FactoryHostOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<FactoryHostOptions>, FactoryHostOptionsValidator>();

        // Orleans is configured at build time, so read (and check) the settings now too.
        var host = builder.Configuration.GetSection(FactoryHostOptions.Section).Get<FactoryHostOptions>() ?? new FactoryHostOptions();
        var validation = new FactoryHostOptionsValidator().Validate(null, host);
        if (validation.Failed)
        {
            throw new OptionsValidationException(FactoryHostOptions.Section, typeof(FactoryHostOptions), validation.Failures);
        }

        var siloPort = host.SiloPort == 0 ? FreeTcpPort() : host.SiloPort;
        var gatewayPort = host.GatewayPort == 0 ? FreeTcpPort() : host.GatewayPort;
        var redrivePeriod = builder.Configuration.GetSection(FactoryRuntimeOptions.Section).GetValue<TimeSpan?>(nameof(FactoryRuntimeOptions.RedrivePeriod));

        // Every connection the silo makes to PostgreSQL (Orleans' providers, the journal, the artifact store) uses this.
        var connectionString = host.Mode == StorageMode.Postgres ? PreparedStatements.Enable(host.Postgres.ConnectionString ?? "") : "";
        builder.UseOrleans(silo =>
        {
            if (redrivePeriod is { } period && period > TimeSpan.Zero)
            {
                // A run's re-drive reminder may tick more often than Orleans' default minimum period.
                silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = period < o.MinimumReminderPeriod ? period : o.MinimumReminderPeriod);
            }

            if (!string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointKey]))
            {
                silo.AddActivityPropagation(); // grain calls are traced, in the trace of whoever made them
            }

            // Ended runs' many agent and module grains leave memory soon rather than after Orleans' 15 minutes.
            silo.Configure<GrainCollectionOptions>(o =>
            {
                o.ClassSpecificCollectionAge[typeof(AgentGrain).FullName!] = host.IdleCollectionAge;
                o.ClassSpecificCollectionAge[typeof(ModuleGrain).FullName!] = host.IdleCollectionAge;
                o.ClassSpecificCollectionAge[typeof(RunGrain).FullName!] =
                    host.IdleCollectionAge > FactoryHostOptions.MinRunGrainCollectionAge ? host.IdleCollectionAge : FactoryHostOptions.MinRunGrainCollectionAge;
            });

            silo.Configure<GrainDirectoryOptions>(o => o.CacheSize = host.DirectoryCacheSize);

            switch (host.Mode)
            {
                case StorageMode.Embedded:
                    silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: host.ServiceId, clusterId: host.ClusterId);
                    // One process: grain state in its memory, read and written without a call to a storage grain.
                    var states = new ProcessMemoryGrainStorage.Store();
                    foreach (var storage in new[] { FactoryNames.GrainStorage, "PubSubStore" })
                    {
                        silo.Services.AddGrainStorage(storage, (sp, name) => new ProcessMemoryGrainStorage(states, name, sp.GetRequiredService<Serializer>()));
                    }

                    silo.AddFactoryMemoryStreams(host.Streams.PollInterval);
                    silo.AddReminders();
                    silo.Services.AddSingleton<IReminderTable, ProcessMemoryReminderTable>(); // no grain call per registration
                    break;
                case StorageMode.Postgres:
                    silo.Configure<ClusterOptions>(o =>
                    {
                        o.ClusterId = host.ClusterId;
                        o.ServiceId = host.ServiceId;
                    });
                    var advertised = IPAddress.Parse(host.AdvertisedAddress);
                    silo.ConfigureEndpoints(advertised, siloPort, gatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(advertised));
                    silo.UseAdoNetClustering(o =>
                    {
                        o.Invariant = PostgresInvariant;
                        o.ConnectionString = connectionString;
                    });
                    silo.AddAdoNetGrainStorage(FactoryNames.GrainStorage, o =>
                    {
                        o.Invariant = PostgresInvariant;
                        o.ConnectionString = connectionString;
                    });
                    silo.AddAdoNetGrainStorage("PubSubStore", o =>
                    {
                        o.Invariant = PostgresInvariant;
                        o.ConnectionString = connectionString;
                    });
                    silo.UseAdoNetReminderService(o =>
                    {
                        o.Invariant = PostgresInvariant;
                        o.ConnectionString = connectionString;
                    });
                    if (host.Streams.Provider == FactoryStreamProvider.AdoNet)
                    {
                        FactoryStreamProviders.Add((name, configure) => silo.AddAdoNetStreams(name, streams =>
                        {
                            streams.ConfigureAdoNet(o => o.Configure(a =>
                            {
                                a.Invariant = PostgresInvariant;
                                a.ConnectionString = connectionString;
                            }));
                            configure(streams);
                        }), host.Streams.PollInterval);
                    }
                    else
                    {
                        silo.AddFactoryMemoryStreams(host.Streams.PollInterval);
                    }

                    break;
            }
        });

        if (host.Mode == StorageMode.Postgres)
        {
            builder.Services.AddPostgresStorage(connectionString);
        }

        builder.Services.AddSingleton<IOutgoingGrainCallFilter, StreamEnqueueRetryFilter>();
        builder.Services.AddFactoryRuntime(configureRuntime);
        builder.AddFactoryTelemetry();
        return builder;
    }

    /// <summary>
    /// OpenTelemetry for the silo, exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set: traces (Factory's
    /// run, module, agent and skill spans; Orleans' <c>Microsoft.Orleans.*</c> sources, with grain calls traced;
    /// ASP.NET Core and gRPC requests when co-hosted), every span redacted by <see cref="RedactingActivityProcessor"/>
    /// before export; and metrics (the <c>Factory</c> meter, Orleans', ASP.NET Core's and the .NET runtime's).
    /// With no endpoint nothing listens, so spans cost nothing.
    /// </summary>
    public static IHostApplicationBuilder AddFactoryTelemetry(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointKey]))
        {
            return builder;
        }

        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddFactoryTracing())
            .WithMetrics(metrics => metrics.AddFactoryMetrics())
            .UseOtlpExporter();
        return builder;
    }

    /// <summary>Factory's and Orleans' sources, ASP.NET Core requests, and the redacting processor.</summary>
    public static TracerProviderBuilder AddFactoryTracing(this TracerProviderBuilder tracing)
    {
        ArgumentNullException.ThrowIfNull(tracing);
        return tracing
            .AddSource(FactoryTelemetry.SourceName, OrleansSources)
            .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/grpc.health.v1.Health", StringComparison.Ordinal))
            .AddProcessor(sp => new RedactingActivityProcessor(sp.GetRequiredService<ITraceRedactor>()));
    }

    /// <summary>The <c>Factory</c> meter, Orleans', ASP.NET Core's and the .NET runtime's.</summary>
    public static MeterProviderBuilder AddFactoryMetrics(this MeterProviderBuilder metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return metrics
            .AddMeter(FactoryTelemetry.SourceName, OrleansMeter)
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation();
    }

    /// <summary>The setting that turns OTLP export on (the OpenTelemetry SDK's own variable).</summary>
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Orleans' activity sources.</summary>
    public const string OrleansSources = "Microsoft.Orleans.*";

    /// <summary>Orleans' meter.</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    private const string PostgresInvariant = "Npgsql";

    /// <summary>
    /// The database, the journal and the artifact store on it, and the start-up step that applies the schema
    /// (before the silo joins, so the providers find their tables and queries).
    /// </summary>
    private static void AddPostgresStorage(this IServiceCollection services, string connectionString)
    {
        services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));

        // Factory's grain state is stored in Orleans' own binary format: its types are [GenerateSerializer] records
        // (immutable collections included) whose [Id]s keep stored state readable as they evolve.
        services.AddKeyedSingleton<IGrainStorageSerializer>(FactoryNames.GrainStorage,
            (sp, _) => new OrleansGrainStorageSerializer(sp.GetRequiredService<Orleans.Serialization.Serializer>()));
        services.AddSingleton<PostgresRunJournal>();
        services.AddSingleton<PostgresArtifactStore>();

        // Watchers of live runs read each event right after it is appended: those reads are served from memory.
        services.AddSingleton<IRunJournal>(sp => new TailCachingRunJournal(
            new RetryingRunJournal(sp.GetRequiredService<PostgresRunJournal>(), sp.GetRequiredService<StorageRetry>())));
        services.AddSingleton<IArtifactStore>(sp => RecentArtifactCache.InFrontOf(
            new RetryingArtifactStore(sp.GetRequiredService<PostgresArtifactStore>(), sp.GetRequiredService<StorageRetry>()),
            sp.GetRequiredService<IOptions<FactoryRuntimeOptions>>().Value.ArtifactCacheMegabytes ?? FactoryRuntimeOptions.DefaultDatabaseArtifactCacheMegabytes));
        services.AddHostedService<PostgresSchemaStartup>();
    }

    /// <summary>A TCP port free on loopback right now.</summary>
    internal static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
