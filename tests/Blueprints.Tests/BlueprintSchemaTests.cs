using System.Text.Json;
using Json.Schema;

namespace Factory.Blueprints.Tests;

/// <summary>
/// The JSON Schema a planner model is given describes what the parser accepts: every sample's canonical JSON is
/// valid against it, and documents the validator refuses for their shape are not.
/// </summary>
public sealed class BlueprintSchemaTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromText(BlueprintSchema.Json);

    public static TheoryData<string> Samples() => SampleBlueprintTests.Samples();

    [Theory]
    [MemberData(nameof(Samples))]
    public void EverySamplesCanonicalJsonIsValidAgainstTheSchema(string fileName)
    {
        var loaded = BlueprintLoader.LoadFile(Path.Combine(RepositoryPaths.Blueprints, fileName));
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Problems));

        var result = Schema.Evaluate(JsonDocument.Parse(loaded.CanonicalJson!).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });

        Assert.True(result.IsValid, string.Join("\n", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
    }

    [Theory]
    [InlineData("""{"apiVersion":"factory/v1","metadata":{"name":"Not Kebab","version":"1.0.0"},"domain":{},"modules":[{"name":"m"}]}""")]
    [InlineData("""{"apiVersion":"factory/v1","metadata":{"name":"a","version":"1.0.0"},"domain":{},"modules":[{"name":"m","operations":[{"name":"Op","method":"fetch","path":"/x"}]}]}""")]
    [InlineData("""{"apiVersion":"factory/v1","metadata":{"name":"a","version":"1.0.0"},"domain":{},"modules":[{"name":"m","colour":"red"}]}""")]
    [InlineData("""{"apiVersion":"factory/v2","metadata":{"name":"a","version":"1.0.0"},"domain":{},"modules":[{"name":"m"}]}""")]
    public void DocumentsOfTheWrongShapeAreInvalidAgainstTheSchemaAndRefusedByTheLoader(string json)
    {
        Assert.False(Schema.Evaluate(JsonDocument.Parse(json).RootElement).IsValid);
        Assert.False(BlueprintLoader.Load(json).IsValid);
    }
}
