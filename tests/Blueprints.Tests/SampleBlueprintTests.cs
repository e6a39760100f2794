namespace Factory.Blueprints.Tests;

public sealed class SampleBlueprintTests
{
    public static TheoryData<string> Samples()
    {
        var data = new TheoryData<string>();
        foreach (var file in RepositoryPaths.SampleFiles())
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Fact]
    public void RepositoryShipsTheThreeSamples()
    {
        var names = RepositoryPaths.SampleFiles().Select(Path.GetFileName).ToList();
        Assert.Contains("clinic-appointments.yaml", names);
        Assert.Contains("todo-service.yaml", names);
        Assert.Contains("marketplace.yaml", names);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void SampleLoadsValid(string fileName)
    {
        var result = BlueprintLoader.LoadFile(Path.Combine(RepositoryPaths.Blueprints, fileName));

        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        Assert.NotNull(result.Blueprint);
        Assert.Matches("^[0-9a-f]{64}$", result.Hash);
        Assert.Equal(Path.GetFileNameWithoutExtension(fileName), result.Blueprint.Metadata.Name);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void SampleRoundTripsThroughCanonicalJsonWithTheSameHash(string fileName)
    {
        var first = BlueprintLoader.LoadFile(Path.Combine(RepositoryPaths.Blueprints, fileName));
        Assert.True(first.IsValid, string.Join("\n", first.Problems));

        // A copy of the text: the loader hands the very string it made back its own result without parsing it.
        var copy = new string(first.CanonicalJson!.AsSpan());
        var second = BlueprintLoader.Load(copy, fileName + " (canonical)");

        Assert.NotSame(first, second);
        Assert.True(second.IsValid, string.Join("\n", second.Problems));
        Assert.Equal(first.CanonicalJson, second.CanonicalJson);
        Assert.Equal(first.Hash, second.Hash);
        BlueprintAssert.Equivalent(first.Blueprint!, second.Blueprint!);

        // The hand-off: the canonical JSON a load made, passed on in the process, loads to the same result.
        Assert.Same(first, BlueprintLoader.Load(first.CanonicalJson!, "a run"));
        Assert.Same(second, BlueprintLoader.Load(second.CanonicalJson!, "a run"));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void SampleDeclaresAScopeOnEveryOperation(string fileName)
    {
        var blueprint = BlueprintLoader.LoadFile(Path.Combine(RepositoryPaths.Blueprints, fileName)).Blueprint!;

        var operations = blueprint.Modules.SelectMany(m => m.Operations).ToList();
        Assert.NotEmpty(operations);
        Assert.All(operations, o => Assert.False(string.IsNullOrEmpty(o.Scope), o.Name + " has no scope"));
    }

    [Fact]
    public void SamplesTogetherUseEveryFieldType()
    {
        var used = RepositoryPaths.SampleFiles()
            .Select(f => BlueprintLoader.LoadFile(f).Blueprint!)
            .SelectMany(b => b.Domain.Entities.SelectMany(e => e.Fields).Concat(b.Domain.Events.SelectMany(e => e.Fields)))
            .Select(f => f.Type)
            .ToHashSet();

        Assert.Equal(Enum.GetValues<FieldType>().ToHashSet(), used);
    }

    [Fact]
    public void ClinicSampleParsesIntoTheExpectedModel()
    {
        var blueprint = BlueprintLoader.LoadFile(Path.Combine(RepositoryPaths.Blueprints, "clinic-appointments.yaml")).Blueprint!;

        Assert.Equal("factory/v1", blueprint.ApiVersion);
        Assert.Equal("1.0.0", blueprint.Metadata.Version);
        Assert.Equal(["Appointment", "Payment"], blueprint.Domain.Entities.Select(e => e.Name));
        var status = blueprint.Domain.Entities[0].Fields.Single(f => f.Name == "status");
        Assert.Equal(FieldType.Enum, status.Type);
        Assert.Equal(["Booked", "Rescheduled", "Cancelled", "Completed"], status.Values);
        var patientName = blueprint.Domain.Entities[0].Fields.Single(f => f.Name == "patientName");
        Assert.True(patientName.Pii);
        Assert.Equal(120, patientName.MaxLength);
        var list = blueprint.Modules[0].Operations.Single(o => o.Name == "ListAppointments");
        Assert.Equal("Appointment", list.Output);
        Assert.True(list.OutputIsList);
        Assert.Equal(HttpVerb.Get, list.Method);
        Assert.Equal(["appointments"], blueprint.Modules[1].DependsOn);
        Assert.Equal(RuleMode.Block, blueprint.Policies.ModeOf("compiles"));
        Assert.Equal(1m, blueprint.Policies.MinTestCoverage);
        Assert.Equal("vault://clinic/payments/provider-key", blueprint.Secrets.Single().Ref);
        Assert.Equal([("dev", 1), ("prod", 3)], blueprint.Environments.Select(e => (e.Name, e.Replicas)));
    }
}
