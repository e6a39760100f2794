using Factory.Blueprints;
using Factory.Grains.Gates;
using static Factory.Grains.Tests.Gates.GateTestSupport;

namespace Factory.Grains.Tests.Gates;

public sealed class BreakingChangeGateTests
{
    [Fact]
    public async Task WithoutPromotedBlueprintNothingIsCompared()
    {
        var finding = await RunAsync(new BreakingChangeGate(), ClinicContext());

        Assert.Empty(finding.Violations);
        Assert.Equal("no promoted blueprint to compare with", finding.Summary);
    }

    [Fact]
    public async Task SameBlueprintHasNoBreakingChanges()
    {
        var finding = await RunAsync(new BreakingChangeGate(), Promoted(ClinicContext()));

        Assert.Empty(finding.Violations);
        Assert.Equal("compared with clinic-appointments@1.0.0: no breaking changes", finding.Summary);
    }

    [Fact]
    public async Task RemovedOperationIsReportedOnTheModule()
    {
        var context = Promoted(ClinicContext("payments"));
        context = WithModule(context, context.Module with { Operations = [.. context.Module.Operations.Where(o => o.Name != "GetPayment")] });

        var finding = await RunAsync(new BreakingChangeGate(), context);

        var violation = Assert.Single(finding.Violations);
        Assert.Equal(GateRuleIds.BreakingChange, violation.RuleId);
        Assert.Equal("modules[1]", violation.Path);
        Assert.Equal("operation `GetPayment` was removed", violation.Message);
    }

    [Theory]
    [InlineData("path", "operation `GetAppointment` path changed from `/appointments/{id}` to `/appointments/{id}/details`")]
    [InlineData("method", "operation `GetAppointment` method changed from `GET` to `POST`")]
    [InlineData("scope", "operation `GetAppointment` scope changed from `appointments.read` to `appointments.admin`")]
    [InlineData("input", "operation `GetAppointment` input changed from none to `Appointment`")]
    [InlineData("output", "operation `GetAppointment` output changed from `Appointment` to `Appointment[]`")]
    public async Task ChangedOperationIsReportedAtTheChangedProperty(string property, string message)
    {
        var context = WithOperation(Promoted(ClinicContext()), 1, o => property switch
        {
            "path" => o with { Path = "/appointments/{id}/details" },
            "method" => o with { Method = HttpVerb.Post },
            "scope" => o with { Scope = "appointments.admin" },
            "input" => o with { Input = "Appointment" },
            _ => o with { OutputIsList = true },
        });

        var finding = await RunAsync(new BreakingChangeGate(), context);

        var violation = Assert.Single(finding.Violations);
        Assert.Equal("modules[0].operations[1]." + property, violation.Path);
        Assert.Equal(message, violation.Message);
    }

    [Fact]
    public async Task ChangedFieldTypeIsReported()
    {
        var context = WithField(Promoted(ClinicContext()), "Appointment", "durationMinutes", f => f with { Type = FieldType.Decimal });

        var finding = await RunAsync(new BreakingChangeGate(), context);

        var violation = Assert.Single(finding.Violations);
        Assert.Equal("domain.entities[0].fields[5].type", violation.Path);
        Assert.Equal("field `Appointment.durationMinutes` changed type from int to decimal", violation.Message);
    }

    [Fact]
    public async Task FieldThatBecameRequiredIsReported()
    {
        var context = WithField(Promoted(ClinicContext()), "Appointment", "patientEmail", f => f with { Required = true });

        var finding = await RunAsync(new BreakingChangeGate(), context);

        var violation = Assert.Single(finding.Violations);
        Assert.Equal("domain.entities[0].fields[2].required", violation.Path);
        Assert.Equal("field `Appointment.patientEmail` changed from optional to required", violation.Message);
    }

    [Fact]
    public async Task RemovedEnumValueIsReported()
    {
        var context = WithField(Promoted(ClinicContext()), "Appointment", "status", f => f with { Values = ["Booked", "Rescheduled", "Cancelled"] });

        var finding = await RunAsync(new BreakingChangeGate(), context);

        var violation = Assert.Single(finding.Violations);
        Assert.Equal("domain.entities[0].fields[6].values", violation.Path);
        Assert.Equal("value `Completed` of enum field `Appointment.status` was removed", violation.Message);
    }

