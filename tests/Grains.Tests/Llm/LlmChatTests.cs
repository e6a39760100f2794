using System.Diagnostics;
using System.Net;
using Factory.Grains.Llm;
using Factory.Grains.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Factory.Grains.Tests.Llm;

/// <summary>
/// The chat client against an OpenAI-compatible endpoint on loopback, through Semantic Kernel's OpenAI connector:
/// GenAI spans, pricing, retries of transient errors, the circuit, and the settings' validation.
/// </summary>
public sealed class LlmChatTests : IAsyncLifetime
{
    private FakeChatEndpoint _chat = null!;

    public async Task InitializeAsync() => _chat = await FakeChatEndpoint.StartAsync();

    public async Task DisposeAsync() => await _chat.DisposeAsync();

    [Fact]
    public async Task EveryCallIsAGenAiSpanWithTokensAndIsPricedByTheModelsPrice()
    {
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == FactoryTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (spans)
                {
                    spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var chat = Chat(new LlmPrice { InputPer1K = 2m, OutputPer1K = 4m });
        _chat.Enqueue(ScriptedAnswer.Text(new string('a', 400)));
        var messages = new[] { LlmMessage.System(new string('s', 800)), LlmMessage.User(new string('u', 400)) };

        var exchange = await chat.CompleteAsync(Settings(), new LlmCallContext("k/1", "tenant-a", "run-1", "", ""), messages, CancellationToken.None);

        Assert.Equal(300, exchange.InputTokens); // the endpoint's usage: (800 + 400) / 4
        Assert.Equal(100, exchange.OutputTokens);
        Assert.Equal((300 * 2m / 1000m) + (100 * 4m / 1000m), exchange.CostUsd);
        Assert.Equal("test-model", exchange.Model);
        Assert.Contains("\"role\":\"system\"", exchange.Request, StringComparison.Ordinal);
        var span = Assert.Single(spans, s => s.DisplayName == "chat test-model");
        Assert.Equal("chat", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("openai", span.GetTagItem("gen_ai.system"));
        Assert.Equal("test-model", span.GetTagItem("gen_ai.request.model"));
        Assert.Equal("test-model", span.GetTagItem("gen_ai.response.model"));
        Assert.Equal(300, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(100, span.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal(1000, span.GetTagItem("gen_ai.request.max_tokens"));
        Assert.Equal("run-1", span.GetTagItem(FactoryTelemetry.Run));
        Assert.Equal("k/1", span.GetTagItem(LlmTrace.CallKey));
    }

    [Fact]
    public async Task TransientErrorsAreRetriedWithBackOffAndTheAnswerComesThrough()
    {
        using var chat = Chat();
        _chat.Enqueue(ScriptedAnswer.Error(HttpStatusCode.ServiceUnavailable), ScriptedAnswer.Error(HttpStatusCode.TooManyRequests), ScriptedAnswer.Text("fine"));

        var exchange = await chat.CompleteAsync(Settings(), new LlmCallContext("k/1", "t", "", "", ""), [LlmMessage.User("hi")], CancellationToken.None);

        Assert.Equal("fine", exchange.Response);
        Assert.Equal(3, _chat.Calls);
    }

    [Fact]
    public async Task ABadRequestIsNotRetried()
    {
        using var chat = Chat();
        _chat.Enqueue(ScriptedAnswer.Error(HttpStatusCode.BadRequest), ScriptedAnswer.Text("never asked"));

        var error = await Assert.ThrowsAsync<LlmUnavailableException>(() => chat.CompleteAsync(Settings(), new LlmCallContext("k/1", "t", "", "", ""), [LlmMessage.User("hi")], CancellationToken.None));

        Assert.Equal(1, _chat.Calls);
        Assert.Contains("it answered 400 BadRequest, which is not retried", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEndpointThatKeepsFailingOpensItsCircuitAndCallsThenFailAtOnceWithAClearReason()
    {
        using var chat = Chat();
        _chat.Responder = _ => ScriptedAnswer.Error(HttpStatusCode.InternalServerError);
        var settings = Settings();

        var first = await Assert.ThrowsAsync<LlmUnavailableException>(() => chat.CompleteAsync(settings, new LlmCallContext("k/1", "t", "", "", ""), [LlmMessage.User("hi")], CancellationToken.None));
        Assert.Contains("answered 500 InternalServerError (3 attempts)", first.Message, StringComparison.Ordinal);
        Assert.Equal(_chat.BaseUrl.ToString(), first.Endpoint);

        LlmUnavailableException? open = null;
        for (var i = 0; i < 5 && open is null; i++)
        {
            var failure = await Assert.ThrowsAsync<LlmUnavailableException>(() => chat.CompleteAsync(settings, new LlmCallContext("k/2", "t", "", "", ""), [LlmMessage.User("hi")], CancellationToken.None));
            open = failure.Reason.Contains("circuit is open", StringComparison.Ordinal) ? failure : null;
        }

        Assert.NotNull(open);
        var calls = _chat.Calls;
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<LlmUnavailableException>(() => chat.CompleteAsync(settings, new LlmCallContext("k/3", "t", "", "", ""), [LlmMessage.User("hi")], CancellationToken.None));
        Assert.Equal(calls, _chat.Calls); // failed at once, without calling
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
    }

    [Fact]
    public void BadSettingsAreRefusedNamingEachSetting()
    {
        var options = new LlmOptions();
        options.Editions["pro"] = new LlmEndpointSettings { Endpoint = new Uri("ftp://example.com/"), Model = "", MaxTokens = 0, Timeout = TimeSpan.Zero };
        options.Tenants["Bad_Tenant"] = new LlmEndpointSettings { Endpoint = new Uri("https://example.com/v1"), Model = "m", ApiKeyVariable = "sk-live-123" };
        options.Prices["m"] = new LlmPrice { InputPer1K = -1m };

        var result = new LlmOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = string.Join('\n', result.Failures!);
        Assert.Contains("Factory:Llm:Editions:pro:Endpoint must be an absolute http(s) URL", failures, StringComparison.Ordinal);
        Assert.Contains("Factory:Llm:Editions:pro:Model is required", failures, StringComparison.Ordinal);
        Assert.Contains("Factory:Llm:Editions:pro:MaxTokens must be positive", failures, StringComparison.Ordinal);
        Assert.Contains("Factory:Llm:Editions:pro:Timeout must be more than 0", failures, StringComparison.Ordinal);
        Assert.Contains("Factory:Llm:Tenants:Bad_Tenant: 'Bad_Tenant' is not a tenant id", failures, StringComparison.Ordinal);
        Assert.Contains("Factory:Llm:Tenants:Bad_Tenant:ApiKeyVariable names the variable", failures, StringComparison.Ordinal);
        Assert.Contains("Factory:Llm:Prices:m: InputPer1K and OutputPer1K must be 0 or more", failures, StringComparison.Ordinal);
        Assert.True(new LlmOptionsValidator().Validate(null, new LlmOptions()).Succeeded); // none configured: offline
    }

    private LlmEndpointSettings Settings() => new()
    {
        Endpoint = _chat.BaseUrl,
        Model = "test-model",
        MaxTokens = 1000,
        Timeout = TimeSpan.FromSeconds(10),
        RetryDelay = TimeSpan.FromMilliseconds(20),
        BreakDuration = TimeSpan.FromSeconds(30),
    };

    private static LlmChat Chat(LlmPrice? price = null)
    {
        var options = new LlmOptions();
        if (price is not null)
        {
            options.Prices["test-model"] = price;
        }

        return new LlmChat(Options.Create(options), new ConfigurationBuilder().Build(), TimeProvider.System, NullLogger<LlmChat>.Instance);
    }
}
