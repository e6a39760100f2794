using System.Net;
using System.Net.Sockets;
using Factory.Grains.Agents;
using Factory.Grains.Journal;
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
using OpenTelemetry;

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
        builder.UseOrleans(silo =>
        {
            // Ended runs' many agent and module grains leave memory soon rather than after Orleans' 15 minutes.
            silo.Configure<GrainCollectionOptions>(o =>
            {
                o.ClassSpecificCollectionAge[typeof(AgentGrain).FullName!] = host.IdleCollectionAge;
                o.ClassSpecificCollectionAge[typeof(ModuleGrain).FullName!] = host.IdleCollectionAge;
                o.ClassSpecificCollectionAge[typeof(RunGrain).FullName!] =
                    host.IdleCollectionAge > FactoryHostOptions.MinRunGrainCollectionAge ? host.IdleCollectionAge : FactoryHostOptions.MinRunGrainCollectionAge;
            });
            switch (host.Mode)
            {
                case StorageMode.Embedded:
                    silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: host.ServiceId, clusterId: host.ClusterId);
                    silo.AddMemoryGrainStorage(FactoryNames.GrainStorage);
                    silo.AddMemoryGrainStorage("PubSubStore");
                    silo.AddMemoryStreams(FactoryNames.StreamProvider);
                    silo.UseInMemoryReminderService();
                    break;
                case StorageMode.Postgres:
                    var connectionString = host.Postgres.ConnectionString ?? "";
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
                    silo.AddMemoryStreams(FactoryNames.StreamProvider);
                    break;
            }
        });

        if (host.Mode == StorageMode.Postgres)
        {
            builder.Services.AddPostgresStorage(host.Postgres.ConnectionString ?? "");
        }

        builder.Services.AddSingleton<IOutgoingGrainCallFilter, StreamEnqueueRetryFilter>();
        builder.Services.AddFactoryRuntime(configureRuntime);
        builder.AddFactoryTelemetry();
        return builder;
    }

    /// <summary>Traces (Factory and Orleans sources) and metrics; OTLP export when an endpoint is configured.</summary>
    public static IHostApplicationBuilder AddFactoryTelemetry(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var endpoint = builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return builder; // nobody to export to: no listener, so spans cost nothing
        }

        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource(FactoryTelemetry.SourceName, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"))
            .WithMetrics(metrics => metrics.AddMeter(FactoryTelemetry.SourceName, "Microsoft.Orleans"))
            .UseOtlpExporter();
        return builder;
    }

    private const string PostgresInvariant = "Npgsql";

    /// <summary>
    /// The database, the journal and the artifact store on it, and the start-up step that applies the schema
    /// (before the silo joins, so the providers find their tables and queries).
    /// </summary>
    private static void AddPostgresStorage(this IServiceCollection services, string connectionString)
    {
        services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        // Watchers of live runs read each event right after it is appended: serve those reads from memory.
        services.AddSingleton<IRunJournal>(sp => new TailCachingRunJournal(ActivatorUtilities.CreateInstance<PostgresRunJournal>(sp)));
        services.AddSingleton<IArtifactStore, PostgresArtifactStore>();
        services.AddHostedService<PostgresSchemaStartup>();
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
