namespace Factory.Blueprints;

/// <summary>
/// The form of a blueprint that a run records: every free text (descriptions, owner, behaviours) passed through a
/// text redactor, and the example of each <c>pii: true</c> field through a personal-data redactor. Identifiers,
/// types and policies are kept as they are, so the redacted blueprint plans and generates the same services.
/// </summary>
public static class BlueprintRedaction
{
    /// <summary>Returns <paramref name="blueprint"/> with its free text and personal examples redacted.</summary>
    /// <param name="blueprint">The validated blueprint.</param>
    /// <param name="text">Redacts free text (masks what looks like a secret or personal data).</param>
    /// <param name="personal">Redacts a value that is personal data as a whole.</param>
    public static Blueprint Redact(Blueprint blueprint, Func<string, string> text, Func<string, string> personal)
    {
        ArgumentNullException.ThrowIfNull(blueprint);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(personal);
        string Text(string value) => value.Length == 0 ? value : text(value);
        FieldSpec Field(FieldSpec f) => f with
        {
            Description = Text(f.Description),
            Example = f.Example.Length == 0 ? "" : f.Pii ? personal(f.Example) : Text(f.Example),
        };

        return blueprint with
        {
            Metadata = blueprint.Metadata with { Description = Text(blueprint.Metadata.Description), Owner = Text(blueprint.Metadata.Owner) },
            Domain = blueprint.Domain with
            {
                Entities = [.. blueprint.Domain.Entities.Select(e => e with { Description = Text(e.Description), Fields = [.. e.Fields.Select(Field)] })],
                Events = [.. blueprint.Domain.Events.Select(e => e with { Description = Text(e.Description), Fields = [.. e.Fields.Select(Field)] })],
            },
            Modules = [.. blueprint.Modules.Select(m => m with
            {
                Description = Text(m.Description),
                Operations = [.. m.Operations.Select(o => o with { Description = Text(o.Description), Behavior = Text(o.Behavior) })],
            })],
        };
    }
}
