using System.Globalization;
using Factory.Grains.Runtime;
using Factory.Grains.Tenants;
using Microsoft.Extensions.Options;

namespace Factory.Grains.Agents;

/// <summary>What one skill execution used: its compute time and, when it called a model, the model's tokens.</summary>
/// <param name="Edition">The tenant's edition (prices compute).</param>
/// <param name="SkillId">The skill.</param>
/// <param name="Compute">How long it ran.</param>
/// <param name="TokensIn">Model tokens sent (0 when it called no model).</param>
/// <param name="TokensOut">Model tokens received.</param>
/// <param name="Model">The model called, or empty.</param>
public sealed record SkillUsage(string Edition, string SkillId, TimeSpan Compute, long TokensIn = 0, long TokensOut = 0, string Model = "");

/// <summary>What one skill execution cost, in US dollars.</summary>
/// <param name="Usage">What it used.</param>
/// <param name="ComputeUsd">Its compute time, priced per edition.</param>
/// <param name="TokensUsd">Its model tokens, priced per model.</param>
public sealed record SkillCost(SkillUsage Usage, decimal ComputeUsd, decimal TokensUsd)
{
    /// <summary>The whole cost.</summary>
    public decimal TotalUsd => ComputeUsd + TokensUsd;

    /// <summary>The cost as attributes of a <c>SkillCompleted</c> event (token attributes only when a model was called).</summary>
    public IEnumerable<KeyValuePair<string, string>> Attributes()
    {
        yield return new(TraceAttributes.CostUsd, Usd(TotalUsd));
        yield return new(TraceAttributes.ComputeUsd, Usd(ComputeUsd));
        if (Usage.TokensIn > 0 || Usage.TokensOut > 0 || Usage.Model.Length > 0)
        {
            yield return new(TraceAttributes.TokensUsd, Usd(TokensUsd));
            yield return new(TraceAttributes.TokensIn, Usage.TokensIn.ToString(CultureInfo.InvariantCulture));
            yield return new(TraceAttributes.TokensOut, Usage.TokensOut.ToString(CultureInfo.InvariantCulture));
            yield return new(TraceAttributes.Model, Usage.Model);
        }
    }

    /// <summary>A dollar amount as trace attributes carry it (invariant culture, up to ten decimals).</summary>
    public static string Usd(decimal value) => value.ToString("0.##########", CultureInfo.InvariantCulture);
}

/// <summary>Prices skill executions. Replace the registration to price differently.</summary>
public interface ISkillCostCalculator
{
    /// <summary>What <paramref name="usage"/> costs.</summary>
    SkillCost Price(SkillUsage usage);
}

/// <summary>One model's token prices, configured under <c>Factory:Llm:Prices:{model}</c>.</summary>
public sealed class ModelPrice
{
    /// <summary>US dollars per million tokens sent. Default 0.</summary>
    public decimal InputPerMillionUsd { get; set; }

    /// <summary>US dollars per million tokens received. Default 0.</summary>
    public decimal OutputPerMillionUsd { get; set; }
}

/// <summary>Model token prices (section <c>Factory:Llm</c>, key <c>Prices</c>).</summary>
public sealed class LlmPricingOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Factory:Llm";

    /// <summary>Prices by model name (case-insensitive). A model not listed costs nothing per token. Default: none.</summary>
    public Dictionary<string, ModelPrice> Prices { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>Checks <see cref="LlmPricingOptions"/> at start-up; each failure names the setting.</summary>
public sealed class LlmPricingOptionsValidator : IValidateOptions<LlmPricingOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, LlmPricingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (var (model, price) in options.Prices)
        {
            if (price is null || price.InputPerMillionUsd < 0 || price.OutputPerMillionUsd < 0)
            {
                failures.Add($"{LlmPricingOptions.Section}:Prices:{model} must set InputPerMillionUsd and OutputPerMillionUsd, neither negative.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// Compute time times the edition's price (<c>Factory:Editions:{name}:ComputePricePerSecondUsd</c>, else
/// <c>Factory:Runtime:ComputePricePerSecondUsd</c>), plus tokens times the model's prices (<c>Factory:Llm:Prices</c>).
/// </summary>
public sealed class SkillCostCalculator(
    IOptions<FactoryRuntimeOptions> runtime,
    IOptions<EditionOptions> editions,
    IOptions<LlmPricingOptions> llm) : ISkillCostCalculator
{
    private const decimal Million = 1_000_000m;

    /// <inheritdoc/>
    public SkillCost Price(SkillUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var perSecond = editions.Value.ComputePriceOf(usage.Edition) ?? runtime.Value.ComputePricePerSecondUsd;
        var compute = (decimal)usage.Compute.TotalSeconds * perSecond;
        var tokens = 0m;
        if (usage.Model.Length > 0 && llm.Value.Prices.TryGetValue(usage.Model, out var price) && price is not null)
        {
            tokens = (usage.TokensIn * price.InputPerMillionUsd + usage.TokensOut * price.OutputPerMillionUsd) / Million;
        }

        return new SkillCost(usage, compute, tokens);
    }
}
