using System.Globalization;
using Factory.Grains.Llm;
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

/// <summary>
/// Compute time times the edition's price (<c>Factory:Editions:{name}:ComputePricePerSecondUsd</c>, else
/// <c>Factory:Runtime:ComputePricePerSecondUsd</c>), plus tokens times the model's prices (<see cref="LlmOptions.Prices"/>, <c>Factory:Llm:Prices</c>).
/// </summary>
public sealed class SkillCostCalculator(
    IOptions<FactoryRuntimeOptions> runtime,
    IOptions<EditionOptions> editions,
    IOptions<LlmOptions> llm) : ISkillCostCalculator
{
    /// <inheritdoc/>
    public SkillCost Price(SkillUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var perSecond = editions.Value.ComputePriceOf(usage.Edition) ?? runtime.Value.ComputePricePerSecondUsd;
        var compute = (decimal)usage.Compute.TotalSeconds * perSecond;
        var tokens = usage.Model.Length > 0 ? llm.Value.Price(usage.Model, usage.TokensIn, usage.TokensOut) : 0m;
        return new SkillCost(usage, compute, tokens);
    }
}
