using Microsoft.Extensions.Options;

namespace Factory.Grains.Tenants;

/// <summary>One edition's quotas, as configured under <c>Factory:Editions:{name}</c>.</summary>
public sealed class EditionSettings
{
    /// <summary>Runs in flight at once.</summary>
    public int MaxConcurrentRuns { get; set; }

    /// <summary>Runs submitted in any sliding minute.</summary>
    public int RunsPerMinute { get; set; }

    /// <summary>Size of a submitted blueprint's canonical JSON, in UTF-8 bytes.</summary>
    public int MaxBlueprintBytes { get; set; }

    /// <summary>Modules in a submitted blueprint.</summary>
    public int MaxModules { get; set; }

    /// <summary>
    /// Price of one second of skill compute for this edition's tenants, in US dollars; null (the default) takes
    /// <c>Factory:Runtime:ComputePricePerSecondUsd</c>.
    /// </summary>
    public decimal? ComputePricePerSecondUsd { get; set; }
}

/// <summary>
/// The editions tenants can be on and the one a tenant gets when none was chosen (section <c>Factory</c>:
/// keys <c>Factory:Editions</c> and <c>Factory:DefaultEdition</c>).
/// </summary>
public sealed class EditionOptions
{
    /// <summary>The configuration section holding <see cref="Editions"/> and <see cref="DefaultEdition"/>.</summary>
    public const string Section = "Factory";

    /// <summary>The built-in free edition.</summary>
    public const string Free = "free";

    /// <summary>The built-in pro edition.</summary>
    public const string Pro = "pro";

    /// <summary>The built-in enterprise edition.</summary>
    public const string Enterprise = "enterprise";

    /// <summary>
    /// Editions by name (case-insensitive). Defaults: <c>free</c> (2 concurrent runs, 10 per minute, 256 KiB,
    /// 8 modules), <c>pro</c> (20, 120 per minute, 1 MiB, 32) and <c>enterprise</c> (200, 1,200 per minute,
    /// 4 MiB, 100). Configured entries add editions or override these.
    /// </summary>
    public Dictionary<string, EditionSettings> Editions { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        [Free] = new() { MaxConcurrentRuns = 2, RunsPerMinute = 10, MaxBlueprintBytes = 256 * 1024, MaxModules = 8 },
        [Pro] = new() { MaxConcurrentRuns = 20, RunsPerMinute = 120, MaxBlueprintBytes = 1024 * 1024, MaxModules = 32 },
        [Enterprise] = new() { MaxConcurrentRuns = 200, RunsPerMinute = 1200, MaxBlueprintBytes = 4 * 1024 * 1024, MaxModules = 100 },
    };

    /// <summary>The edition of a tenant that was never created (such as the embedded <c>default</c> tenant). Default: <c>free</c>.</summary>
    public string DefaultEdition { get; set; } = Free;

    /// <summary>The configured name of <paramref name="edition"/> (matched case-insensitively) and its limits, or null when not configured.</summary>
    public EditionLimits? Find(string edition)
    {
        foreach (var (name, settings) in Editions)
        {
            if (string.Equals(name, edition, StringComparison.OrdinalIgnoreCase))
            {
                return new EditionLimits(name, settings.MaxConcurrentRuns, settings.RunsPerMinute, settings.MaxBlueprintBytes, settings.MaxModules);
            }
        }

        return null;
    }

    /// <summary>The compute price of <paramref name="edition"/> (matched case-insensitively), or null when it sets none or is not configured.</summary>
    public decimal? ComputePriceOf(string edition)
    {
        foreach (var (name, settings) in Editions)
        {
            if (string.Equals(name, edition, StringComparison.OrdinalIgnoreCase))
            {
                return settings?.ComputePricePerSecondUsd;
            }
        }

        return null;
    }

    /// <summary>The configured edition names, sorted.</summary>
    public IReadOnlyList<string> Names => [.. Editions.Keys.Order(StringComparer.Ordinal)];
}

/// <summary>Checks <see cref="EditionOptions"/> at start-up; each failure names the setting.</summary>
public sealed class EditionOptionsValidator : IValidateOptions<EditionOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, EditionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Editions.Count == 0)
        {
            failures.Add($"{EditionOptions.Section}:Editions must configure at least one edition.");
        }

        foreach (var (edition, settings) in options.Editions)
        {
            var prefix = $"{EditionOptions.Section}:Editions:{edition}";
            if (!TenantIds.IsValid(edition))
            {
                failures.Add($"{prefix}: the edition name must be lower-case letters, digits and '-', starting with a letter.");
            }

            if (settings is null)
            {
                failures.Add($"{prefix} has no limits.");
                continue;
            }

            Positive(failures, $"{prefix}:MaxConcurrentRuns", settings.MaxConcurrentRuns);
            Positive(failures, $"{prefix}:RunsPerMinute", settings.RunsPerMinute);
            Positive(failures, $"{prefix}:MaxBlueprintBytes", settings.MaxBlueprintBytes);
            Positive(failures, $"{prefix}:MaxModules", settings.MaxModules);
            if (settings.ComputePricePerSecondUsd < 0)
            {
                failures.Add($"{prefix}:ComputePricePerSecondUsd must not be negative (was {settings.ComputePricePerSecondUsd}).");
            }
        }

        if (string.IsNullOrWhiteSpace(options.DefaultEdition) || options.Find(options.DefaultEdition) is null)
        {
            failures.Add($"{EditionOptions.Section}:DefaultEdition '{options.DefaultEdition}' is not a configured edition; configured: {string.Join(", ", options.Names)}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, string setting, int value)
    {
        if (value <= 0)
        {
            failures.Add($"{setting} must be positive (was {value}).");
        }
    }
}
