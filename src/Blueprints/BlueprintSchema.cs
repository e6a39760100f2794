namespace Factory.Blueprints;

/// <summary>The JSON Schema (draft 2020-12) of a blueprint's document, as the parser reads it.</summary>
public static class BlueprintSchema
{
    private static readonly Lazy<string> Text = new(() =>
    {
        using var stream = typeof(BlueprintSchema).Assembly.GetManifestResourceStream("blueprint.schema.json")
            ?? throw new InvalidOperationException("The blueprint schema resource is missing from Factory.Blueprints.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>The schema's JSON text.</summary>
    public static string Json => Text.Value;
}
