using Factory.Grains.Skills;
using Factory.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Factory.Grains.Runtime;

/// <summary>
/// Loads the template pack and opens the artifact store when the host starts, so a broken
/// pack or an unusable store stops the host with its message instead of failing the first run.
/// </summary>
internal sealed class FactoryRuntimeStartupCheck(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetRequiredService<ITemplatePack>();
        _ = services.GetRequiredService<IArtifactStore>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
