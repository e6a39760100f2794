using Factory.Grains.Gates;
using static Factory.Grains.Tests.Gates.GateTestSupport;

namespace Factory.Grains.Tests.Gates;

public sealed class NoSecretValuesGateTests
{
    // Built at run time so that this file holds no secret-looking literal.
    private static readonly string StripeLikeKey = "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc";

    [Theory]
    [InlineData("appointments")]
    [InlineData("payments")]
    public async Task RenderedClinicArtifactsHoldNoSecrets(string module)
    {
        var context = ClinicContext(module);

        var finding = await RunAsync(new NoSecretValuesGate(), context);

        Assert.True(finding.Violations.Count == 0, string.Join(Environment.NewLine, finding.Violations));
        Assert.Equal($"{context.Artifacts.Count} artifacts scanned, 0 secret values", finding.Summary);
    }

    [Fact]
    public async Task SecretLiteralIsReportedByLineWithoutItsValue()
    {
        var context = Edit(ClinicContext(), "/Program.cs", text => ReplaceOnce(text, "var app = builder.Build();", $"var key = \"{StripeLikeKey}\";\nvar app = builder.Build();"));
        var program = PathEndingWith(context, "/Program.cs");

        var finding = await RunAsync(new NoSecretValuesGate(), context);

        var violation = Assert.Single(finding.Violations);
        Assert.Equal(GateRuleIds.NoSecretValues, violation.RuleId);
        Assert.Equal($"{program}:{LineOf(context, program, "var key")}", violation.Path);
        Assert.DoesNotContain(StripeLikeKey, violation.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("4eC39HqLyjWDarjtT1zdp7dc", violation.ToString(), StringComparison.Ordinal);
        Assert.Contains("secret", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecretInAConfigFileIsReported()
    {
        var context = Edit(ClinicContext(), "/appsettings.json", text => ReplaceOnce(text, "{", "{\n  \"ConnectionStrings\": { \"Db\": \"Host=db;Password=hunter2hunter2\" },"));

        var finding = await RunAsync(new NoSecretValuesGate(), context);

        var violation = Assert.Single(finding.Violations);
        Assert.EndsWith("/appsettings.json:2", violation.Path, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecretReferencesAreAllowed()
    {
        var context = Edit(ClinicContext(), "/Program.cs", text => ReplaceOnce(text, "var app = builder.Build();", "var key = \"vault://clinic/payments/provider-key\";\nvar token = \"env://PAYMENTS_TOKEN\";\nvar app = builder.Build();"));

        var finding = await RunAsync(new NoSecretValuesGate(), context);

        Assert.Empty(finding.Violations);
    }
}
