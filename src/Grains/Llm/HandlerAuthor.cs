using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Factory.Blueprints;
using Factory.Grains.Agents;
using Factory.Grains.Gates;
using Factory.Grains.Runs;
using Factory.Grains.Skills;
using Factory.Grains.Storage;

namespace Factory.Grains.Llm;

/// <summary>What the developer's handler step produced: accepted bodies, the file recording them, its events, and a block when one never compiled.</summary>
/// <param name="Bodies">Accepted bodies (indented C# statements) by operation name.</param>
/// <param name="File">The module's <see cref="HandlerAuthor.BodiesPath"/>, or null when nothing was accepted.</param>
/// <param name="Events">Trace events: feedback included, each call, each rejected answer.</param>
/// <param name="Tokens">The model and the tokens its calls took (priced with the skill, by the cost calculator).</param>
/// <param name="Blocked">A blocking <c>compiles</c> result with the last answer's diagnostics when a body never compiled, else null.</param>
public sealed record HandlerOutcome(
    IReadOnlyDictionary<string, string> Bodies,
    GeneratedFile? File,
    IReadOnlyList<TraceEvent> Events,
    LlmTokens Tokens,
    GateResult? Blocked);

/// <summary>
/// The developer's LLM step: for each operation whose <c>behavior</c> the templates cannot implement (an action,
/// not create/get/list/update/delete), asks the run's chat model for the handler's body, renders the module's
/// sources with it, and compiles them in process (the <c>compiles</c> gate). The compiler's diagnostics go back to
/// the model for at most <see cref="LlmSession.HandlerAttempts"/> answers; a body that never compiles blocks the run.
/// Feedback recorded on the tenant's earlier runs of the blueprint goes into the model's context.
/// </summary>
public sealed class HandlerAuthor(SkillKernels kernels, IEnumerable<IGate> gates, IArtifactStore store)
{
    /// <summary>Where the accepted bodies are kept, relative to the module (read by the agents after the developer).</summary>
    public const string BodiesPath = "llm/handlers.json";

    /// <summary>The kind of <see cref="BodiesPath"/>.</summary>
    public const string BodiesKind = "llm-handlers";

    private const string Indent = "        ";
    private const int MaxFeedbackRuns = 10;
    private const int MaxFeedbackEntries = 20;
    private static readonly string[] SourceRoles = [AgentRoles.Developer, AgentRoles.Security, AgentRoles.Observability];
    private readonly CompilesGate _compiles = gates.OfType<CompilesGate>().Single();

    /// <summary>The module's operations that need a written handler, in blueprint order.</summary>
    public static IReadOnlyList<OperationSpec> Needing(Blueprint blueprint, ModuleSpec module)
    {
        ArgumentNullException.ThrowIfNull(blueprint);
        ArgumentNullException.ThrowIfNull(module);
        var entities = blueprint.Domain.Entities.Where(e => module.Entities.Contains(e.Name)).ToDictionary(e => e.Name, StringComparer.Ordinal);
        return [.. module.Operations.Where(o => o.Behavior.Length > 0 && OperationShape.Of(o, entities).Crud == "action")];
    }

    /// <summary>The bodies the developer recorded upstream of another agent (empty when none).</summary>
    public async Task<SkillInput> WithRecordedBodiesAsync(SkillInput input, IEnumerable<ArtifactRef> upstream, string module, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var recorded = upstream.FirstOrDefault(a => a.Path == $"{module}/{BodiesPath}");
        if (recorded is null)
        {
            return input;
        }

        var content = await store.GetAsync(recorded.Sha256, cancellationToken)
            ?? throw new InvalidOperationException($"The artifact store has no {recorded.Path} (sha256 {recorded.Sha256}).");
        var bodies = JsonSerializer.Deserialize<SortedDictionary<string, string>>(content) ?? [];
        return input with { HandlerBodies = new SortedDictionary<string, string>(bodies, StringComparer.Ordinal) };
    }

    /// <summary>
    /// The operations of the module to write a handler for in this run: every one <see cref="Needing"/> one, except, in
    /// a replay, those the recorded run left unimplemented (it ran offline).
    /// </summary>
    public static async Task<IReadOnlyList<OperationSpec>> ToWriteAsync(LlmSession session, Blueprint blueprint, ModuleSpec module, AgentWork work)
    {
        ArgumentNullException.ThrowIfNull(session);
        var operations = new List<OperationSpec>();
        foreach (var operation in Needing(blueprint, module))
        {
            if (await session.ShouldAskAsync(Key(work, operation, 1)))
            {
                operations.Add(operation);
            }
        }

        return operations;
    }

