namespace Factory.Blueprints;

/// <summary>
/// A parsed blueprint (<c>apiVersion: factory/v1</c>): what a tenant asks Factory to deliver.
/// Instances are immutable; optional sections are empty lists, never null.
/// </summary>
public sealed record Blueprint
{
    /// <summary>The only schema version this build understands.</summary>
    public const string CurrentApiVersion = "factory/v1";

    /// <summary>The schema version, <c>factory/v1</c>.</summary>
    public required string ApiVersion { get; init; }

    /// <summary>Name, semantic version, description and owner.</summary>
    public required BlueprintMetadata Metadata { get; init; }

    /// <summary>The business domain: entities and events.</summary>
    public required DomainModel Domain { get; init; }

    /// <summary>The deployable units to generate, in document order.</summary>
    public required IReadOnlyList<ModuleSpec> Modules { get; init; }

    /// <summary>Gate policies; defaults apply when the section is absent.</summary>
    public PolicySpec Policies { get; init; } = new();

    /// <summary>Secret references (never values).</summary>
    public IReadOnlyList<SecretRef> Secrets { get; init; } = [];

    /// <summary>Deployment environments (at least one after defaults: <c>dev</c>).</summary>
    public IReadOnlyList<EnvironmentSpec> Environments { get; init; } = [];
}

/// <summary>Identity of a blueprint.</summary>
public sealed record BlueprintMetadata
{
    /// <summary>Lower-case kebab identifier, e.g. <c>clinic-appointments</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Semantic version (SemVer 2.0), e.g. <c>1.2.0</c>.</summary>
    public required string Version { get; init; }

    /// <summary>Free text; empty when absent.</summary>
    public string Description { get; init; } = "";

    /// <summary>The owning team; empty when absent.</summary>
    public string Owner { get; init; } = "";
}

/// <summary>Entities and events of the business domain.</summary>
public sealed record DomainModel
{
    /// <summary>Entities, in document order.</summary>
    public IReadOnlyList<EntitySpec> Entities { get; init; } = [];

    /// <summary>Domain events, in document order.</summary>
    public IReadOnlyList<EventSpec> Events { get; init; } = [];
}

/// <summary>A domain entity: a PascalCase name and typed fields.</summary>
public sealed record EntitySpec
{
    /// <summary>PascalCase identifier, e.g. <c>Appointment</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Free text; empty when absent.</summary>
    public string Description { get; init; } = "";

    /// <summary>Fields, in document order.</summary>
    public required IReadOnlyList<FieldSpec> Fields { get; init; }
}

/// <summary>A domain event: a PascalCase name, an optional owning entity, and a payload.</summary>
public sealed record EventSpec
{
    /// <summary>PascalCase identifier in past tense, e.g. <c>AppointmentRescheduled</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Free text; empty when absent.</summary>
    public string Description { get; init; } = "";

    /// <summary>The entity the event is about, or empty.</summary>
    public string Entity { get; init; } = "";

    /// <summary>Payload fields, in document order.</summary>
    public IReadOnlyList<FieldSpec> Fields { get; init; } = [];
}

/// <summary>Scalar types a field can have.</summary>
public enum FieldType
{
    /// <summary>UTF-8 text; may carry <see cref="FieldSpec.MaxLength"/>.</summary>
    String,
    /// <summary>32-bit signed integer.</summary>
    Int,
    /// <summary>Exact decimal number (money, quantities).</summary>
    Decimal,
    /// <summary>true or false.</summary>
    Bool,
    /// <summary>An instant with offset (ISO 8601).</summary>
    DateTime,
    /// <summary>A UUID.</summary>
    Uuid,
    /// <summary>One of <see cref="FieldSpec.Values"/>.</summary>
    Enum,
}

/// <summary>A typed field of an entity or event.</summary>
public sealed record FieldSpec
{
    /// <summary>camelCase identifier, e.g. <c>startsAt</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The field's type.</summary>
    public required FieldType Type { get; init; }

    /// <summary>Whether a value must be present. Default false.</summary>
    public bool Required { get; init; }

    /// <summary>Maximum length in characters (strings only), or null for none.</summary>
    public int? MaxLength { get; init; }

    /// <summary>Personal data: redacted from logs, events and traces. Default false.</summary>
    public bool Pii { get; init; }

    /// <summary>Allowed values (enums only), PascalCase, in document order.</summary>
    public IReadOnlyList<string> Values { get; init; } = [];

    /// <summary>Free text; empty when absent.</summary>
    public string Description { get; init; } = "";

    /// <summary>
    /// A sample value, for documentation; empty when absent. A run records the example of a <see cref="Pii"/>
    /// field masked, never in clear.
    /// </summary>
    public string Example { get; init; } = "";
}

