using Factory.Blueprints;

namespace Factory.Grains.Skills;

/// <summary>
/// A versioned contract an agent executes: what it needs and which artifacts it produces.
/// Declared in a template pack's <c>pack.yaml</c>.
/// </summary>
public sealed record SkillDescriptor
{
    /// <summary>Dotted identifier, unique in the pack, e.g. <c>developer.service</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Semantic version of the skill's contract and output.</summary>
    public required string Version { get; init; }

    /// <summary>The agent role that runs it (architect, developer, qa, ...).</summary>
    public required string Role { get; init; }

    /// <summary>One line on what it produces.</summary>
    public string Description { get; init; } = "";

    /// <summary>Declared inputs, e.g. <c>blueprint</c>, <c>module</c>, <c>artifacts</c>.</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];

    /// <summary>The artifacts it writes, in order.</summary>
    public required IReadOnlyList<SkillOutputSpec> Outputs { get; init; }
}

/// <summary>
/// One output of a skill: a template rendered, or a native generator run, to a path, once or for each item of a
/// collection. Exactly one of <see cref="Template"/> and <see cref="Generator"/> is set.
/// </summary>
public sealed record SkillOutputSpec
{
    /// <summary>Module-relative path; a Scriban template itself, e.g. <c>src/{{ service.project }}/Entities/{{ entity.name }}.cs</c>.</summary>
    public required string Path { get; init; }

    /// <summary>Template file, relative to the pack root, e.g. <c>developer/entity.cs.sbn</c>; null when <see cref="Generator"/> is set.</summary>
    public string? Template { get; init; }

    /// <summary>Name of the <see cref="IArtifactGenerator"/> that writes the content, e.g. <c>openapi</c>; null when <see cref="Template"/> is set.</summary>
    public string? Generator { get; init; }

    /// <summary>Artifact kind, e.g. <c>csharp</c>, <c>openapi</c>, <c>markdown</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>
    /// Null to render once; <c>entity</c>, <c>operation</c> or <c>event</c> to render once per item of the module,
    /// <c>environment</c> once per deploy environment of the blueprint.
    /// </summary>
    public string? Each { get; init; }

    /// <summary>What produces the content, for messages: <c>template 'x.sbn'</c> or <c>generator 'openapi'</c>.</summary>
    public string Source => Generator is null ? $"template '{Template}'" : $"generator '{Generator}'";
}

/// <summary>An artifact already produced in this run, visible to later skills (validator, release).</summary>
/// <param name="Path">Module-relative path.</param>
/// <param name="Kind">Artifact kind.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the content.</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="Skill">Producing skill id.</param>
/// <param name="Role">Producing agent role.</param>
public sealed record UpstreamArtifact(string Path, string Kind, string Sha256, long Size, string Skill, string Role);

/// <summary>Everything a skill execution may read. Generated output must be a pure function of it.</summary>
public sealed record SkillInput
{
    /// <summary>The validated blueprint.</summary>
    public required Blueprint Blueprint { get; init; }

    /// <summary>SHA-256 of the blueprint's canonical form.</summary>
    public required string BlueprintHash { get; init; }

    /// <summary>The module being generated.</summary>
    public required ModuleSpec Module { get; init; }

    /// <summary>Artifacts produced earlier in this module, ordered by path.</summary>
    public IReadOnlyList<UpstreamArtifact> Upstream { get; init; } = [];

    /// <summary>
    /// Handler bodies (C# statements) a chat model wrote for the module's operations with a <c>behavior</c>, by
    /// operation name, once the compiler accepted them; empty offline (those operations then answer 501).
    /// </summary>
    public IReadOnlyDictionary<string, string> HandlerBodies { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
}

/// <summary>A file a skill produced: module-relative path, kind and UTF-8 content.</summary>
/// <param name="Path">Module-relative path with forward slashes.</param>
/// <param name="Kind">Artifact kind.</param>
/// <param name="Content">The bytes (UTF-8, no BOM, LF line endings).</param>
public sealed record GeneratedFile(string Path, string Kind, ReadOnlyMemory<byte> Content);

/// <summary>A loaded template pack: its identity, skills, and parsed templates.</summary>
public interface ITemplatePack
{
    /// <summary>Pack name, e.g. <c>dotnet-service</c>.</summary>
    string Name { get; }

    /// <summary>Pack semantic version.</summary>
    string Version { get; }

    /// <summary>Every skill of the pack, in declaration order.</summary>
    IReadOnlyList<SkillDescriptor> Skills { get; }

    /// <summary>The skills of one role, in declaration order (empty for an unknown role).</summary>
    IReadOnlyList<SkillDescriptor> SkillsFor(string role);
}

/// <summary>Executes a skill: renders its templates for one module. Thread-safe; templates are parsed once.</summary>
public interface ISkillExecutor
{
    /// <summary>Renders every output of <paramref name="skill"/> for <paramref name="input"/>.</summary>
    /// <exception cref="SkillExecutionException">A template failed to render; the message names the skill, template and cause.</exception>
    IReadOnlyList<GeneratedFile> Execute(SkillDescriptor skill, SkillInput input);
}

/// <summary>A skill failed; <see cref="SkillId"/> names it.</summary>
public sealed class SkillExecutionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SkillExecutionException(string skillId, string message, Exception? inner = null)
        : base(message, inner) => SkillId = skillId;

    /// <summary>The failing skill's id.</summary>
    public string SkillId { get; }
}

/// <summary>The agent roles, in the order the planner sequences them within a module.</summary>
public static class AgentRoles
{
    /// <summary>Contracts: OpenAPI, proto, event schemas.</summary>
    public const string Architect = "architect";
    /// <summary>The service code.</summary>
    public const string Developer = "developer";
    /// <summary>Tests and feature files.</summary>
    public const string Qa = "qa";
    /// <summary>Scope policies, secrets, PII redaction.</summary>
    public const string Security = "security";
    /// <summary>Container, manifests, CI.</summary>
    public const string Infra = "infra";
    /// <summary>Telemetry set-up and alerts.</summary>
    public const string Observability = "observability";
    /// <summary>The module README.</summary>
    public const string Docs = "docs";
    /// <summary>Gates over the artifact set.</summary>
    public const string Validator = "validator";
    /// <summary>The release manifest.</summary>
    public const string Release = "release";

    /// <summary>Every role.</summary>
    public static readonly IReadOnlyList<string> All = [Architect, Developer, Qa, Security, Infra, Observability, Docs, Validator, Release];

    /// <summary>The roles that run in parallel after the developer.</summary>
    public static readonly IReadOnlyList<string> AfterDeveloper = [Qa, Security, Infra, Observability, Docs];
}
