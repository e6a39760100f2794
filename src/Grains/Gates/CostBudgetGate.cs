using System.Globalization;

namespace Factory.Grains.Gates;

/// <summary><c>cost-budget</c>: when the blueprint sets <c>costBudgetUsd</c>, what the run has cost so far stays within it.</summary>
public sealed class CostBudgetGate : IGate
{
    /// <inheritdoc />
    public string RuleId => GateRuleIds.CostBudget;

    /// <inheritdoc />
    public ValueTask<GateFinding> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cost = Usd(context.RunCostUsd);
        if (context.Blueprint.Policies.CostBudgetUsd is not { } budget)
        {
            return ValueTask.FromResult(new GateFinding($"run cost {cost}, no budget set", []));
        }

        var summary = $"run cost {cost} of a {Usd(budget)} budget";
        return ValueTask.FromResult(context.RunCostUsd > budget
            ? new GateFinding(summary, [new GateViolation(RuleId, "policies.costBudgetUsd", $"the run has cost {cost}, over the budget of {Usd(budget)}")])
            : new GateFinding(summary, []));
    }

    private static string Usd(decimal value) => "$" + value.ToString("0.00########", CultureInfo.InvariantCulture);
}
