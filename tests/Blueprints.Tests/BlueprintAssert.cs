namespace Factory.Blueprints.Tests;

/// <summary>
/// Structural comparison of blueprints: the model's records hold lists, which records compare by reference,
/// so equality is checked member by member.
/// </summary>
internal static class BlueprintAssert
{
    public static void Equivalent(Blueprint expected, Blueprint actual)
    {
        Assert.Equal(expected.ApiVersion, actual.ApiVersion);
        Assert.Equal(expected.Metadata, actual.Metadata);
        Assert.Equal(expected.Domain.Entities.Count, actual.Domain.Entities.Count);
        for (var i = 0; i < expected.Domain.Entities.Count; i++)
        {
            var e = expected.Domain.Entities[i];
            var a = actual.Domain.Entities[i];
            Assert.Equal((e.Name, e.Description), (a.Name, a.Description));
            FieldsEquivalent(e.Fields, a.Fields);
        }

        Assert.Equal(expected.Domain.Events.Count, actual.Domain.Events.Count);
        for (var i = 0; i < expected.Domain.Events.Count; i++)
        {
            var e = expected.Domain.Events[i];
            var a = actual.Domain.Events[i];
            Assert.Equal((e.Name, e.Description, e.Entity), (a.Name, a.Description, a.Entity));
            FieldsEquivalent(e.Fields, a.Fields);
        }

        Assert.Equal(expected.Modules.Count, actual.Modules.Count);
        for (var i = 0; i < expected.Modules.Count; i++)
        {
            var e = expected.Modules[i];
            var a = actual.Modules[i];
            Assert.Equal((e.Name, e.Kind, e.Description), (a.Name, a.Kind, a.Description));
            Assert.Equal(e.Entities, a.Entities);
            Assert.Equal(e.Publishes, a.Publishes);
            Assert.Equal(e.Consumes, a.Consumes);
            Assert.Equal(e.DependsOn, a.DependsOn);
            Assert.Equal(e.Operations, a.Operations);
        }

        Assert.Equal(expected.Policies.Rules.OrderBy(r => r.Key), actual.Policies.Rules.OrderBy(r => r.Key));
        Assert.Equal(expected.Policies.MinTestCoverage, actual.Policies.MinTestCoverage);
        Assert.Equal(expected.Policies.CostBudgetUsd, actual.Policies.CostBudgetUsd);
        Assert.Equal(expected.Secrets, actual.Secrets);
        Assert.Equal(expected.Environments, actual.Environments);
    }

    private static void FieldsEquivalent(IReadOnlyList<FieldSpec> expected, IReadOnlyList<FieldSpec> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var e = expected[i];
            var a = actual[i];
            Assert.Equal((e.Name, e.Type, e.Required, e.MaxLength, e.Pii, e.Description), (a.Name, a.Type, a.Required, a.MaxLength, a.Pii, a.Description));
            Assert.Equal(e.Values, a.Values);
        }
    }
}
