namespace Factory.Grains.Skills;

/// <summary>
/// A native artifact generator: C# that writes one output of a skill through a standard's own object model
/// (an OpenAPI document, Kubernetes objects, ...) instead of a text template, so the file is valid by
/// construction. A pack names it in an output with <c>generator: NAME</c>. Implementations must be thread-safe
/// and deterministic: the content is a pure function of the context (no clock, random values or machine paths).
/// </summary>
public interface IArtifactGenerator
{
    /// <summary>The name packs use, lower-case kebab, unique among the registered generators, e.g. <c>openapi</c>.</summary>
    string Name { get; }

    /// <summary>Writes the content of one output.</summary>
    /// <param name="context">The skill input (blueprint, module, upstream), the output and, for <c>each</c>, the item.</param>
    /// <returns>The file's text; the executor encodes it as UTF-8 without BOM with LF line endings.</returns>
    /// <exception cref="SkillExecutionException">The input cannot be generated from.</exception>
    string Generate(ArtifactGeneratorContext context);
}

/// <summary>Everything a generator may read for one output. Identifiers in it have passed the same checks as for templates.</summary>
public sealed record ArtifactGeneratorContext
{
    /// <summary>The skill being executed.</summary>
    public required SkillDescriptor Skill { get; init; }

    /// <summary>The output being generated.</summary>
    public required SkillOutputSpec Output { get; init; }

    /// <summary>The blueprint, its hash, the module and the upstream artifacts: the same input templates get.</summary>
    public required SkillInput Input { get; init; }

    /// <summary>The rendered, module-relative output path.</summary>
    public required string Path { get; init; }

    /// <summary>
    /// For an output with <see cref="SkillOutputSpec.Each"/>: the name of the current item (entity, operation,
    /// event or environment name); null otherwise.
    /// </summary>
    public string? Item { get; init; }

    /// <summary>Name of the template pack.</summary>
    public required string PackName { get; init; }

    /// <summary>Version of the template pack.</summary>
    public required string PackVersion { get; init; }
}