    /// <summary>Writes the handlers of <paramref name="operations"/> (see <see cref="ToWriteAsync"/>) of <paramref name="input"/>'s module.</summary>
    public async Task<HandlerOutcome> WriteAsync(
        LlmSession session,
        IReadOnlyList<OperationSpec> operations,
        IGrainFactory grains,
        SkillInput input,
        AgentWork work,
        TraceEventSequence events,
        string skillSpanId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(work);
        var trace = new List<TraceEvent>();
        var bodies = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var tokens = LlmTokens.None;
        var feedback = await FeedbackAsync(grains, work, input.Blueprint.Metadata.Name);
        if (feedback.Entries.Count > 0)
        {
            trace.Add(Event(events, work, LlmTrace.FeedbackIncluded, skillSpanId,
            [
                new(LlmTrace.FeedbackRuns, string.Join(' ', feedback.Runs)),
                new(LlmTrace.FeedbackCount, feedback.Entries.Count.ToString(CultureInfo.InvariantCulture)),
            ]));
        }

        foreach (var operation in operations)
        {
            var placeholder = Indent + "return TypedResults.StatusCode(StatusCodes.Status501NotImplemented);";
            var sources = await RenderAsync(input, With(bodies, operation.Name, placeholder), cancellationToken);
            var messages = new List<LlmMessage>
            {
                LlmMessage.System(SystemPrompt),
                LlmMessage.User(UserPrompt(operation, sources, feedback.Entries)),
            };

            IReadOnlyList<GateViolation> diagnostics = [];
            var accepted = false;
            for (var attempt = 1; attempt <= session.HandlerAttempts && !accepted; attempt++)
            {
                var key = Key(work, operation, attempt);
                var (exchange, replayed) = await session.AskAsync(key, work.TraceId, skillSpanId, messages, cancellationToken);
                tokens = tokens.Add(exchange);
                trace.Add(Event(events, work, LlmTrace.CallCompleted, skillSpanId, LlmTrace.Attributes(exchange, replayed)));
                var body = Body(exchange.Response);
                var candidate = With(bodies, operation.Name, body);
                var finding = await _compiles.EvaluateAsync(new GateContext
                {
                    Blueprint = input.Blueprint,
                    BlueprintHash = input.BlueprintHash,
                    Module = input.Module,
                    Artifacts = await RenderAsync(input, candidate, cancellationToken),
                }, cancellationToken);
                diagnostics = finding.Violations;
                if (diagnostics.Count == 0)
                {
                    bodies[operation.Name] = body;
                    accepted = true;
                    break;
                }

                trace.Add(Event(events, work, LlmTrace.AnswerRejected, skillSpanId,
                [
                    new(LlmTrace.CallKey, key),
                    new(LlmTrace.Operation, operation.Name),
                    new(TraceAttributes.Summary, finding.Summary),
                    .. diagnostics.Take(20).Select((d, i) => new KeyValuePair<string, string>(TraceAttributes.ViolationPrefix + i.ToString(CultureInfo.InvariantCulture), $"{d.Path}: {d.Message}")),
                ]));
                messages.Add(LlmMessage.Assistant(exchange.Response));
                messages.Add(LlmMessage.User(
                    "The compiler rejected that body (warnings are errors):\n" + string.Join('\n', diagnostics.Take(30).Select(d => $"- {d.Path}: {d.Message}"))
                    + "\nAnswer again with the corrected statements of the method body only."));
            }

            if (!accepted)
            {
                var blocked = new GateResult(work.Module, GateRuleIds.Compiles, GateMode.Block, Passed: false,
                    $"the handler of {operation.Name} written from its behaviour did not compile after {session.HandlerAttempts} answers",
                    [.. diagnostics.Select(d => d with { Message = $"{operation.Name}: {d.Message}" })]);
                return new HandlerOutcome(bodies, null, trace, tokens, blocked);
            }
        }

        var file = bodies.Count == 0 ? null : new GeneratedFile(BodiesPath, BodiesKind,
            JsonSerializer.SerializeToUtf8Bytes(bodies, new JsonSerializerOptions { WriteIndented = true }));
        return new HandlerOutcome(bodies, file, trace, tokens, null);
    }

    private const string SystemPrompt =
        "You implement one ASP.NET Core minimal-API endpoint handler in C# 14 (.NET 10, nullable enabled, warnings are errors). "
        + "Answer with the statements of the method's body only, in one ```csharp code block: no method signature, no "
        + "using directives, no classes. The body must return an IResult on every path (TypedResults.Ok(...), "
        + "TypedResults.NotFound(), TypedResults.BadRequest(...), TypedResults.NoContent(), ...). Use only the method's "
        + "parameters and the types shown. Never put secrets, credentials or personal data in code or logs.";

