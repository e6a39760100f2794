using Factory.Grains.Gates;
using static Factory.Grains.Tests.Gates.GateTestSupport;

namespace Factory.Grains.Tests.Gates;

public sealed class OperationTestCoverageGateTests
{
    private const string Tests = "tests/Clinic.Api.Tests/AppointmentsApiTests.cs";

    private const string TestsText = """
        namespace Clinic.Api.Tests;

        public sealed class AppointmentsApiTests
        {
            [Fact]
            public void BookAppointment_CreatesTheAppointment() { }

            [Xunit.Fact]
            public void GetAppointment_ReturnsTheAppointment() { }

            [Theory]
            [InlineData(1)]
            public void ListAppointments_ReturnsEveryAppointment(int count) { }

            [FactAttribute]
            public void RescheduleAppointment_MovesTheStart() { }

            [Fact]
            public async Task CancelAppointment_RemovesTheAppointment() { await Task.CompletedTask; }

            private static void BookAppointmentHelper() { }
        }
        """;

    [Fact]
    public async Task EveryOperationWithATestPasses()
    {
        var finding = await RunAsync(new OperationTestCoverageGate(), Clean());

        Assert.Empty(finding.Violations);
        Assert.Equal("5 of 5 operations covered (1.00 >= 1.00)", finding.Summary);
    }

    [Fact]
    public async Task DeletedTestLeavesItsOperationUncovered()
    {
        var context = Edit(Clean(), Tests, text => ReplaceOnce(text, "    [Fact]\n    public async Task CancelAppointment_RemovesTheAppointment() { await Task.CompletedTask; }\n", ""));

        var finding = await RunAsync(new OperationTestCoverageGate(), context);

        var violation = Assert.Single(finding.Violations);
        Assert.Equal(GateRuleIds.OperationTestCoverage, violation.RuleId);
        Assert.Equal("modules[0].operations[4]", violation.Path);
        Assert.Contains("`CancelAppointment` has no test", violation.Message, StringComparison.Ordinal);
        Assert.Equal("4 of 5 operations covered (0.80 < 1.00)", finding.Summary);
    }

    [Fact]
    public async Task MethodsWithoutFactOrTheoryDoNotCount()
    {
        var context = Edit(Clean(), Tests, text => ReplaceOnce(text, "[Fact]\n    public void BookAppointment_", "public void BookAppointment_"));

        var finding = await RunAsync(new OperationTestCoverageGate(), context);

        Assert.Equal("modules[0].operations[0]", Assert.Single(finding.Violations).Path);
    }

    [Fact]
    public async Task TestsOutsideTheTestsFolderDoNotCount()
    {
        var context = ClinicContext() with { Artifacts = [Artifact("src/Clinic.Api/AppointmentsApiTests.cs", TestsText)] };

        var finding = await RunAsync(new OperationTestCoverageGate(), context);

        Assert.Equal(5, finding.Violations.Count);
        Assert.Equal("0 of 5 operations covered (0.00 < 1.00)", finding.Summary);
    }

    [Fact]
    public async Task CoverageAtThePolicyMinimumPasses()
    {
        var context = Edit(Clean(), Tests, text => ReplaceOnce(text, "CancelAppointment_", "Cancel_"));
        context = context with { Blueprint = context.Blueprint with { Policies = context.Blueprint.Policies with { MinTestCoverage = 0.8m } } };

        var finding = await RunAsync(new OperationTestCoverageGate(), context);

        Assert.Empty(finding.Violations);
        Assert.Equal("4 of 5 operations covered (0.80 >= 0.80)", finding.Summary);
    }

    [Fact]
    public async Task ModuleWithoutOperationsIsFullyCovered()
    {
        var context = WithModule(ClinicContext(), ClinicContext().Module with { Operations = [] });

        var finding = await RunAsync(new OperationTestCoverageGate(), context);

        Assert.Empty(finding.Violations);
        Assert.Equal("0 of 0 operations covered (1.00 >= 1.00)", finding.Summary);
    }

    [Fact]
    public async Task TheRenderedModuleCoversEveryOperation()
    {
        var context = ClinicContext();

        var finding = await RunAsync(new OperationTestCoverageGate(), context);

        Assert.Empty(finding.Violations);
        Assert.Equal($"{context.Module.Operations.Count} of {context.Module.Operations.Count} operations covered (1.00 >= 1.00)", finding.Summary);
    }

    /// <summary>The rendered module with its generated tests replaced by <see cref="TestsText"/>.</summary>
    private static GateContext Clean()
    {
        var rendered = ClinicContext();
        return Add(rendered with { Artifacts = [.. rendered.Artifacts.Where(a => !a.Path.StartsWith("tests/", StringComparison.Ordinal))] }, Artifact(Tests, TestsText));
    }
}
