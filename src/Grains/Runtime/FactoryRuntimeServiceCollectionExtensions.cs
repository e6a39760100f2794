using Factory.Grains.Agents;
using Factory.Grains.Gates;
using Factory.Grains.Journal;
using Factory.Grains.Redaction;
using Factory.Grains.Runs;
using Factory.Grains.Llm;
using Factory.Grains.Skills;
using Factory.Grains.Storage;
using Factory.Grains.Telemetry;
using Factory.Grains.Tenants;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Factory.Grains.Runtime;

/// <summary>Registers the agent runtime's services in a silo.</summary>
public static class FactoryRuntimeServiceCollectionExtensions
{
    /// <summary>
    /// Adds the native artifact generators (<see cref="BuiltInArtifactGenerators"/>; register more as
    /// <see cref="IArtifactGenerator"/> singletons), the template pack, skill executor, artifact store, journal,
    /// blueprint cache, instruments, redaction (<see cref="FactoryRedactionServiceCollectionExtensions.AddFactoryRedaction(IServiceCollection)"/>) and the tenants' editions (<see cref="EditionOptions"/>). Storage implementations already registered (PostgreSQL mode) are kept.
    /// </summary>
    public static IServiceCollection AddFactoryRuntime(this IServiceCollection services, Action<FactoryRuntimeOptions>? configure = null)
    {
        var options = services.AddOptions<FactoryRuntimeOptions>().BindConfiguration(FactoryRuntimeOptions.Section).ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FactoryRuntimeOptions>, FactoryRuntimeOptionsValidator>());
        services.AddOptions<EditionOptions>().BindConfiguration(EditionOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EditionOptions>, EditionOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<FactoryInstruments>();
        services.TryAddSingleton<StorageRetry>();
        services.TryAddSingleton<ISkillCostCalculator, SkillCostCalculator>();
        services.AddFactoryRedaction();
        foreach (var generator in BuiltInArtifactGenerators.All)
        {
            services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IArtifactGenerator), generator));
        }

        services.TryAddSingleton<ITemplatePack>(sp =>
        {
            var path = sp.GetRequiredService<IOptions<FactoryRuntimeOptions>>().Value.TemplatePackPath;
            var generators = sp.GetServices<IArtifactGenerator>();
            return path is null ? TemplatePack.LoadEmbedded(generators) : TemplatePack.LoadFromDirectory(path, generators);
        });
        services.TryAddSingleton<ISkillExecutor>(sp =>
            new ScribanSkillExecutor(sp.GetRequiredService<ITemplatePack>(), sp.GetServices<IArtifactGenerator>()));
        services.AddOptions<SkillThrottleOptions>().BindConfiguration(FactoryRuntimeOptions.Section);
        services.TryAddSingleton<SkillThrottle>();
        services.AddOptions<RunAdmissionOptions>().BindConfiguration(FactoryRuntimeOptions.Section);
        services.TryAddSingleton<RunAdmission>();
        services.TryAddSingleton<SkillKernels>();
        services.AddFactoryGates();
        services.AddFactoryLlm();
        services.TryAddSingleton<GateStep>();
        services.TryAddSingleton<IArtifactStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<FactoryRuntimeOptions>>().Value;
            return RecentArtifactCache.InFrontOf(new FileSystemArtifactStore(options.ArtifactsPath), options.ArtifactCacheMegabytes ?? 0);
        });
        services.TryAddSingleton<IRunJournal, MemoryRunJournal>();
        services.TryAddSingleton<BlueprintCache>();
        services.AddHostedService<FactoryRuntimeStartupCheck>();
        return services;
    }
}
