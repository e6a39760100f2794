using System.Net;
using System.Net.Sockets;
using Factory.Grains.Runtime;
using Factory.Grains.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
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
            switch (host.Mode)
            {
                case StorageMode.Embedded:
                    silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: host.ServiceId, clusterId: host.ClusterId);
                    silo.AddMemoryGrainStorage(FactoryNames.GrainStorage);
                    silo.AddMemoryGrainStorage("PubSubStore");
                    silo.AddMemoryStreams(FactoryNames.StreamProvider);
                    silo.UseInMemoryReminderService();
                    break;
            }
        });

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

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
