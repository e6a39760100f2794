using Factory.Blueprints;

namespace Factory.Bench.Tests;

public sealed class BlueprintVariantTests
{
    private static readonly string Clinic = File.ReadAllText(RepositoryPaths.Sample("clinic-appointments.yaml"));

    [Fact]
    public void VariantRenamesEveryEntityAndModuleAndStaysValid()
    {
        var original = BlueprintLoader.LoadValid(Clinic);
        var variant = BlueprintVariants.Create(Clinic, 42, compileGate: null);

        Assert.Equal(["AppointmentT42", "PaymentT42"], variant.Blueprint.Domain.Entities.Select(e => e.Name));
        Assert.Equal(["appointments-t42", "payments-t42"], variant.Blueprint.Modules.Select(m => m.Name));
        Assert.Equal(["appointments-t42"], variant.Blueprint.Modules[1].DependsOn);
        Assert.Equal(["PaymentT42"], variant.Blueprint.Modules[1].Entities);
        Assert.Equal("AppointmentT42", variant.Blueprint.Domain.Events[0].Entity);
        Assert.Equal("/appointments-t42/{id}", variant.Blueprint.Modules[0].Operations[1].Path);
        Assert.Equal("AppointmentT42", variant.Blueprint.Modules[0].Operations[2].Output);
        Assert.Equal(original.Modules.Sum(m => m.Operations.Count), variant.Blueprint.Modules.Sum(m => m.Operations.Count));
        Assert.Equal(original.Domain.Entities.Select(e => e.Fields.Count), variant.Blueprint.Domain.Entities.Select(e => e.Fields.Count));
    }

    [Fact]
    public void TwoTenantsVariantsHaveDifferentCanonicalHashes()
    {
        var a = BlueprintVariants.Create(Clinic, 1, compileGate: null).Blueprint;
        var b = BlueprintVariants.Create(Clinic, 2, compileGate: null).Blueprint;

        Assert.NotEqual(
            BlueprintCanonicalForm.Sha256Hex(BlueprintCanonicalForm.ToJson(a)),
            BlueprintCanonicalForm.Sha256Hex(BlueprintCanonicalForm.ToJson(b)));
    }

    [Theory]
    [InlineData(false, RuleMode.Off)]
    [InlineData(true, RuleMode.Block)]
    public void CompileGateOptionSetsTheBlueprintsPolicy(bool on, RuleMode expected)
    {
        var variant = BlueprintVariants.Create(Clinic, 3, compileGate: on);

        Assert.Equal(expected, variant.Blueprint.Policies.ModeOf("compiles"));
        Assert.Equal(RuleMode.Block, variant.Blueprint.Policies.ModeOf("pii-redacted"));
    }

    [Fact]
    public void CompileGateIsAddedToABlueprintWithoutPolicies()
    {
        var todo = File.ReadAllText(RepositoryPaths.Sample("todo-service.yaml"));
        var withoutPolicies = string.Join('\n', todo.Split('\n').TakeWhile(l => !l.StartsWith("policies:", StringComparison.Ordinal)));

        var variant = BlueprintVariants.Create(withoutPolicies, 0, compileGate: false);

        Assert.Equal(RuleMode.Off, variant.Blueprint.Policies.ModeOf("compiles"));
    }

    [Fact]
    public void AnInvalidBlueprintIsRefusedNamingTheProblem()
    {
        var broken = Clinic.Replace("dependsOn: [appointments]", "dependsOn: [nowhere]", StringComparison.Ordinal);

        var error = Assert.Throws<ArgumentException>(() => BlueprintVariants.Create(broken, 0, compileGate: null));

        Assert.Contains("dependsOn", error.Message, StringComparison.Ordinal);
    }
}
