using System.Net;
using Factory.Gateway.Errors;
using Factory.Gateway.Security;
using Factory.Gateway.Services;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Factory.Gateway;

/// <summary>Hosts the <c>factory.v1</c> gRPC API, co-hosted in a silo or in a process of its own.</summary>
public static class FactoryGatewayHostingExtensions
{
    /// <summary>
    /// Adds the gRPC API from the <c>Factory:Gateway</c> section (validated at once and at start-up):
    /// Kestrel on the configured URLs (HTTP/2 cleartext), the services, the authentication and
    /// error-mapping interceptors, the request size limit, health and reflection. The host must provide
    /// an Orleans <see cref="IClusterClient"/>: a silo does; a standalone process adds
    /// <see cref="AddFactoryClusterClient"/>.
    /// </summary>
    public static WebApplicationBuilder AddFactoryGateway(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<FactoryGatewayOptions>().BindConfiguration(FactoryGatewayOptions.Section).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FactoryGatewayOptions>, FactoryGatewayOptionsValidator>());

        // Kestrel and gRPC are configured at build time, so read (and check) the settings now too.
        var options = builder.Configuration.GetSection(FactoryGatewayOptions.Section).Get<FactoryGatewayOptions>() ?? new FactoryGatewayOptions();
        var validation = new FactoryGatewayOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(FactoryGatewayOptions.Section, typeof(FactoryGatewayOptions), validation.Failures);
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var url in options.ParsedUrls())
            {
                Action<ListenOptions> http2 = listen => listen.Protocols = HttpProtocols.Http2;
                if (url.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6)
                {
                    kestrel.Listen(IPAddress.Parse(url.Host.Trim('[', ']')), url.Port, http2);
                }
                else
                {
                    kestrel.ListenLocalhost(url.Port, http2);
                }
            }
        });

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<ApiKeyAuthenticator>();
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxReceiveMessageSize;
            grpc.EnableDetailedErrors = false;
            grpc.Interceptors.Add<ExceptionMappingInterceptor>();
            grpc.Interceptors.Add<AuthenticationInterceptor>();
        });
        builder.Services.AddGrpcHealthChecks().AddCheck<ClusterHealthCheck>(ClusterHealthCheck.Name);
        builder.Services.AddGrpcReflection();
        return builder;
    }

    /// <summary>Maps the Runs, Blueprints and Operators services, gRPC health and server reflection, behind the request size limit.</summary>
    public static WebApplication MapFactoryGateway(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<MessageSizeLimitMiddleware>();
        app.MapGrpcService<RunsService>();
        app.MapGrpcService<BlueprintsService>();
        app.MapGrpcService<OperatorsService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }

    /// <summary>
    /// OpenTelemetry for the gateway: traces of its requests (ASP.NET Core and gRPC, tagged with the caller's
    /// <c>factory.tenant</c>) and of its Orleans calls (<c>Microsoft.Orleans.*</c>), and request metrics; exported
    /// over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (nothing is collected otherwise).
    /// </summary>
    public static WebApplicationBuilder AddFactoryGatewayTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointKey]))
        {
            return builder;
        }

        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing
                .AddSource(OrleansSources)
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/grpc.health.v1.Health", StringComparison.Ordinal)))
            .WithMetrics(metrics => metrics.AddMeter(OrleansMeter).AddAspNetCoreInstrumentation())
            .UseOtlpExporter();
        return builder;
    }

    /// <summary>The setting that turns OTLP export on (the OpenTelemetry SDK's own variable).</summary>
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Orleans' activity sources.</summary>
    public const string OrleansSources = "Microsoft.Orleans.*";

    /// <summary>Orleans' meter.</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>
    /// Joins the cluster as an Orleans client (a standalone gateway): localhost clustering on the silos'
    /// <c>Factory:GatewayPort</c> in embedded mode, or the silos' membership table when <c>Factory:Mode</c> is
    /// <c>Postgres</c> (<c>Factory:Postgres:ConnectionString</c>, <c>Factory:ClusterId</c>, <c>Factory:ServiceId</c>),
    /// with the stream provider the silos use (<c>Factory:Streams:Provider</c>: memory, or ADO.NET on their database).
    /// Settings are checked first; a bad one stops the host naming it.
    /// </summary>
    public static WebApplicationBuilder AddFactoryClusterClient(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<FactoryClusterClientOptions>().BindConfiguration(FactoryClusterClientOptions.Section).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FactoryClusterClientOptions>, FactoryClusterClientOptionsValidator>());
        var options = builder.Configuration.GetSection(FactoryClusterClientOptions.Section).Get<FactoryClusterClientOptions>() ?? new FactoryClusterClientOptions();
        var validation = new FactoryClusterClientOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(FactoryClusterClientOptions.Section, typeof(FactoryClusterClientOptions), validation.Failures);
        }

        builder.UseOrleansClient(client =>
        {
            if (options.Mode == ClusterClientMode.Postgres)
            {
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = options.ClusterId;
                    o.ServiceId = options.ServiceId;
                });
                client.UseAdoNetClustering(o =>
                {
                    o.Invariant = "Npgsql";
                    o.ConnectionString = options.Postgres.ConnectionString;
                });
            }
            else
            {
                client.UseLocalhostClustering(options.GatewayPort, options.ServiceId, options.ClusterId);
            }

            if (options.Streams.Provider == ClusterClientStreamProvider.AdoNet)
            {
                client.AddAdoNetStreams(FactoryNames.StreamProvider, o =>
                {
                    o.Invariant = "Npgsql";
                    o.ConnectionString = options.Postgres.ConnectionString;
                });
            }
            else
            {
                client.AddMemoryStreams(FactoryNames.StreamProvider);
            }

            if (!string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointKey]))
            {
                client.AddActivityPropagation(); // grain calls join the request's trace
            }
        });
        return builder;
    }
}
