using Microsoft.Extensions.DependencyInjection;

namespace Factory.Grains.Gates;

// Temporary: replaced by the real evaluator.
public sealed class GateEvaluator(IEnumerable<IGate> gates)
{
    public async Task<IReadOnlyList<GateResult>> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
    {
        var results = new List<GateResult>();
        foreach (var gate in gates)
        {
            var f = await gate.EvaluateAsync(context, cancellationToken);
            results.Add(new GateResult(context.Module.Name, gate.RuleId, GateMode.Block, f.Violations.Count == 0, f.Summary, [.. f.Violations]));
        }

        return results;
    }
}

public static class GateServiceCollectionExtensions
{
    public static IServiceCollection AddFactoryGates(this IServiceCollection services)
    {
        services.AddSingleton<GateEvaluator>();
        return services;
    }
}
