namespace Factory.Blueprints;

/// <summary>
/// Stable codes of <see cref="BlueprintProblem"/>s. A code never changes meaning once released; new codes are appended.
/// </summary>
public static class BlueprintProblemCodes
{
    /// <summary>The text is not well-formed YAML (or JSON); the position is the parser's.</summary>
    public const string YamlSyntax = "FB001";

    /// <summary>The document is larger than BlueprintLimits.MaxDocumentBytes.</summary>
    public const string DocumentTooLarge = "FB002";

    /// <summary>The document is empty or holds only comments.</summary>
    public const string EmptyDocument = "FB003";

    /// <summary>The text holds more than one YAML document.</summary>
    public const string MultipleDocuments = "FB004";

    /// <summary>An anchor alias (*name) is used; aliases are rejected so a small text cannot expand into a huge one.</summary>
    public const string AliasNotAllowed = "FB005";

    /// <summary>A node has the wrong kind (e.g. a sequence where a mapping is expected), or a mapping key is not a scalar.</summary>
    public const string WrongNodeKind = "FB006";

    /// <summary>A mapping holds a key the schema does not know (the message suggests the closest known key).</summary>
    public const string UnknownKey = "FB007";

    /// <summary>A required key is missing or null.</summary>
    public const string MissingRequiredKey = "FB008";

    /// <summary>A key appears twice in the same mapping.</summary>
    public const string DuplicateKey = "FB009";

    /// <summary>A scalar has the wrong type (e.g. maxLength: abc, required: maybe).</summary>
    public const string InvalidScalar = "FB010";

    /// <summary>A scalar is not one of the allowed values (field type, kind, method, rule mode); the message lists them.</summary>
    public const string InvalidEnumValue = "FB011";

    /// <summary>Collections are nested deeper than BlueprintLimits.MaxNestingDepth.</summary>
    public const string NestingTooDeep = "FB012";

    /// <summary>apiVersion is not factory/v1.</summary>
    public const string UnsupportedApiVersion = "FB013";

    /// <summary>metadata.name is not lower-kebab-case of at most 63 characters.</summary>
    public const string InvalidBlueprintName = "FB014";

    /// <summary>metadata.version is not a SemVer 2.0 version.</summary>
    public const string InvalidVersion = "FB015";

    /// <summary>An entity, event or operation name is not PascalCase (^[A-Z][A-Za-z0-9]{0,63}$).</summary>
    public const string InvalidTypeName = "FB016";

    /// <summary>A field name is not camelCase (^[a-z][A-Za-z0-9]{0,63}$).</summary>
    public const string InvalidFieldName = "FB017";

    /// <summary>A field name is a C# keyword (compared case-insensitively).</summary>
    public const string ReservedKeyword = "FB018";

    /// <summary>Two field names of one entity or event collide once PascalCased (e.g. id and Id).</summary>
    public const string FieldNameCollision = "FB019";

    /// <summary>A module name is not lower-kebab-case of at most 40 characters.</summary>
    public const string InvalidModuleName = "FB020";

    /// <summary>An enum value is not PascalCase.</summary>
    public const string InvalidEnumMember = "FB021";

    /// <summary>An operation scope does not match ^[a-z][a-z0-9-]*([.:][a-z][a-z0-9-]*)*$.</summary>
    public const string InvalidScope = "FB022";

    /// <summary>An operation path is not /segment/{param}/... (lower-case segments, camelCase params, no .., no empty segment, at most 200 characters).</summary>
    public const string InvalidPath = "FB023";

    /// <summary>An environment name is not lower-kebab-case.</summary>
    public const string InvalidEnvironmentName = "FB024";

    /// <summary>A secret name is not camelCase.</summary>
    public const string InvalidSecretName = "FB025";

    /// <summary>A secret reference does not match ^(vault|env)://[A-Za-z0-9_./-]+$.</summary>
    public const string InvalidSecretRef = "FB026";

    /// <summary>A name is declared twice (entities, events, fields, modules, operations, environments, secrets, list entries).</summary>
    public const string DuplicateName = "FB027";

    /// <summary>Two operations of one module share the same method and path.</summary>
    public const string DuplicateRoute = "FB028";

    /// <summary>A reference (module entities, publishes, consumes, dependsOn, operation input or output, event entity) does not resolve.</summary>
    public const string UnknownReference = "FB029";

    /// <summary>A module depends on itself.</summary>
    public const string SelfDependency = "FB030";

    /// <summary>Module dependencies form a cycle; the message spells it out.</summary>
    public const string DependencyCycle = "FB031";

    /// <summary>A path parameter does not name a field of the operation's input or output.</summary>
    public const string UnknownPathParameter = "FB032";

    /// <summary>maxLength is set on a field that is not a string.</summary>
    public const string MaxLengthNotAllowed = "FB033";

    /// <summary>maxLength is outside 1..1000000.</summary>
    public const string MaxLengthOutOfRange = "FB034";

    /// <summary>An enum field has no values.</summary>
    public const string EnumValuesMissing = "FB035";

    /// <summary>values is set on a field that is not an enum.</summary>
    public const string ValuesNotAllowed = "FB036";

    /// <summary>An enum field lists the same value twice.</summary>
    public const string DuplicateEnumValue = "FB037";

    /// <summary>A service module declares no operation.</summary>
    public const string ModuleWithoutOperations = "FB038";

    /// <summary>The blueprint declares no module.</summary>
    public const string NoModules = "FB039";

    /// <summary>A policy rule id is not known (the message suggests the closest one).</summary>
    public const string UnknownPolicyRule = "FB040";

    /// <summary>policies.minTestCoverage is outside 0..1.</summary>
    public const string CoverageOutOfRange = "FB041";

    /// <summary>policies.costBudgetUsd is zero or negative.</summary>
    public const string CostBudgetNotPositive = "FB042";

    /// <summary>A string looks like a secret value; secrets must be references (vault:// or env://).</summary>
    public const string SecretLiteral = "FB043";

    /// <summary>A count or length exceeds a limit in BlueprintLimits; the message names the limit.</summary>
    public const string LimitExceeded = "FB044";

    /// <summary>The blueprint file is missing or cannot be read.</summary>
    public const string FileUnreadable = "FB045";

    /// <summary>An environment's replicas is outside 1..100.</summary>
    public const string ReplicasOutOfRange = "FB046";

    /// <summary>output: X[] conflicts with outputIsList: false.</summary>
    public const string OutputListConflict = "FB047";

    /// <summary>An entity declares no field.</summary>
    public const string EntityWithoutFields = "FB048";

    /// <summary>More problems than BlueprintLimits.MaxProblems were found; the rest are not listed.</summary>
    public const string TooManyProblems = "FB049";
}
