using Factory.Grains.Skills;
using Factory.Grains.Storage;
using Factory.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Factory.Cli;

/// <summary>
/// A single-node silo inside the command's process, on the embedded storage mode (localhost
/// clustering on free ports, memory state, streams and reminders, artifacts on local disk).
/// </summary>
internal sealed class EmbeddedFactory : IAsyncDisposable
{
    private readonly IHost _host;

    private EmbeddedFactory(IHost host) => _host = host;

    /// <summary>The grain factory of the co-hosted client.</summary>
    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>The artifact store the silo writes to.</summary>
    public IArtifactStore Artifacts => _host.Services.GetRequiredService<IArtifactStore>();

    /// <summary>The template pack the silo's agents render, as <c>name@version</c>.</summary>
    public string TemplatePack
    {
        get
        {
            var pack = _host.Services.GetRequiredService<ITemplatePack>();
            return $"{pack.Name}@{pack.Version}";
        }
    }

    /// <summary>Builds and starts the silo.</summary>
    public static async Task<EmbeddedFactory> StartAsync(string? storePath, string? templatesPath, bool verbose, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{FactoryHostOptions.Section}:{nameof(FactoryHostOptions.Mode)}"] = nameof(StorageMode.Embedded),
            [$"{FactoryHostOptions.Section}:{nameof(FactoryHostOptions.SiloPort)}"] = "0",
            [$"{FactoryHostOptions.Section}:{nameof(FactoryHostOptions.GatewayPort)}"] = "0",
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddFilter((category, level) => level >= (verbose ? LogLevel.Information : LogLevel.Error));
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.AddFactorySilo(runtime =>
        {
            if (storePath is not null)
            {
                runtime.ArtifactsPath = Path.GetFullPath(storePath);
            }

            if (templatesPath is not null)
            {
                runtime.TemplatePackPath = Path.GetFullPath(templatesPath);
            }
        });

        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new EmbeddedFactory(host);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _host.StopAsync(timeout.Token);
        _host.Dispose();
    }
}
