using Factory.Grains.Gates;
using static Factory.Grains.Tests.Gates.GateTestSupport;

namespace Factory.Grains.Tests.Gates;

public sealed class AuthScopeRequiredGateTests
{
    private const string Endpoints = "/Endpoints/AppointmentsEndpoints.cs";

    [Theory]
    [InlineData("appointments", 5)]
    [InlineData("payments", 3)]
    public async Task RenderedClinicEndpointsRequireTheirScopes(string module, int operations)
    {
        var finding = await RunAsync(new AuthScopeRequiredGate(), ClinicContext(module));

        Assert.Empty(finding.Violations);
        Assert.Equal($"{operations} of {operations} operations require their scope", finding.Summary);
    }

    [Fact]
    public async Task OperationWithoutScopeIsReportedAtItsBlueprintPath()
    {
        var context = WithOperation(ClinicContext("payments"), 1, o => o with { Scope = "" });

        var finding = await RunAsync(new AuthScopeRequiredGate(), context);

        var violation = Assert.Single(finding.Violations);
        Assert.Equal(GateRuleIds.AuthScopeRequired, violation.RuleId);
        Assert.Equal("modules[1].operations[1].scope", violation.Path);
        Assert.Contains("`GetPayment` has no scope", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndpointWithoutRequireScopeIsReportedAtItsChain()
    {
        var context = Edit(ClinicContext(), Endpoints, text => ReplaceOnce(
            text,
            ".WithName(\"GetAppointment\")\n            .RequireScope(\"appointments.read\");",
            ".WithName(\"GetAppointment\");"));
        var path = PathEndingWith(context, Endpoints);

        var finding = await RunAsync(new AuthScopeRequiredGate(), context);

        var violation = Assert.Single(finding.Violations);
        Assert.Equal($"{path}:{LineOf(context, path, "WithName(\"GetAppointment\")")}", violation.Path);
        Assert.Contains("`GetAppointment` does not call `.RequireScope(\"appointments.read\")`: it requires no scope", violation.Message, StringComparison.Ordinal);
        Assert.Equal("4 of 5 operations require their scope", finding.Summary);
    }

    [Fact]
    public async Task EndpointRequiringAnotherScopeIsReported()
    {
        var context = Edit(ClinicContext(), Endpoints, text => ReplaceOnce(text, ".RequireScope(\"appointments.read\")", ".RequireScope(\"appointments.write\")"));

        var finding = await RunAsync(new AuthScopeRequiredGate(), context);

        var violation = Assert.Single(finding.Violations);
        Assert.Contains("`GetAppointment` does not call `.RequireScope(\"appointments.read\")`: it requires `appointments.write`", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScopeInACommentDoesNotCount()
    {
        var context = Edit(ClinicContext(), Endpoints, text => ReplaceOnce(
            text,
            ".WithName(\"CancelAppointment\")\n            .RequireScope(\"appointments.write\");",
            ".WithName(\"CancelAppointment\"); // .RequireScope(\"appointments.write\")"));

        var finding = await RunAsync(new AuthScopeRequiredGate(), context);

        Assert.Contains("`CancelAppointment` does not call", Assert.Single(finding.Violations).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OperationWithoutEndpointIsReported()
    {
        var context = Edit(ClinicContext(), Endpoints, text => ReplaceOnce(text, ".WithName(\"ListAppointments\")", ".WithName(\"AllAppointments\")"));

        var finding = await RunAsync(new AuthScopeRequiredGate(), context);

        var violation = Assert.Single(finding.Violations);
        Assert.Equal("modules[0].operations[2]", violation.Path);
        Assert.Contains("no endpoint of operation `ListAppointments`", violation.Message, StringComparison.Ordinal);
    }
}
