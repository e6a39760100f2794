using Factory.Grains.Agents;
using Factory.Grains.Gates;
using Factory.Grains.Journal;
using Factory.Grains.Skills;
using Factory.Grains.Storage;
using Factory.Grains.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Factory.Grains.Runtime;

/// <summary>Registers the agent runtime's services in a silo.</summary>
public static class FactoryRuntimeServiceCollectionExtensions
{
    /// <summary>
    /// Adds the template pack, skill executor, artifact store, journal, blueprint cache and
    /// instruments. Storage implementations already registered (PostgreSQL mode) are kept.
    /// </summary>
    public static IServiceCollection AddFactoryRuntime(this IServiceCollection services, Action<FactoryRuntimeOptions>? configure = null)
    {
        var options = services.AddOptions<FactoryRuntimeOptions>().BindConfiguration(FactoryRuntimeOptions.Section).ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FactoryRuntimeOptions>, FactoryRuntimeOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<FactoryInstruments>();
        services.TryAddSingleton<ITemplatePack>(sp =>
        {
            var path = sp.GetRequiredService<IOptions<FactoryRuntimeOptions>>().Value.TemplatePackPath;
            return path is null ? TemplatePack.LoadEmbedded() : TemplatePack.LoadFromDirectory(path);
        });
        services.TryAddSingleton<ISkillExecutor>(sp => new ScribanSkillExecutor(sp.GetRequiredService<ITemplatePack>()));
        services.TryAddSingleton<SkillKernels>();
        services.AddFactoryGates();
        services.TryAddSingleton<GateStep>();
        services.TryAddSingleton<IArtifactStore>(sp =>
            new FileSystemArtifactStore(sp.GetRequiredService<IOptions<FactoryRuntimeOptions>>().Value.ArtifactsPath));
        services.TryAddSingleton<IRunJournal, MemoryRunJournal>();
        services.TryAddSingleton<BlueprintCache>();
        services.AddHostedService<FactoryRuntimeStartupCheck>();
        return services;
    }
}
