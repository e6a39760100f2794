namespace Factory.Grains.Llm;

/// <summary>The tokens a skill's model calls took, summed over its calls (what its cost is priced from).</summary>
/// <param name="Model">The model called (the last call's), or empty when none was.</param>
/// <param name="Input">Input (prompt) tokens.</param>
/// <param name="Output">Output (completion) tokens.</param>
public sealed record LlmTokens(string Model, int Input, int Output)
{
    /// <summary>No call made.</summary>
    public static LlmTokens None { get; } = new("", 0, 0);

    /// <summary>These tokens and those of <paramref name="exchange"/>.</summary>
    public LlmTokens Add(LlmExchange exchange)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        return new(exchange.Model, Input + exchange.InputTokens, Output + exchange.OutputTokens);
    }
}
