using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Factory.Gateway.Tests;

/// <summary>
/// A cluster and gateway whose logs (every silo's and the gateway's) are collected, with an in-memory exporter
/// collecting every span of the process, and a chat model on loopback for tenant <see cref="PromptTenant"/> (prompts).
/// </summary>
public sealed class RedactionFixture : IAsyncLifetime
{
    private TracerProvider? _tracing;
    private TestGateway? _gateway;
    private Grpc.Net.Client.GrpcChannel? _channel;
    private FactoryCluster? _cluster;

    public List<Activity> Spans { get; } = [];

    public FakeChatEndpoint Chat { get; private set; } = null!;

    /// <summary>The tenant with a chat model.</summary>
    public const string PromptTenant = "redaction-prompts";

    public FactoryCluster Cluster => _cluster ?? throw new InvalidOperationException("not started");

    public TestGateway Gateway => _gateway ?? throw new InvalidOperationException("not started");

    public V1.Runs.RunsClient Runs => new(_channel);

    public V1.Operators.OperatorsClient Operators => new(_channel);

    public async Task InitializeAsync()
    {
        _tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource("Factory", "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application", "Microsoft.AspNetCore")
            .SetSampler(new AlwaysOnSampler())
            .AddInMemoryExporter(Spans)
            .Build();
        Chat = await FakeChatEndpoint.StartAsync();
        _cluster = await FactoryCluster.StartAsync(captureLogs: true, settings: new Dictionary<string, string?>
        {
            [$"Factory:Llm:Tenants:{PromptTenant}:Endpoint"] = Chat.BaseUrl.ToString(),
            [$"Factory:Llm:Tenants:{PromptTenant}:Model"] = "test-model",
        });
        _gateway = await TestGateway.StartAsync(_cluster.Client, GatewayFixture.Sha256Hex(GatewayFixture.OperatorKey),
            configure: b => b.Services.AddFakeLogging());
        _channel = Grpc.Net.Client.GrpcChannel.ForAddress(_gateway.Url);
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        _tracing?.Dispose();
        if (Chat is not null)
        {
            await Chat.DisposeAsync();
        }
    }
}

