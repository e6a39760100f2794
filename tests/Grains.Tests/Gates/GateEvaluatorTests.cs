using Factory.Blueprints;
using Factory.Grains.Gates;
using Microsoft.Extensions.DependencyInjection;
using static Factory.Grains.Tests.Gates.GateTestSupport;

namespace Factory.Grains.Tests.Gates;

public sealed class GateEvaluatorTests
{
    [Fact]
    public async Task RegisteredGatesEvaluateEveryKnownRuleInRuleIdOrder()
    {
        using var provider = new ServiceCollection().AddFactoryGates().AddFactoryGates().BuildServiceProvider();
        var evaluator = provider.GetRequiredService<GateEvaluator>();
        var context = ClinicContext();

        var results = await evaluator.EvaluateAsync(context);

        string[] expected = ["auth-scope-required", "breaking-change", "compiles", "cost-budget", "no-secret-values", "operation-test-coverage", "pii-redacted"];
        Assert.Equal(expected, results.Select(r => r.RuleId));
        Assert.Equal(expected, evaluator.RuleIds);
        Assert.All(results, r => Assert.Equal("appointments", r.Module));
        Assert.All(results, r => Assert.Equal(GateMode.Block, r.Mode));
        Assert.True(results.Single(r => r.RuleId == GateRuleIds.Compiles).Passed);
        Assert.True(results.Single(r => r.RuleId == GateRuleIds.AuthScopeRequired).Passed);
        Assert.Same(provider.GetServices<IGate>().OfType<CompilesGate>().Single(), provider.GetServices<IGate>().OfType<CompilesGate>().Single());
    }

    [Fact]
    public async Task WarnModeComesFromThePolicy()
    {
        var context = WithPolicy(ClinicContext(), new PolicySpec { Rules = Rules(("cost-budget", RuleMode.Warn)), CostBudgetUsd = 1m }) with { RunCostUsd = 2m };

        var results = await new GateEvaluator([new CostBudgetGate()]).EvaluateAsync(context);

        var result = Assert.Single(results);
        Assert.Equal(GateMode.Warn, result.Mode);
        Assert.False(result.Passed);
        Assert.False(result.Blocks);
        Assert.Equal("policies.costBudgetUsd", Assert.Single(result.Violations).Path);
    }

    [Fact]
    public async Task FailedBlockingRuleBlocks()
    {
        var context = WithPolicy(ClinicContext(), new PolicySpec { CostBudgetUsd = 1m }) with { RunCostUsd = 2m };

        var result = Assert.Single(await new GateEvaluator([new CostBudgetGate()]).EvaluateAsync(context));

        Assert.Equal(GateMode.Block, result.Mode);
        Assert.True(result.Blocks);
    }

    [Fact]
    public async Task RulesSetToOffAreNotEvaluated()
    {
        var context = WithPolicy(ClinicContext(), new PolicySpec { Rules = Rules(("compiles", RuleMode.Off)) });
        var throwing = new StubGate("compiles", _ => throw new InvalidOperationException("must not run"));

        var results = await new GateEvaluator([throwing, new CostBudgetGate()]).EvaluateAsync(context);

        Assert.Equal(["cost-budget"], results.Select(r => r.RuleId));
    }

    [Fact]
    public async Task ThrowingGateBecomesAFailedResult()
    {
        var throwing = new StubGate("compiles", _ => throw new InvalidOperationException("the compiler is gone"));

        var results = await new GateEvaluator([throwing, new CostBudgetGate()]).EvaluateAsync(ClinicContext());

        var failed = results.Single(r => r.RuleId == "compiles");
        Assert.False(failed.Passed);
        Assert.Contains("the compiler is gone", failed.Summary, StringComparison.Ordinal);
        Assert.Contains("the compiler is gone", Assert.Single(failed.Violations).Message, StringComparison.Ordinal);
        Assert.True(results.Single(r => r.RuleId == "cost-budget").Passed);
    }

    [Fact]
    public async Task CancellationIsNotTurnedIntoAResult()
    {
        using var cancellation = new CancellationTokenSource();
        var gate = new StubGate("compiles", token =>
        {
            cancellation.Cancel();
            token.ThrowIfCancellationRequested();
            return new GateFinding("", []);
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await new GateEvaluator([gate]).EvaluateAsync(ClinicContext(), cancellation.Token));
    }

    [Fact]
    public async Task ViolationsAreCappedWithACountOfTheRest()
    {
        var many = Enumerable.Range(1, 120).Select(i => new GateViolation("compiles", "", $"problem {i}")).ToList();
        var gate = new StubGate("compiles", _ => new GateFinding("120 problems", many));

        var result = Assert.Single(await new GateEvaluator([gate]).EvaluateAsync(ClinicContext()));

        Assert.Equal(GateEvaluator.MaxViolationsPerGate, result.Violations.Length);
        Assert.Equal("problem 49", result.Violations[^2].Message);
        Assert.Equal("... and 71 more", result.Violations[^1].Message);
        Assert.False(result.Passed);
    }

    [Fact]
    public async Task ArtifactPathsArePrefixedWithTheModuleAndBlueprintPathsAreNot()
    {
        var context = ClinicContext();
        var program = PathEndingWith(context, "/Program.cs");
        var gate = new StubGate("compiles", _ => new GateFinding("three", [
            new GateViolation("other-id", program + ":3:5", "a"),
            new GateViolation("compiles", "modules[0].operations[0].scope", "b"),
            new GateViolation("compiles", "", "c"),
            new GateViolation("compiles", "src/NotAnArtifact.cs:1", "d"),
        ]));

        var result = Assert.Single(await new GateEvaluator([gate]).EvaluateAsync(context));

        Assert.Equal(["appointments/" + program + ":3:5", "modules[0].operations[0].scope", "", "src/NotAnArtifact.cs:1"], result.Violations.Select(v => v.Path));
        Assert.All(result.Violations, v => Assert.Equal("compiles", v.RuleId));
    }

    [Fact]
    public void DuplicateRuleIdsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new GateEvaluator([new CostBudgetGate(), new CostBudgetGate()]));
    }

    private static GateContext WithPolicy(GateContext context, PolicySpec policy) => context with { Blueprint = context.Blueprint with { Policies = policy } };

    private static SortedDictionary<string, RuleMode> Rules(params (string Id, RuleMode Mode)[] rules) =>
        new(rules.ToDictionary(r => r.Id, r => r.Mode, StringComparer.Ordinal), StringComparer.Ordinal);

    private sealed class StubGate(string ruleId, Func<CancellationToken, GateFinding> evaluate) : IGate
    {
        public string RuleId => ruleId;

        public ValueTask<GateFinding> EvaluateAsync(GateContext context, CancellationToken cancellationToken) => ValueTask.FromResult(evaluate(cancellationToken));
    }
}
