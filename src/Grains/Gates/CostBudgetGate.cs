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
        return ValueTask.FromResult(Evaluate(context.Blueprint.Policies.CostBudgetUsd, context.RunCostUsd));
    }

    /// <summary>The finding for a run that has cost <paramref name="costUsd"/> against <paramref name="budgetUsd"/> (null: no budget).</summary>
    public static GateFinding Evaluate(decimal? budgetUsd, decimal costUsd)
    {
        var cost = Usd(costUsd);
        if (budgetUsd is not { } budget)
        {
            return new GateFinding($"run cost {cost}, no budget set", []);
        }

        var summary = $"run cost {cost} of a {Usd(budget)} budget";
        return costUsd > budget
            ? new GateFinding(summary, [new GateViolation(GateRuleIds.CostBudget, "policies.costBudgetUsd", $"the run has cost {cost}, over the budget of {Usd(budget)}")])
            : new GateFinding(summary, []);
    }

    /// <summary>A dollar amount as the gate words it, e.g. <c>$0.25</c>.</summary>
    public static string Usd(decimal value) => "$" + value.ToString("0.00########", CultureInfo.InvariantCulture);
}
