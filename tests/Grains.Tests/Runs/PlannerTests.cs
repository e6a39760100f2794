using Factory.Blueprints;
using Factory.Grains.Planning;
using Factory.Grains.Skills;

namespace Factory.Grains.Tests.Runs;

public sealed class PlannerTests
{
    [Fact]
    public void ModulesFollowDependsOnAndRolesFollowThePipeline()
    {
        var blueprint = BlueprintLoader.LoadValid(File.ReadAllText(Path.Combine(Samples.BlueprintsFolder, "clinic-appointments.yaml")));
        var plan = Planner.Plan(blueprint).ToDictionary(t => t.Id, t => t.DependsOn.ToList());

        Assert.Equal(2 * AgentRoles.All.Count, plan.Count);
        Assert.Empty(plan["appointments/architect"]);
        Assert.Equal(["appointments/validator"], plan["payments/architect"]);
        Assert.Equal(["payments/architect"], plan["payments/developer"]);
        foreach (var role in AgentRoles.AfterDeveloper)
        {
            Assert.Equal(["payments/developer"], plan[$"payments/{role}"]);
        }

        Assert.Equal(AgentRoles.AfterDeveloper.Select(r => $"payments/{r}"), plan["payments/validator"]);
        Assert.Equal(["payments/validator", "appointments/validator"], plan["payments/release"]);
        Assert.Equal(["appointments/validator", "payments/validator"], plan["appointments/release"]);
    }

    [Fact]
    public void IndependentModulesAreReadyTogether()
    {
        var blueprint = BlueprintLoader.LoadValid(File.ReadAllText(Path.Combine(Samples.BlueprintsFolder, "marketplace.yaml")));
        var plan = Planner.Plan(blueprint);
        var roots = blueprint.Modules.Where(m => m.DependsOn.Count == 0).Select(m => $"{m.Name}/architect").Order(StringComparer.Ordinal);

        var ready = Planner.Ready(plan, _ => PlanTaskStatus.Pending).Select(t => t.Id).Order(StringComparer.Ordinal);

        Assert.True(roots.Count() > 1, "the sample should have several independent modules");
        Assert.Equal(roots, ready);
    }
}
