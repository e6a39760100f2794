using Factory.Grains.Gates;
using static Factory.Grains.Tests.Gates.GateTestSupport;

namespace Factory.Grains.Tests.Gates;

public sealed class PiiRedactedGateTests
{
    private const string Entity = "src/Clinic.Api/Entities/Appointment.cs";
    private const string Dtos = "src/Clinic.Api/Dtos/AppointmentDtos.cs";
    private const string Program = "src/Clinic.Api/Program.cs";

    private const string EntityText = """
        namespace Clinic.Api.Entities;

        public sealed record Appointment(
            Guid Id,
            [property: PersonalData] string PatientName,
            [PersonalData] string? PatientEmail,
            string Clinician);
        """;

    private const string DtosText = """
        namespace Clinic.Api.Dtos;

        public sealed record AppointmentRequest(
            [property: Clinic.Api.Compliance.PersonalData] string? PatientName,
            [PersonalDataAttribute] string? PatientEmail,
            string? Clinician);

        public sealed class AppointmentResponse
        {
            public Guid Id { get; init; }

            [PersonalData]
            public string PatientName { get; init; } = "";

            [PersonalData]
            public string? PatientEmail { get; init; }

            public string Clinician { get; init; } = "";
        }

        public sealed class PatientSummary
        {
            public string PatientName { get; init; } = "";
        }
        """;

    private const string ProgramText = """
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddRedaction();
        builder.Logging.EnableRedaction();
        builder.Build().Run();
        """;

    [Fact]
    public async Task MarkedPropertiesWithRedactionEnabledPass()
    {
        var finding = await RunAsync(new PiiRedactedGate(), Clean());

        Assert.Empty(finding.Violations);
        Assert.Equal("6 personal-data properties checked, redaction enabled", finding.Summary);
    }

    [Fact]
    public async Task PropertyWithoutPersonalDataIsReportedByFileAndProperty()
    {
        var context = Clean();
        context = Edit(context, Dtos, text => ReplaceOnce(text, "[PersonalData]\n    public string? PatientEmail", "public string? PatientEmail"));

        var finding = await RunAsync(new PiiRedactedGate(), context);

        var violation = Assert.Single(finding.Violations);
        Assert.Equal(GateRuleIds.PiiRedacted, violation.RuleId);
        Assert.Equal($"{Dtos}:{LineOf(context, Dtos, "public string? PatientEmail")}", violation.Path);
        Assert.Contains("`AppointmentResponse.PatientEmail`", violation.Message, StringComparison.Ordinal);
        Assert.Contains("[PersonalData]", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordParameterWithoutPersonalDataIsReported()
    {
        var context = Edit(Clean(), Entity, text => ReplaceOnce(text, "[property: PersonalData] string PatientName", "string PatientName"));

        var finding = await RunAsync(new PiiRedactedGate(), context);

        var violation = Assert.Single(finding.Violations);
        Assert.Equal($"{Entity}:5", violation.Path);
        Assert.Contains("`Appointment.PatientName`", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingEnableRedactionIsReportedOnTheModule()
    {
        var context = Edit(Clean(), Program, text => ReplaceOnce(text, "builder.Logging.EnableRedaction();\n", ""));

        var finding = await RunAsync(new PiiRedactedGate(), context);

        var violation = Assert.Single(finding.Violations);
        Assert.Equal("modules[0]", violation.Path);
        Assert.Contains("EnableRedaction", violation.Message, StringComparison.Ordinal);
        Assert.EndsWith("redaction not enabled", finding.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModuleWithoutPersonalDataPasses()
    {
        var finding = await RunAsync(new PiiRedactedGate(), ClinicContext("payments"));

        Assert.Empty(finding.Violations);
    }

    [Fact]
    public async Task TheRenderedModuleRedactsEveryPersonalDataField()
    {
        var finding = await RunAsync(new PiiRedactedGate(), ClinicContext());

        Assert.Empty(finding.Violations);
    }

    [Fact]
    public async Task TheRenderedModuleWithoutOneMarkIsCaught()
    {
        var rendered = ClinicContext();
        var entity = rendered.Artifacts.Single(a => a.Path.EndsWith("/Entities/Appointment.cs", StringComparison.Ordinal));
        var text = System.Text.Encoding.UTF8.GetString(entity.Content.Span);
        var first = text.IndexOf("[PersonalData]", StringComparison.Ordinal);
        Assert.True(first >= 0, "the rendered entity marks its personal data");
        var context = Edit(rendered, entity.Path, t => t.Remove(first, "[PersonalData]".Length));

        var finding = await RunAsync(new PiiRedactedGate(), context);

        var violation = Assert.Single(finding.Violations);
        Assert.Equal(entity.Path, violation.Path.Split(':')[0]);
    }

    /// <summary>The clinic's appointments module with entity, DTOs and start-up written the way the gate expects.</summary>
    private static GateContext Clean() =>
        ClinicContext() with { Artifacts = [Artifact(Dtos, DtosText), Artifact(Entity, EntityText), Artifact(Program, ProgramText)] };
}
