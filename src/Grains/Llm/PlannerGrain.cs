using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Factory.Blueprints;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Factory.Grains.Llm;

/// <summary>
/// Turns a prompt into a blueprint through the tenant's chat model (key: the tenant id). The model gets the
/// blueprint's JSON Schema and the tenant's registered blueprints; its answer is parsed and validated like any
/// submitted blueprint, and the validator's problems go back to it for at most
/// <see cref="LlmEndpointSettings.PlannerAttempts"/> answers. The accepted blueprint is registered.
/// </summary>
[StatelessWorker]
public sealed partial class PlannerGrain(LlmChat chat, IOptions<LlmOptions> options, ILogger<PlannerGrain> logger) : Grain, IPlannerGrain
{
    /// <summary>Longest prompt accepted, in characters.</summary>
    public const int MaxPromptLength = 8000;

    private const int MaxContextBlueprints = 50;

    private string TenantId => this.GetPrimaryKeyString();

    /// <inheritdoc/>
    public async Task<PlannedBlueprint> PlanAsync(string prompt)
    {
        if (string.IsNullOrWhiteSpace(prompt))
        {
            throw new ArgumentException("The prompt is empty: describe the service to build.", nameof(prompt));
        }

        if (prompt.Length > MaxPromptLength)
        {
            throw new ArgumentException($"The prompt is {prompt.Length} characters; the limit is {MaxPromptLength}.", nameof(prompt));
        }

        var limits = await GrainFactory.GetGrain<ITenantGrain>(TenantId).GetLimitsAsync();
        var settings = options.Value.Resolve(TenantId, limits.Edition) ?? throw new LlmNotConfiguredException(TenantId, limits.Edition);
        var registry = GrainFactory.GetGrain<IBlueprintRegistryGrain>(TenantId);
        var messages = new List<LlmMessage>
        {
            LlmMessage.System(SystemPrompt()),
            LlmMessage.User(await UserPromptAsync(prompt, registry)),
        };

        var exchanges = ImmutableArray.CreateBuilder<LlmExchange>();
        var attempts = Math.Min(settings.PlannerAttempts, settings.MaxCallsPerRun);
        IReadOnlyList<string> problems = [];
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            var exchange = await chat.CompleteAsync(settings, new LlmCallContext($"planner/{attempt}", TenantId, "", "", ""), messages, CancellationToken.None);
            exchanges.Add(exchange);
            var document = Document(exchange.Response);
            var loaded = BlueprintLoader.Load(document, "the planner's answer");
            if (loaded.IsValid && loaded.Blueprint is { } blueprint && loaded.CanonicalJson is { } canonical && loaded.Hash is { } hash)
            {
                try
                {
                    await registry.RegisterAsync(canonical);
                    LogPlanned(logger, TenantId, blueprint.Metadata.Name, blueprint.Metadata.Version, attempt);
                    return new PlannedBlueprint
                    {
                        CanonicalJson = canonical,
                        Name = blueprint.Metadata.Name,
                        Version = blueprint.Metadata.Version,
                        Sha256 = hash,
                        Exchanges = exchanges.ToImmutable(),
                    };
                }
                catch (BlueprintVersionConflictException conflict)
                {
                    problems = [$"metadata.version: {conflict.Message}"];
                }
            }
            else
            {
                problems = [.. loaded.Problems.Select(p => p.ToString())];
            }

            LogAnswerRejected(logger, TenantId, attempt, problems.Count);
            messages.Add(LlmMessage.Assistant(exchange.Response));
            messages.Add(LlmMessage.User(
                "That blueprint is not valid. The validator reports:\n" + string.Join('\n', problems.Select(p => "- " + p))
                + "\nAnswer again with the complete corrected blueprint as one JSON object, and nothing else."));
        }

        throw new BlueprintPlanningException(attempts, problems);
    }

    /// <summary>The blueprint in an answer: the text inside its first code fence when it has one, else the whole answer.</summary>
    internal static string Document(string answer)
    {
        var start = answer.IndexOf("```", StringComparison.Ordinal);
        if (start < 0)
        {
            return answer.Trim();
        }

        var bodyStart = answer.IndexOf('\n', start);
        var end = bodyStart < 0 ? -1 : answer.IndexOf("```", bodyStart, StringComparison.Ordinal);
        return end < 0 ? answer.Trim() : answer[(bodyStart + 1)..end].Trim();
    }

    private static string SystemPrompt() =>
        "You design software services as Factory blueprints. Answer with exactly one blueprint: a JSON object valid against "
        + "this JSON Schema, with apiVersion \"factory/v1\". Every operation needs a scope. Operations that are not plain "
        + "create/get/list/update/delete describe their business rules in `behavior`. Never put secret values in a "
        + "blueprint; secrets are vault:// or env:// references. Answer with the JSON only.\n\nJSON Schema:\n" + BlueprintSchema.Json;

    private static async Task<string> UserPromptAsync(string prompt, IBlueprintRegistryGrain registry)
    {
        var text = new StringBuilder();
        text.Append("Design this service:\n").Append(prompt.Trim()).Append('\n');
        var registered = await registry.ListAsync();
        if (registered.Length > 0)
        {
            text.Append("\nThe tenant's registered blueprints (reuse their names for new versions of the same service; a new version needs a higher version number):\n");
            foreach (var entry in registered.TakeLast(MaxContextBlueprints))
            {
                var full = await registry.GetAsync(entry.Name, entry.Version);
                text.Append("- ").Append(entry.Name).Append('@').Append(entry.Version);
                if (full is not null && Description(full.CanonicalJson) is { Length: > 0 } description)
                {
                    text.Append(": ").Append(description);
                }

                text.Append('\n');
            }
        }

        return text.ToString();
    }

    private static string Description(string canonicalJson)
    {
        using var document = JsonDocument.Parse(canonicalJson);
        return document.RootElement.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("description", out var description)
            ? description.GetString() ?? ""
            : "";
    }
}
