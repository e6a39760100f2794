using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Factory.Blueprints;
using Factory.Grains.Gates;
using Factory.Grains.Skills;
using Factory.Grains.Storage;

namespace Factory.Grains.Agents;

/// <summary>
/// The validator's built-in skill: evaluates every gate of the blueprint's policy over the module's
/// upstream artifacts and writes the module's validation report. The report holds only what the
/// gates decided (rule, mode, verdict, violations), so two runs with the same inputs write the same bytes.
/// The evaluation runs under the <see cref="SkillThrottle"/> when one is given.
/// </summary>
public sealed class GateStep(GateEvaluator evaluator, IArtifactStore store, SkillThrottle? throttle = null)
{
    /// <summary>The skill id under which gate events and the report are traced.</summary>
    public const string SkillId = "validator.gates";

    /// <summary>The skill's version; bump it when the report's shape changes.</summary>
    public const string SkillVersion = "1.0.0";

    /// <summary>Where the report goes, relative to the module folder.</summary>
    public const string ReportPath = "validation/report.json";

    /// <summary>The report's artifact kind.</summary>
    public const string ReportKind = "validation-report";

    /// <summary>Evaluates the gates for <paramref name="input"/>'s module and renders the report.</summary>
    /// <param name="input">The module's skill input; its upstream artifacts are what the gates inspect.</param>
    /// <param name="baseline">The blueprint the breaking-change gate compares with, or null.</param>
    /// <param name="runCostUsd">What the run has cost so far.</param>
    /// <param name="cancellationToken">Stops the evaluation.</param>
    public async Task<(ImmutableArray<GateResult> Results, GeneratedFile Report)> RunAsync(
        SkillInput input, Blueprint? baseline, decimal runCostUsd, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var artifacts = new List<GateArtifact>(input.Upstream.Count);
        foreach (var upstream in input.Upstream)
        {
            var content = await store.GetAsync(upstream.Sha256, cancellationToken)
                ?? throw new InvalidOperationException($"Artifact {upstream.Path} ({upstream.Sha256}) is missing from the artifact store.");
            artifacts.Add(new GateArtifact(upstream.Path, upstream.Kind, content));
        }

        var context = new GateContext
        {
            Blueprint = input.Blueprint,
            BlueprintHash = input.BlueprintHash,
            Module = input.Module,
            Artifacts = artifacts,
            RunCostUsd = runCostUsd,
            PromotedBlueprint = baseline,
        };
        var results = throttle is null
            ? (await evaluator.EvaluateAsync(context, cancellationToken)).ToImmutableArray()
            : await throttle.RunAsync(async () => (await evaluator.EvaluateAsync(context, cancellationToken)).ToImmutableArray(), cancellationToken);
        return (results, new GeneratedFile(ReportPath, ReportKind, Report(input, results)));
    }

    /// <summary>The trace event type for <paramref name="result"/>.</summary>
    public static string EventType(GateResult result) =>
        result.Passed ? TraceEventTypes.GatePassed : result.Mode == GateMode.Block ? TraceEventTypes.GateFailed : TraceEventTypes.GateWarned;

    /// <summary>The trace attributes of <paramref name="result"/>: rule, mode, summary and each violation.</summary>
    public static IEnumerable<KeyValuePair<string, string>> EventAttributes(GateResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        yield return new(TraceAttributes.Rule, result.RuleId);
        yield return new(TraceAttributes.Mode, ModeName(result.Mode));
        yield return new(TraceAttributes.Summary, result.Summary);
        yield return new(TraceAttributes.Violations, result.Violations.Length.ToString(CultureInfo.InvariantCulture));
        for (var i = 0; i < result.Violations.Length; i++)
        {
            var v = result.Violations[i];
            yield return new(TraceAttributes.ViolationPrefix + i.ToString(CultureInfo.InvariantCulture), v.Path.Length > 0 ? $"{v.Path}: {v.Message}" : v.Message);
        }
    }

    /// <summary>The policy-file spelling of <paramref name="mode"/>.</summary>
    public static string ModeName(GateMode mode) => mode == GateMode.Block ? "block" : "warn";

    private static byte[] Report(SkillInput input, ImmutableArray<GateResult> results)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, NewLine = "\n" }))
        {
            json.WriteStartObject();
            json.WriteString("module", input.Module.Name);
            json.WriteString("blueprint", input.Blueprint.Metadata.Name);
            json.WriteString("blueprintVersion", input.Blueprint.Metadata.Version);
            json.WriteString("blueprintHash", input.BlueprintHash);
            json.WriteBoolean("promotable", !results.Any(r => r.Blocks));
            json.WriteStartArray("gates");
            foreach (var result in results)
            {
                json.WriteStartObject();
                json.WriteString("rule", result.RuleId);
                json.WriteString("mode", ModeName(result.Mode));
                json.WriteBoolean("passed", result.Passed);
                json.WriteStartArray("violations");
                foreach (var violation in result.Violations)
                {
                    json.WriteStartObject();
                    json.WriteString("path", violation.Path);
                    json.WriteString("message", violation.Message);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }
}