/// <summary>Kinds of module Factory can generate.</summary>
public enum ModuleKind
{
    /// <summary>An HTTP API service.</summary>
    Service,
    /// <summary>A background worker consuming events.</summary>
    Worker,
}

/// <summary>One deployable unit of the blueprint.</summary>
public sealed record ModuleSpec
{
    /// <summary>Lower-case kebab identifier, e.g. <c>appointments</c>; names folders and projects.</summary>
    public required string Name { get; init; }

    /// <summary>What is generated for it. Default <see cref="ModuleKind.Service"/>.</summary>
    public ModuleKind Kind { get; init; } = ModuleKind.Service;

    /// <summary>Free text; empty when absent.</summary>
    public string Description { get; init; } = "";

    /// <summary>Names of the domain entities this module owns.</summary>
    public IReadOnlyList<string> Entities { get; init; } = [];

    /// <summary>Names of the domain events this module publishes.</summary>
    public IReadOnlyList<string> Publishes { get; init; } = [];

    /// <summary>Names of the domain events this module consumes.</summary>
    public IReadOnlyList<string> Consumes { get; init; } = [];

    /// <summary>Names of modules that must be delivered before this one.</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];

    /// <summary>API operations, in document order.</summary>
    public IReadOnlyList<OperationSpec> Operations { get; init; } = [];
}

/// <summary>HTTP methods an operation can use.</summary>
public enum HttpVerb
{
    /// <summary>Read.</summary>
    Get,
    /// <summary>Create or act.</summary>
    Post,
    /// <summary>Replace.</summary>
    Put,
    /// <summary>Partial update.</summary>
    Patch,
    /// <summary>Remove.</summary>
    Delete,
}

/// <summary>An API operation of a module.</summary>
public sealed record OperationSpec
{
    /// <summary>PascalCase identifier, e.g. <c>BookAppointment</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The HTTP method.</summary>
    public required HttpVerb Method { get; init; }

    /// <summary>Route template, e.g. <c>/appointments/{id}</c>.</summary>
    public required string Path { get; init; }

    /// <summary>The auth scope a caller must hold, e.g. <c>appointments.write</c>; empty when absent (a gate rejects that).</summary>
    public string Scope { get; init; } = "";

    /// <summary>The request body: an entity or event name, or empty for none.</summary>
    public string Input { get; init; } = "";

    /// <summary>The response body: an entity name, or empty for none.</summary>
    public string Output { get; init; } = "";

    /// <summary>Whether the response is a list of <see cref="Output"/>. Written <c>output: Appointment[]</c>.</summary>
    public bool OutputIsList { get; init; }

    /// <summary>Free text; empty when absent.</summary>
    public string Description { get; init; } = "";

    /// <summary>Business behaviour in prose, for an LLM-written handler; empty when absent.</summary>
    public string Behavior { get; init; } = "";
}

/// <summary>How a gate rule's violation is treated.</summary>
public enum RuleMode
{
    /// <summary>The run is blocked.</summary>
    Block,
    /// <summary>Reported, not blocking.</summary>
    Warn,
    /// <summary>Not evaluated.</summary>
    Off,
}

/// <summary>Gate policies declared by the blueprint.</summary>
public sealed record PolicySpec
{
    /// <summary>Rule id to mode; rules not listed are <see cref="RuleMode.Block"/>.</summary>
    public IReadOnlyDictionary<string, RuleMode> Rules { get; init; } = new SortedDictionary<string, RuleMode>(StringComparer.Ordinal);

    /// <summary>Minimum share of operations covered by generated tests, 0..1. Default 1.</summary>
    public decimal MinTestCoverage { get; init; } = 1m;

    /// <summary>Maximum cost of a run in US dollars, or null for no budget.</summary>
    public decimal? CostBudgetUsd { get; init; }

    /// <summary>Returns the mode for <paramref name="ruleId"/> (block when not listed).</summary>
    public RuleMode ModeOf(string ruleId) => Rules.TryGetValue(ruleId, out var mode) ? mode : RuleMode.Block;
}

/// <summary>A named reference to a secret held elsewhere.</summary>
public sealed record SecretRef
{
    /// <summary>camelCase identifier used in configuration, e.g. <c>paymentsApiKey</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Where the value lives: <c>vault://path</c> or <c>env://VARIABLE</c>.</summary>
    public required string Ref { get; init; }
}

/// <summary>A deployment environment.</summary>
public sealed record EnvironmentSpec
{
    /// <summary>Lower-case identifier, e.g. <c>dev</c>, <c>prod</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Replicas per module, 1..100. Default 1.</summary>
    public int Replicas { get; init; } = 1;
}
