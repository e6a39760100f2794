using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Factory.Grains.Gates;

/// <summary>Registers the built-in gates and the evaluator.</summary>
public static class GateServiceCollectionExtensions
{
    /// <summary>Adds every built-in <see cref="IGate"/> and the <see cref="GateEvaluator"/> as singletons.</summary>
    public static IServiceCollection AddFactoryGates(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGate, AuthScopeRequiredGate>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGate, NoSecretValuesGate>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGate, PiiRedactedGate>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGate, OperationTestCoverageGate>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGate, CompilesGate>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGate, CostBudgetGate>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGate, BreakingChangeGate>());
        services.TryAddSingleton<GateEvaluator>();
        return services;
    }
}
