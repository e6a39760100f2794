using Factory.Grains.Gates;
using static Factory.Grains.Tests.Gates.GateTestSupport;

namespace Factory.Grains.Tests.Gates;

public sealed class CostBudgetGateTests
{
    [Fact]
    public async Task WithoutBudgetAnyCostPasses()
    {
        var finding = await RunAsync(new CostBudgetGate(), ClinicContext() with { RunCostUsd = 1000m });

        Assert.Empty(finding.Violations);
        Assert.Equal("run cost $1000.00, no budget set", finding.Summary);
    }

    [Theory]
    [InlineData("0.5")]
    [InlineData("2")]
    public async Task CostWithinBudgetPasses(string cost)
    {
        var context = WithBudget(2m) with { RunCostUsd = decimal.Parse(cost, System.Globalization.CultureInfo.InvariantCulture) };

        var finding = await RunAsync(new CostBudgetGate(), context);

        Assert.Empty(finding.Violations);
    }

    [Fact]
    public async Task CostOverBudgetFailsWithBothAmounts()
    {
        var context = WithBudget(2m) with { RunCostUsd = 2.0125m };

        var finding = await RunAsync(new CostBudgetGate(), context);

        var violation = Assert.Single(finding.Violations);
        Assert.Equal(GateRuleIds.CostBudget, violation.RuleId);
        Assert.Equal("policies.costBudgetUsd", violation.Path);
        Assert.Equal("the run has cost $2.0125, over the budget of $2.00", violation.Message);
        Assert.Equal("run cost $2.0125 of a $2.00 budget", finding.Summary);
    }

    private static GateContext WithBudget(decimal budget)
    {
        var context = ClinicContext();
        return context with { Blueprint = context.Blueprint with { Policies = context.Blueprint.Policies with { CostBudgetUsd = budget } } };
    }
}
