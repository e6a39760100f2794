namespace Factory.Blueprints;

/// <summary>Size limits a blueprint must respect; each violation is a <see cref="BlueprintProblemCodes.LimitExceeded"/> problem naming the path and the limit.</summary>
public static class BlueprintLimits
{
    /// <summary>Maximum size of the blueprint text in UTF-8 bytes (256 KiB).</summary>
    public const int MaxDocumentBytes = 256 * 1024;

    /// <summary>Maximum nesting depth of YAML collections.</summary>
    public const int MaxNestingDepth = 32;

    /// <summary>Maximum number of modules.</summary>
    public const int MaxModules = 50;

    /// <summary>Maximum number of entities.</summary>
    public const int MaxEntities = 200;

    /// <summary>Maximum number of events.</summary>
    public const int MaxEvents = 200;

    /// <summary>Maximum number of fields per entity or event.</summary>
    public const int MaxFieldsPerEntity = 100;

    /// <summary>Maximum number of operations per module.</summary>
    public const int MaxOperationsPerModule = 100;

    /// <summary>Maximum number of values of an enum field.</summary>
    public const int MaxEnumValues = 100;

    /// <summary>Maximum number of names in a module's <c>entities</c>, <c>publishes</c>, <c>consumes</c> or <c>dependsOn</c> list.</summary>
    public const int MaxReferencesPerList = 100;

    /// <summary>Maximum number of secret references.</summary>
    public const int MaxSecrets = 50;

    /// <summary>Maximum number of environments.</summary>
    public const int MaxEnvironments = 20;

    /// <summary>Maximum number of policy rules.</summary>
    public const int MaxPolicyRules = 50;

    /// <summary>Maximum length of a description, the owner, or any other free-text scalar except <c>behavior</c>.</summary>
    public const int MaxDescriptionLength = 2000;

    /// <summary>Maximum length of an operation's <c>behavior</c> prose.</summary>
    public const int MaxBehaviorLength = 8000;

    /// <summary>Maximum length of the blueprint name (<c>metadata.name</c>).</summary>
    public const int MaxBlueprintNameLength = 63;

    /// <summary>Maximum length of a module name.</summary>
    public const int MaxModuleNameLength = 40;

    /// <summary>Maximum length of an entity, event, operation, field, enum value or secret name.</summary>
    public const int MaxIdentifierLength = 64;

    /// <summary>Maximum length of <c>metadata.version</c>, a scope, an environment name or a secret reference.</summary>
    public const int MaxShortTextLength = 200;

    /// <summary>Maximum length of an operation path.</summary>
    public const int MaxPathLength = 200;

    /// <summary>Smallest allowed <c>maxLength</c> of a string field.</summary>
    public const int MinFieldMaxLength = 1;

    /// <summary>Largest allowed <c>maxLength</c> of a string field.</summary>
    public const int MaxFieldMaxLength = 1_000_000;

    /// <summary>Smallest allowed replica count of an environment.</summary>
    public const int MinReplicas = 1;

    /// <summary>Largest allowed replica count of an environment.</summary>
    public const int MaxReplicas = 100;

    /// <summary>Maximum number of problems reported for one document; the rest are summarised in one problem.</summary>
    public const int MaxProblems = 200;
}