    [Fact]
    public async Task RemovedFieldIsReportedOnItsEntity()
    {
        var context = Promoted(ClinicContext());
        context = WithEntity(context, "Appointment", e => e with { Fields = [.. e.Fields.Where(f => f.Name != "clinician")] });

        var finding = await RunAsync(new BreakingChangeGate(), context);

        var violation = Assert.Single(finding.Violations);
        Assert.Equal("domain.entities[0]", violation.Path);
        Assert.Equal("field `Appointment.clinician` was removed", violation.Message);
    }

    [Fact]
    public async Task ChangesToEntitiesTheModuleDoesNotExposeAreIgnored()
    {
        var context = WithField(Promoted(ClinicContext()), "Payment", "amount", f => f with { Type = FieldType.Int });

        var finding = await RunAsync(new BreakingChangeGate(), context);

        Assert.Empty(finding.Violations);
    }

    [Fact]
    public async Task AdditionsAreNotBreaking()
    {
        var context = Promoted(ClinicContext());
        context = WithEntity(context, "Appointment", e => e with
        {
            Fields =
            [
                .. e.Fields.Select(f => f.Name == "status" ? f with { Values = [.. f.Values, "NoShow"] } : f),
                new FieldSpec { Name = "room", Type = FieldType.String },
            ],
        });
        var added = new OperationSpec { Name = "ConfirmAppointment", Method = HttpVerb.Post, Path = "/appointments/{id}/confirm", Scope = "appointments.write" };
        context = WithModule(context, context.Module with { Operations = [.. context.Module.Operations, added] });

        var finding = await RunAsync(new BreakingChangeGate(), context);

        Assert.Empty(finding.Violations);
    }

    [Fact]
    public async Task ModuleNewSinceThePromotedBlueprintIsNotBreaking()
    {
        var context = ClinicContext();
        context = context with { PromotedBlueprint = context.Blueprint with { Modules = [context.Blueprint.Modules[1]] } };

        var finding = await RunAsync(new BreakingChangeGate(), context);

        Assert.Empty(finding.Violations);
        Assert.Equal("compared with clinic-appointments@1.0.0: the module is new", finding.Summary);
    }

    [Fact]
    public async Task ARemovedModuleIsReportedOnceOnTheFirstModule()
    {
        // payments is replaced by billing (the same module under a new name): payments was removed.
        var promoted = ClinicContext().Blueprint;
        var billing = promoted.Modules[1] with { Name = "billing" };
        var current = promoted with { Modules = [promoted.Modules[0], billing] };
        var context = ClinicContext() with { Blueprint = current, PromotedBlueprint = promoted };

        var onFirst = await RunAsync(new BreakingChangeGate(), context);
        var onSecond = await RunAsync(new BreakingChangeGate(), context with { Module = billing });

        var violation = Assert.Single(onFirst.Violations);
        Assert.Equal("modules", violation.Path);
        Assert.Equal($"module `payments` was removed with its {promoted.Modules[1].Operations.Count} operations", violation.Message);
        Assert.Empty(onSecond.Violations);
        Assert.Equal("compared with clinic-appointments@1.0.0: the module is new", onSecond.Summary);
    }

    private static GateContext Promoted(GateContext context) => context with { PromotedBlueprint = context.Blueprint };

    private static GateContext WithEntity(GateContext context, string entity, Func<EntitySpec, EntitySpec> change) => context with
    {
        Blueprint = context.Blueprint with
        {
            Domain = context.Blueprint.Domain with { Entities = [.. context.Blueprint.Domain.Entities.Select(e => e.Name == entity ? change(e) : e)] },
        },
    };

    private static GateContext WithField(GateContext context, string entity, string field, Func<FieldSpec, FieldSpec> change) =>
        WithEntity(context, entity, e => e with { Fields = [.. e.Fields.Select(f => f.Name == field ? change(f) : f)] });
}