/// <summary>Secrets and personal data given to a run reach nothing it records in clear.</summary>
public sealed class RedactionTests(RedactionFixture fixture) : IClassFixture<RedactionFixture>
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    /// <summary>The example of a <c>pii: true</c> field: personal as a whole, matched by no pattern.</summary>
    private const string PiiExample = "Philippa Quenby-Oyelaran";

    /// <summary>Personal data that patterns find in free text.</summary>
    private static readonly string[] PersonalSamples =
    [
        "philippa.quenby@example.org",
        "+44 20 7946 0958",
        "(415) 555-0134",
        "078-05-1120",
        "4111 1111 1111 1111",
        "GB82 WEST 1234 5698 7654 32",
    ];

    /// <summary>Secret-looking values (given where a blueprint cannot refuse them: feedback and cancellation reasons).</summary>
    private static readonly string[] SecretSamples =
    [
        "sk-proj-9fQ2xL7mN4pR8sT1vW3yZ6bC0dE5gH",
        "AKIAZ7Q2M4N8P3R5T6W9",
        "ghp_4Fh8Jk2Lm6Np0Qr4St8Uv2Wx6Yz0Ab4Cd8Ef",
        "hunter2-correct-horse",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwaGlsaXBwYSJ9.c2lnbmF0dXJlLXZhbHVl",
    ];

    private static string SensitiveText(int offset) =>
        $"reach {PersonalSamples[offset % PersonalSamples.Length]} or {PersonalSamples[(offset + 1) % PersonalSamples.Length]}";

    private static async Task<string> BlueprintYamlAsync()
    {
        var yaml = await File.ReadAllTextAsync(RepositoryPaths.Sample("todo-service.yaml"));
        var text = yaml
            .Replace("  description: Create, list, update, complete and delete personal todo items.\n",
                $"  description: \"Todo items; support: {PersonalSamples[0]}, {PersonalSamples[1]}, SSN {PersonalSamples[3]}, card {PersonalSamples[4]}, IBAN {PersonalSamples[5]}\"\n", StringComparison.Ordinal)
            .Replace("      description: One thing to do, with an optional due date and an estimate.\n",
                $"      description: \"{SensitiveText(1)}\"\n", StringComparison.Ordinal)
            .Replace("          maxLength: 254\n          pii: true\n",
                $"          maxLength: 254\n          pii: true\n          example: \"{PiiExample}\"\n          description: \"{SensitiveText(2)}\"\n", StringComparison.Ordinal)
            .Replace("    description: The todo API.\n", $"    description: \"The todo API, owned by {PersonalSamples[2]}\"\n", StringComparison.Ordinal);
        Assert.Contains(PiiExample, text, StringComparison.Ordinal);
        Assert.Contains(PersonalSamples[5], text, StringComparison.Ordinal);
        Assert.Contains(PersonalSamples[2], text, StringComparison.Ordinal);
        return text;
    }

    [Fact]
    public async Task NothingARunRecordsHoldsItsSecretsOrPersonalDataInClear()
    {
        var (_, key) = await NewTenantAsync();
        var headers = GatewayFixture.Bearer(key);
        var yaml = await BlueprintYamlAsync();

        var runId = (await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Yaml = yaml }, headers)).RunId;
        var watched = await WatchToEndAsync(headers, runId);
        Assert.Equal("RunSucceeded", watched[^1].Type);
        Assert.Contains(watched, e => e.Type == "ArtifactEmitted");
        var comment = $"Thanks! Key {SecretSamples[0]}, AWS {SecretSamples[1]}, token={SecretSamples[2]}, password={SecretSamples[3]}, jwt {SecretSamples[4]}; mail {PersonalSamples[0]}, card {PersonalSamples[4]}";
        var feedback = await fixture.Runs.SubmitFeedbackAsync(new V1.SubmitFeedbackRequest { RunId = runId, Score = 4, Comment = comment }, headers);

        // A second run of the same blueprint, cancelled with a sensitive reason while it runs (or already ended).
        var second = (await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Yaml = yaml }, headers)).RunId;
        await fixture.Runs.CancelRunAsync(new V1.CancelRunRequest { RunId = second, Reason = $"stop: {SecretSamples[4]} api_key={SecretSamples[0]} asked by {PersonalSamples[0]}" }, headers);
        await WatchToEndAsync(headers, second);

        // A blueprint holding a secret literal is refused, naming where, never quoting it.
        var refused = await Assert.ThrowsAsync<RpcException>(() => fixture.Runs.SubmitRunAsync(
            new V1.SubmitRunRequest { Yaml = yaml.Replace("  owner: productivity-team\n", $"  owner: \"team {SecretSamples[0]}\"\n", StringComparison.Ordinal) }, headers).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, refused.StatusCode);

        // A run planned from a prompt full of secrets and personal data (the model answers a clean blueprint).
        fixture.Chat.Enqueue(ScriptedAnswer.Text(Llm.PromptPlanningTests.NotesJson));
        var prompt = $"A notes service for {PersonalSamples[0]} ({PersonalSamples[1]}); use the key {SecretSamples[0]}, password={SecretSamples[3]}, card {PersonalSamples[4]}";
        var (_, promptKey) = await NewTenantAsync(RedactionFixture.PromptTenant);
        var promptHeaders = GatewayFixture.Bearer(promptKey);
        var planned = (await fixture.Runs.SubmitRunAsync(new V1.SubmitRunRequest { Prompt = prompt }, promptHeaders)).RunId;
        Assert.Equal("RunSucceeded", (await WatchToEndAsync(promptHeaders, planned))[^1].Type);
        Assert.Contains(SecretSamples[0], fixture.Chat.Requests[^1].LastUser, StringComparison.Ordinal); // the model itself got the prompt

        var recorded = new List<(string Where, string Text)>();
        var journal = await WatchToEndAsync(headers, runId);
        recorded.AddRange(journal.Select(e => ($"gateway journal {e.Sequence}", e.ToString())));
        recorded.AddRange((await WatchToEndAsync(headers, second)).Select(e => ($"gateway journal of {second} {e.Sequence}", e.ToString())));
        recorded.AddRange((await WatchToEndAsync(promptHeaders, planned)).Select(e => ($"gateway journal of {planned} {e.Sequence}", e.ToString())));
        foreach (var (id, owner) in new[] { (runId, headers), (second, headers), (planned, promptHeaders) })
        {
            var events = await fixture.Cluster.Client.GetGrain<IRunGrain>(id).ReadJournalAsync(0, 1000);
            recorded.AddRange(events.Select(e => ($"journal {id} {e.Sequence}", string.Join('\n', e.Attributes.Select(a => a.Key + "=" + a.Value)))));
            recorded.Add(($"run {id}", (await fixture.Runs.GetRunAsync(new V1.GetRunRequest { RunId = id }, owner)).ToString()));
            recorded.AddRange(await BundleEntriesAsync(owner, id));
        }

        recorded.Add(("refusal", refused.Status.Detail + string.Join('\n', refused.Trailers.Select(t => t.IsBinary ? Encoding.UTF8.GetString(t.ValueBytes) : t.Value))));
        recorded.AddRange(Directory.EnumerateFiles(fixture.Cluster.ArtifactsPath, "*", SearchOption.AllDirectories)
            .Select(f => ($"artifact store {Path.GetFileName(f)}", File.ReadAllText(f))));
        recorded.AddRange(fixture.Cluster.SiloLogs().Select(r => ($"silo log {r.Category}", LogText(r))));
        recorded.AddRange(fixture.Gateway.Services.GetRequiredService<FakeLogCollector>().GetSnapshot().Select(r => ($"gateway log {r.Category}", LogText(r))));
        List<Activity> spans;
        lock (fixture.Spans)
        {
            spans = [.. fixture.Spans];
        }

        recorded.AddRange(spans.Select(s => ($"span {s.DisplayName}", SpanText(s))));

        var hits = (from r in recorded
                    from sample in SecretSamples.Concat(PersonalSamples).Append(PiiExample)
                    where r.Text.Contains(sample, StringComparison.Ordinal)
                    select $"{r.Where}: {sample}").ToList();
        Assert.True(hits.Count == 0, "recorded in clear:\n" + string.Join('\n', hits.Distinct().Take(40)));

        // The records are there to scan, and hold the masks where the sensitive data was.
        Assert.Contains(recorded, r => r.Where.StartsWith("silo log", StringComparison.Ordinal));
        Assert.Contains(spans, s => s.Source.Name == "Factory" && s.GetTagItem("factory.run") as string == runId);
        var feedbackEvent = journal.Single(e => e.Sequence == feedback.Sequence);
        Assert.Contains("***secret***", feedbackEvent.Attributes["comment"], StringComparison.Ordinal);
        Assert.Contains("***pii***", feedbackEvent.Attributes["comment"], StringComparison.Ordinal);
        Assert.StartsWith("Thanks! Key ***secret***", feedbackEvent.Attributes["comment"], StringComparison.Ordinal);
        var plannedEvent = Assert.Single(await WatchToEndAsync(promptHeaders, planned), e => e.Type == LlmTrace.BlueprintPlanned);
        Assert.StartsWith("A notes service for ***pii***", plannedEvent.Attributes[LlmTrace.Prompt], StringComparison.Ordinal);
        Assert.Contains("***secret***", plannedEvent.Attributes[LlmTrace.Prompt], StringComparison.Ordinal);
        var blueprintJson = recorded.Single(r => r.Where == $"bundle {runId} blueprint.json").Text;
        Assert.Contains("\"example\":\"***pii***\"", blueprintJson, StringComparison.Ordinal);
        Assert.Contains("Todo items; support: ***pii***", blueprintJson, StringComparison.Ordinal);

        // Redaction is deterministic: both runs recorded the same redacted blueprint.
        var first = await fixture.Runs.GetRunAsync(new V1.GetRunRequest { RunId = runId }, headers);
        var other = await fixture.Runs.GetRunAsync(new V1.GetRunRequest { RunId = second }, headers);
        Assert.Equal(first.BlueprintSha256, other.BlueprintSha256);
    }

    private static string LogText(FakeLogRecord record) =>
        record.Message + "\n" + string.Join('\n', (record.StructuredState ?? []).Select(kv => kv.Key + "=" + kv.Value)) + "\n" + record.Exception?.ToString();

    private static string SpanText(Activity span) =>
        string.Join('\n', new[] { span.DisplayName, span.StatusDescription ?? "" }
            .Concat(span.TagObjects.Select(t => t.Key + "=" + t.Value))
            .Concat(span.Events.SelectMany(e => e.Tags.Select(t => e.Name + ":" + t.Key + "=" + t.Value)))
            .Concat(span.Baggage.Select(b => b.Key + "=" + b.Value)));

    private async Task<IEnumerable<(string, string)>> BundleEntriesAsync(Metadata headers, string runId)
    {
        using var zip = new MemoryStream(await RunCalls.BundleAsync(fixture.Runs, headers, runId));
        using var archive = new ZipArchive(zip, ZipArchiveMode.Read);
        var entries = new List<(string, string)>();
        foreach (var entry in archive.Entries)
        {
            using var reader = new StreamReader(entry.Open(), Encoding.UTF8);
            entries.Add(($"bundle {runId} {entry.FullName}", await reader.ReadToEndAsync()));
        }

        Assert.Contains(entries, e => e.Item1.EndsWith("events.jsonl", StringComparison.Ordinal));
        return entries;
    }

    private async Task<(string TenantId, string Key)> NewTenantAsync(string? tenantId = null)
    {
        tenantId ??= "t" + Guid.NewGuid().ToString("N")[..12];
        await fixture.Operators.CreateTenantAsync(new V1.CreateTenantRequest { TenantId = tenantId, Edition = GatewayFixture.Edition }, GatewayFixture.OperatorHeaders);
        var key = await fixture.Operators.IssueApiKeyAsync(new V1.IssueApiKeyRequest { TenantId = tenantId }, GatewayFixture.OperatorHeaders);
        return (tenantId, key.Secret);
    }

    private Task<List<V1.TraceEvent>> WatchToEndAsync(Metadata headers, string runId) =>
        RunCalls.WatchToEndAsync(fixture.Runs, headers, runId, RunTimeout, feedbackAfterEnd: true);
}
