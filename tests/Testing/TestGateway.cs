using Factory.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Factory.Testing;

/// <summary>The gateway on Kestrel at a free loopback port (HTTP/2 cleartext), as an Orleans client of a test cluster.</summary>
public sealed class TestGateway : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestGateway(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The host's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Where it listens, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Url { get; }

    /// <summary>
    /// Starts a gateway for <paramref name="client"/>'s cluster; <paramref name="operatorKeySha256"/> null
    /// leaves the Operators service off; <paramref name="settings"/> adds configuration; <paramref name="configure"/>
    /// adds services (a log collector, telemetry) before the host is built.
    /// </summary>
    public static async Task<TestGateway> StartAsync(IClusterClient client, string? operatorKeySha256, IReadOnlyDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        var configuration = new Dictionary<string, string?>
        {
            ["Factory:Gateway:Urls"] = "http://127.0.0.1:0",
            ["Factory:Gateway:OperatorKeySha256"] = operatorKeySha256,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Services.AddSingleton(client);
        builder.Services.AddSingleton<IGrainFactory>(client);
        builder.AddFactoryGateway();
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapFactoryGateway();
        await app.StartAsync();
        return new TestGateway(app, app.Urls.Single());
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
