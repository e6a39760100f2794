namespace Factory.Grains.Gates;

/// <summary>The rule ids of the built-in gates, as a blueprint's <c>policies.rules</c> names them.</summary>
public static class GateRuleIds
{
    /// <summary>Every operation has a scope, and its generated endpoint requires it.</summary>
    public const string AuthScopeRequired = "auth-scope-required";

    /// <summary>No artifact holds a literal secret value.</summary>
    public const string NoSecretValues = "no-secret-values";

    /// <summary>Personal-data fields are marked for redaction, and redaction is enabled.</summary>
    public const string PiiRedacted = "pii-redacted";

    /// <summary>Enough operations have generated tests.</summary>
    public const string OperationTestCoverage = "operation-test-coverage";

    /// <summary>The service's C# compiles without errors or warnings.</summary>
    public const string Compiles = "compiles";

    /// <summary>The run stays within the blueprint's cost budget.</summary>
    public const string CostBudget = "cost-budget";

    /// <summary>The module's API stays compatible with the last promoted blueprint.</summary>
    public const string BreakingChange = "breaking-change";
}
