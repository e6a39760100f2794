using Microsoft.Extensions.Options;

namespace Factory.Grains.Llm;

/// <summary>One OpenAI-compatible chat endpoint (OpenAI, Azure OpenAI's v1 API, Ollama, vLLM, ...) and its limits.</summary>
public sealed class LlmEndpointSettings
{
    /// <summary>Base URL of the OpenAI-compatible API, up to and including its version, e.g. <c>https://api.openai.com/v1</c> or <c>http://127.0.0.1:11434/v1</c>; requests go to <c>{Endpoint}/chat/completions</c>. Required.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The model to ask, e.g. <c>gpt-4o-mini</c>. Required.</summary>
    public string Model { get; set; } = "";

    /// <summary>
    /// Name of the configuration key or environment variable holding the API key (the key itself is never
    /// configured here nor kept in state); empty for an endpoint that needs none. Default: empty.
    /// </summary>
    public string ApiKeyVariable { get; set; } = "";

    /// <summary>Largest answer asked for, in tokens. Default: 4096.</summary>
    public int MaxTokens { get; set; } = 4096;

    /// <summary>Calls one run (or one planning) may make. Default: 20.</summary>
    public int MaxCallsPerRun { get; set; } = 20;

    /// <summary>Time one attempt of a call may take. Default: 00:01:00.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Retries of a call after a transient failure (a 408, 429 or 5xx answer, no connection, a timeout), with exponential back-off. Default: 2.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>The first back-off; each retry doubles it (with jitter). Default: 00:00:01.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the endpoint's circuit stays open (calls fail at once) after it kept failing. Default: 00:00:30.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Answers the planner may give before it gives up (validator problems go back after each). Default: 3.</summary>
    public int PlannerAttempts { get; set; } = 3;

    /// <summary>Answers per handler body the developer may get before the run is blocked (compiler diagnostics go back after each). Default: 3.</summary>
    public int HandlerAttempts { get; set; } = 3;
}

/// <summary>Price of a model's tokens, in US dollars per 1,000.</summary>
public sealed class LlmPrice
{
    /// <summary>USD per 1,000 input (prompt) tokens.</summary>
    public decimal InputPer1K { get; set; }

    /// <summary>USD per 1,000 output (completion) tokens.</summary>
    public decimal OutputPer1K { get; set; }
}

/// <summary>
/// Chat models by edition and tenant, and their prices (section <c>Factory:Llm</c>). A tenant uses its own entry
/// under <see cref="Tenants"/>, else its edition's under <see cref="Editions"/>, else none: then everything
/// blueprint-driven runs offline, and a prompt fails naming the setting to add.
/// </summary>
public sealed class LlmOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Factory:Llm";

    /// <summary>Endpoints by edition name (case-insensitive). Default: none.</summary>
    public Dictionary<string, LlmEndpointSettings> Editions { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Endpoints by tenant id, overriding the edition's. Default: none.</summary>
    public Dictionary<string, LlmEndpointSettings> Tenants { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Prices by model name (case-insensitive); a model not listed costs nothing. Default: none.</summary>
    public Dictionary<string, LlmPrice> Prices { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The endpoint of <paramref name="tenantId"/> on <paramref name="edition"/>, or null when none is configured.</summary>
    public LlmEndpointSettings? Resolve(string tenantId, string edition) =>
        Tenants.TryGetValue(tenantId, out var own) ? own
        : Editions.TryGetValue(edition, out var shared) ? shared
        : null;

    /// <summary>What <paramref name="inputTokens"/> and <paramref name="outputTokens"/> of <paramref name="model"/> cost.</summary>
    public decimal Price(string model, long inputTokens, long outputTokens) =>
        Prices.TryGetValue(model, out var price)
            ? (inputTokens * price.InputPer1K / 1000m) + (outputTokens * price.OutputPer1K / 1000m)
            : 0m;
}

/// <summary>Checks <see cref="LlmOptions"/> at start-up; each failure names the setting.</summary>
public sealed class LlmOptionsValidator : IValidateOptions<LlmOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (var (edition, settings) in options.Editions)
        {
            Check(failures, $"{LlmOptions.Section}:Editions:{edition}", settings);
        }

        foreach (var (tenant, settings) in options.Tenants)
        {
            if (!TenantIds.IsValid(tenant))
            {
                failures.Add($"{LlmOptions.Section}:Tenants:{tenant}: '{tenant}' is not a tenant id.");
            }

            Check(failures, $"{LlmOptions.Section}:Tenants:{tenant}", settings);
        }

        foreach (var (model, price) in options.Prices)
        {
            if (price is null || price.InputPer1K < 0 || price.OutputPer1K < 0)
            {
                failures.Add($"{LlmOptions.Section}:Prices:{model}: InputPer1K and OutputPer1K must be 0 or more.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(List<string> failures, string prefix, LlmEndpointSettings? settings)
    {
        if (settings is null)
        {
            failures.Add($"{prefix} is empty: set its Endpoint and Model.");
            return;
        }

        if (settings.Endpoint is not { IsAbsoluteUri: true } uri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{prefix}:Endpoint must be an absolute http(s) URL such as https://api.openai.com/v1 (was '{settings.Endpoint}').");
        }

        if (string.IsNullOrWhiteSpace(settings.Model))
        {
            failures.Add($"{prefix}:Model is required.");
        }

        if (settings.ApiKeyVariable.Length > 0 && settings.ApiKeyVariable.StartsWith("sk-", StringComparison.Ordinal))
        {
            failures.Add($"{prefix}:ApiKeyVariable names the variable that holds the key, not the key itself.");
        }

        Positive(failures, $"{prefix}:MaxTokens", settings.MaxTokens);
        Positive(failures, $"{prefix}:MaxCallsPerRun", settings.MaxCallsPerRun);
        Positive(failures, $"{prefix}:PlannerAttempts", settings.PlannerAttempts);
        Positive(failures, $"{prefix}:HandlerAttempts", settings.HandlerAttempts);
        if (settings.MaxRetries is < 0 or > 10)
        {
            failures.Add($"{prefix}:MaxRetries must be 0 to 10 (was {settings.MaxRetries}).");
        }

        if (settings.Timeout <= TimeSpan.Zero || settings.Timeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{prefix}:Timeout must be more than 0 and at most 00:10:00 (was {settings.Timeout}).");
        }

        if (settings.RetryDelay < TimeSpan.Zero)
        {
            failures.Add($"{prefix}:RetryDelay must not be negative (was {settings.RetryDelay}).");
        }

        if (settings.BreakDuration < TimeSpan.FromMilliseconds(500))
        {
            failures.Add($"{prefix}:BreakDuration must be at least 00:00:00.5 (was {settings.BreakDuration}).");
        }
    }

    private static void Positive(List<string> failures, string setting, int value)
    {
        if (value <= 0)
        {
            failures.Add($"{setting} must be positive (was {value}).");
        }
    }
}
