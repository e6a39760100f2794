using System.Net;
using Factory.Gateway.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Orleans.Dashboard;

namespace Factory.Silo;

/// <summary>The silo's operator endpoint: Prometheus metrics and the Orleans dashboard on an HTTP port of their own.</summary>
public static class FactoryObservabilityHostingExtensions
{
    /// <summary>
    /// From <c>Factory:Observability</c> (validated at once and at start-up): Kestrel listens on its <c>Url</c>
    /// (HTTP/1.1), the <c>Factory</c> meter (with Orleans', ASP.NET Core's and the runtime's) is exported for
    /// Prometheus, and the Orleans dashboard's services are added to the silo. Call after
    /// <see cref="FactorySiloHostingExtensions.AddFactorySilo"/>; <see cref="MapFactoryObservability"/> maps the endpoints.
    /// </summary>
    public static WebApplicationBuilder AddFactoryObservability(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<FactoryObservabilityOptions>().BindConfiguration(FactoryObservabilityOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<FactoryObservabilityOptions>, FactoryObservabilityOptionsValidator>();
        var options = builder.Configuration.GetSection(FactoryObservabilityOptions.Section).Get<FactoryObservabilityOptions>() ?? new FactoryObservabilityOptions();
        var validation = new FactoryObservabilityOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(FactoryObservabilityOptions.Section, typeof(FactoryObservabilityOptions), validation.Failures);
        }

        if (!FactoryObservabilityOptionsValidator.TryParseUrl(options.Url, out var url))
        {
            return builder; // turned off
        }

        var port = url.Port == 0 ? FactorySiloHostingExtensions.FreeTcpPort() : url.Port;
        builder.Services.AddSingleton(new FactoryObservabilityEndpoint(new UriBuilder(url) { Port = port }.Uri));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            Action<ListenOptions> http1 = listen => listen.Protocols = HttpProtocols.Http1;
            if (url.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6)
            {
                kestrel.Listen(IPAddress.Parse(url.Host.Trim('[', ']')), port, http1);
            }
            else
            {
                kestrel.ListenLocalhost(port, http1);
            }
        });

        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddFactoryMetrics().AddPrometheusExporter());
        if (options.Dashboard)
        {
            builder.UseOrleans(silo => silo.AddDashboard());
        }

        return builder;
    }

    /// <summary>
    /// Maps <c>MetricsPath</c> (Prometheus text format) and, when on, the Orleans dashboard at <c>DashboardPath</c>
    /// behind the operator's credential (<see cref="OperatorOnlyEndpointFilter"/>); both answer only on the
    /// observability port.
    /// </summary>
    public static WebApplication MapFactoryObservability(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var endpoint = app.Services.GetService<FactoryObservabilityEndpoint>();
        if (endpoint is null)
        {
            return app;
        }

        var options = app.Services.GetRequiredService<IOptions<FactoryObservabilityOptions>>().Value;
        app.MapPrometheusScrapingEndpoint(options.MetricsPath).AddEndpointFilter(endpoint.OnlyHere);
        if (options.Dashboard)
        {
            app.MapOrleansDashboard(options.DashboardPath)
                .AddEndpointFilter(endpoint.OnlyHere)
                .AddEndpointFilter<OperatorOnlyEndpointFilter>();
        }

        return app;
    }
}

/// <summary>Where the silo's observability endpoint listens (its port chosen at start-up when 0 was configured).</summary>
/// <param name="Url">The base URL, e.g. <c>http://127.0.0.1:9464/</c>.</param>
public sealed record FactoryObservabilityEndpoint(Uri Url)
{
    /// <summary>Answers 404 unless the request came in on the observability port (the gateway's port does not serve these paths).</summary>
    internal async ValueTask<object?> OnlyHere(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.Connection.LocalPort == Url.Port ? await next(context) : Results.NotFound();
}