    private static string UserPrompt(OperationSpec operation, IReadOnlyList<GateArtifact> sources, IReadOnlyList<string> feedback)
    {
        var text = new StringBuilder();
        text.Append("Operation ").Append(operation.Name).Append(": ").Append(operation.Method.ToString().ToUpperInvariant()).Append(' ').Append(operation.Path).Append('\n');
        text.Append("Behaviour to implement: ").Append(operation.Behavior).Append('\n');
        if (operation.Description.Length > 0)
        {
            text.Append("Description: ").Append(operation.Description).Append('\n');
        }

        var signature = sources.Select(s => GateSupport.Text(s).Split('\n'))
            .SelectMany(lines => lines)
            .FirstOrDefault(line => line.Contains($" IResult {TemplateFunctions.Pascal(operation.Name)}(", StringComparison.Ordinal))?.Trim() ?? "";
        text.Append("The method (route parameters arrive as strings):\n    ").Append(signature).Append('\n');
        if (feedback.Count > 0)
        {
            text.Append("\nFeedback on earlier runs of this blueprint (take it into account):\n");
            foreach (var entry in feedback)
            {
                text.Append("- ").Append(entry).Append('\n');
            }
        }

        text.Append("\nThe module's types:\n");
        foreach (var source in sources.Where(s => s.Path.Contains("/Entities/", StringComparison.Ordinal)
            || s.Path.Contains("/Dtos/", StringComparison.Ordinal) || s.Path.Contains("/Repositories/I", StringComparison.Ordinal)))
        {
            text.Append("// ").Append(source.Path).Append('\n').Append(GateSupport.Text(source)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The statements of an answer: its first code block (or the whole answer), indented as a method body.</summary>
    internal static string Body(string answer)
    {
        var code = PlannerGrain.Document(answer);
        var lines = code.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var margin = lines.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join('\n', lines.Select(l => l.Trim().Length == 0 ? "" : Indent + l[margin..].TrimEnd()));
    }

    private static string Key(AgentWork work, OperationSpec operation, int attempt) =>
        string.Create(CultureInfo.InvariantCulture, $"{work.Module}/{work.Role}/handler/{operation.Name}/{attempt}");

    private static SortedDictionary<string, string> With(SortedDictionary<string, string> bodies, string operation, string body) =>
        new(bodies, StringComparer.Ordinal) { [operation] = body };

    /// <summary>The module's C# as the developer, security and observability skills render it with <paramref name="bodies"/>.</summary>
    private async Task<IReadOnlyList<GateArtifact>> RenderAsync(SkillInput input, IReadOnlyDictionary<string, string> bodies, CancellationToken cancellationToken)
    {
        var with = input with { HandlerBodies = bodies, Upstream = [] };
        var files = new List<GateArtifact>();
        foreach (var role in SourceRoles)
        {
            var kernel = kernels.CreateKernel(role);
            foreach (var skill in kernels.Pack.SkillsFor(role))
            {
                foreach (var file in await kernels.InvokeAsync(kernel, skill, with, cancellationToken))
                {
                    files.Add(new GateArtifact(file.Path, file.Kind, file.Content));
                }
            }
        }

        return [.. files.OrderBy(f => f.Path, StringComparer.Ordinal)];
    }

    /// <summary>Feedback on the tenant's earlier runs of the blueprint (on the run, or on this module), newest run first.</summary>
    private static async Task<(IReadOnlyList<string> Runs, IReadOnlyList<string> Entries)> FeedbackAsync(IGrainFactory grains, AgentWork work, string blueprintName)
    {
        var page = await grains.GetGrain<ITenantGrain>(work.TenantId).QueryRunsAsync(new RunQuery { BlueprintName = blueprintName, PageSize = MaxFeedbackRuns + 1 });
        var runs = new List<string>();
        var entries = new List<string>();
        foreach (var run in page.Runs.Where(r => r.RunId != work.RunId).Take(MaxFeedbackRuns))
        {
            var found = false;
            var grain = grains.GetGrain<IRunGrain>(run.RunId);
            for (long next = 0; entries.Count < MaxFeedbackEntries;)
            {
                var journal = await grain.ReadJournalAsync(next, 1000);
                foreach (var e in journal.Where(e => e.Type == TraceEventTypes.FeedbackSubmitted && (e.Module.Length == 0 || e.Module == work.Module)))
                {
                    found = true;
                    var comment = e.Attributes.GetValueOrDefault(TraceAttributes.Comment, "");
                    var path = e.Attributes.GetValueOrDefault(TraceAttributes.Path, "");
                    entries.Add($"score {e.Attributes.GetValueOrDefault(TraceAttributes.Score, "?")}/5"
                        + (path.Length > 0 ? $" on {path}" : "") + (comment.Length > 0 ? $": {comment}" : "") + $" (run {run.RunId}, {run.BlueprintVersion})");
                }

                if (journal.Length < 1000)
                {
                    break;
                }

                next += journal.Length;
            }

            if (found)
            {
                runs.Add(run.RunId);
            }
        }

        return (runs, entries.Take(MaxFeedbackEntries).ToList());
    }

    private static TraceEvent Event(TraceEventSequence events, AgentWork work, string type, string skillSpanId, IEnumerable<KeyValuePair<string, string>> attributes) =>
        events.Next(type, work.Module, work.Role, LlmTrace.HandlerSkill, Telemetry.FactoryTelemetry.NewSpanId(), skillSpanId, attributes);
}
