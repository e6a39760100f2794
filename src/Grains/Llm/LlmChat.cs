using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Factory.Grains.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Factory.Grains.Llm;

/// <summary>A chat message of a request: <c>system</c>, <c>user</c> or <c>assistant</c>.</summary>
/// <param name="Role">Who speaks.</param>
/// <param name="Content">What is said.</param>
public sealed record LlmMessage(string Role, string Content)
{
    /// <summary>The system's instructions.</summary>
    public static LlmMessage System(string content) => new("system", content);

    /// <summary>The user's turn.</summary>
    public static LlmMessage User(string content) => new("user", content);

    /// <summary>The model's earlier answer.</summary>
    public static LlmMessage Assistant(string content) => new("assistant", content);
}

/// <summary>Where a call belongs in the trace: its key (see <see cref="LlmExchange.Key"/>), the run and the parent span.</summary>
/// <param name="Key">The call's key within its run.</param>
/// <param name="TenantId">The tenant.</param>
/// <param name="RunId">The run, or empty (planning happens before the run).</param>
/// <param name="TraceId">The trace id, or empty.</param>
/// <param name="ParentSpanId">The parent span id, or empty.</param>
public sealed record LlmCallContext(string Key, string TenantId, string RunId, string TraceId, string ParentSpanId);

/// <summary>
/// Calls a tenant's chat model through Semantic Kernel's OpenAI connector pointed at the configured endpoint.
/// Each attempt has a timeout; transient failures (408, 429, 5xx, no connection, a timeout) are retried with
/// exponential back-off; an endpoint that keeps failing opens its circuit, and calls then fail at once with
/// <see cref="LlmUnavailableException"/>. Every call is a span following the OpenTelemetry GenAI conventions,
/// priced by <see cref="LlmOptions.Prices"/>.
/// </summary>
public sealed partial class LlmChat(IOptions<LlmOptions> options, IConfiguration configuration, TimeProvider time, ILogger<LlmChat> logger) : IDisposable
{
    /// <summary>GenAI attribute: the provider (older conventions).</summary>
    public const string GenAiSystem = "gen_ai.system";
    /// <summary>GenAI attribute: the provider.</summary>
    public const string GenAiProvider = "gen_ai.provider.name";
    /// <summary>GenAI attribute: the operation.</summary>
    public const string GenAiOperation = "gen_ai.operation.name";
    /// <summary>GenAI attribute: the model asked for.</summary>
    public const string GenAiRequestModel = "gen_ai.request.model";
    /// <summary>GenAI attribute: the largest answer asked for.</summary>
    public const string GenAiRequestMaxTokens = "gen_ai.request.max_tokens";
    /// <summary>GenAI attribute: sampling temperature.</summary>
    public const string GenAiRequestTemperature = "gen_ai.request.temperature";
    /// <summary>GenAI attribute: the model that answered.</summary>
    public const string GenAiResponseModel = "gen_ai.response.model";
    /// <summary>GenAI attribute: why the answer ended.</summary>
    public const string GenAiFinishReasons = "gen_ai.response.finish_reasons";
    /// <summary>GenAI attribute: input tokens.</summary>
    public const string GenAiInputTokens = "gen_ai.usage.input_tokens";
    /// <summary>GenAI attribute: output tokens.</summary>
    public const string GenAiOutputTokens = "gen_ai.usage.output_tokens";

    private readonly ConcurrentDictionary<string, Endpoint> _endpoints = new(StringComparer.Ordinal);

    /// <summary>Asks the model of <paramref name="settings"/>; the answer and what it cost come back as an exchange to journal.</summary>
    /// <exception cref="LlmUnavailableException">The endpoint failed after its retries, timed out, or its circuit is open.</exception>
    public async Task<LlmExchange> CompleteAsync(LlmEndpointSettings settings, LlmCallContext call, IReadOnlyList<LlmMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(messages);
        var endpoint = EndpointFor(settings);
        var url = settings.Endpoint!.ToString();
        using var span = StartSpan(settings, call);
        var history = new ChatHistory();
        foreach (var message in messages)
        {
            history.AddMessage(message.Role switch
            {
                "system" => AuthorRole.System,
                "assistant" => AuthorRole.Assistant,
                _ => AuthorRole.User,
            }, message.Content);
        }

        var execution = new OpenAIPromptExecutionSettings { MaxTokens = settings.MaxTokens, Temperature = 0 };
        var started = time.GetTimestamp();
        ChatMessageContent answer;
        try
        {
            answer = await endpoint.Pipeline.ExecuteAsync(
                async token => await endpoint.Service.GetChatMessageContentAsync(history, execution, kernel: null, token),
                cancellationToken);
        }
        catch (Exception exception) when (Unavailable(exception, settings) is { } reason)
        {
            span?.SetStatus(ActivityStatusCode.Error, reason);
            span?.SetTag("error.type", exception.GetType().Name);
            LogCallFailed(logger, exception, call.Key, url, reason);
            throw new LlmUnavailableException(url, reason);
        }

        var elapsed = time.GetElapsedTime(started);
        var (input, output) = Usage(answer);
        var model = string.IsNullOrEmpty(answer.ModelId) ? settings.Model : answer.ModelId;
        var cost = options.Value.Price(settings.Model, input, output);
        span?.SetTag(GenAiResponseModel, model);
        span?.SetTag(GenAiInputTokens, input);
        span?.SetTag(GenAiOutputTokens, output);
        if (answer.Metadata?.TryGetValue("FinishReason", out var finish) == true && finish is not null)
        {
            span?.SetTag(GenAiFinishReasons, new[] { finish.ToString()?.ToLowerInvariant() ?? "" });
        }

        span?.SetTag(LlmTrace.CostUsd, (double)cost);
        LogCallCompleted(logger, call.Key, model, input, output, elapsed.TotalMilliseconds);
        return new LlmExchange
        {
            Key = call.Key,
            Model = model,
            Request = JsonSerializer.Serialize(messages.Select(m => new Dictionary<string, string> { ["role"] = m.Role, ["content"] = m.Content })),
            Response = answer.Content ?? "",
            InputTokens = input,
            OutputTokens = output,
            CostUsd = cost,
            DurationMs = Math.Round(elapsed.TotalMilliseconds, 1),
        };
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var endpoint in _endpoints.Values)
        {
            endpoint.Http.Dispose();
        }

        _endpoints.Clear();
    }

    private static Activity? StartSpan(LlmEndpointSettings settings, LlmCallContext call)
    {
        var span = call.TraceId.Length > 0
            ? FactoryTelemetry.StartSpan($"chat {settings.Model}", call.TraceId, call.ParentSpanId)
            : FactoryTelemetry.Source.HasListeners() ? FactoryTelemetry.Source.StartActivity($"chat {settings.Model}", ActivityKind.Client) : null;
        if (span is null)
        {
            return null;
        }

        span.SetTag(GenAiOperation, "chat");
        span.SetTag(GenAiSystem, "openai");
        span.SetTag(GenAiProvider, "openai");
        span.SetTag(GenAiRequestModel, settings.Model);
        span.SetTag(GenAiRequestMaxTokens, settings.MaxTokens);
        span.SetTag(GenAiRequestTemperature, 0d);
        span.SetTag("server.address", settings.Endpoint!.Host);
        span.SetTag("server.port", settings.Endpoint.Port);
        span.SetTag(FactoryTelemetry.Tenant, call.TenantId);
        if (call.RunId.Length > 0)
        {
            span.SetTag(FactoryTelemetry.Run, call.RunId);
        }

        span.SetTag(LlmTrace.CallKey, call.Key);
        return span;
    }

    private static (int Input, int Output) Usage(ChatMessageContent answer)
    {
        if (answer.Metadata?.TryGetValue("Usage", out var usage) == true && usage is OpenAI.Chat.ChatTokenUsage tokens)
        {
            return (tokens.InputTokenCount, tokens.OutputTokenCount);
        }

        return (0, 0);
    }

    /// <summary>Why a failed call means the endpoint is unavailable, or null for an error that is not the endpoint's.</summary>
    private static string? Unavailable(Exception exception, LlmEndpointSettings settings)
    {
        var attempts = settings.MaxRetries + 1;
        var tries = $"{attempts} attempt{(attempts == 1 ? "" : "s")}";
        return exception switch
        {
            BrokenCircuitException => $"its circuit is open after repeated failures; calls fail at once for {settings.BreakDuration} before it is tried again",
            TimeoutRejectedException => $"no answer within its timeout of {settings.Timeout} ({tries})",
            HttpOperationException { StatusCode: { } status } when Transient(exception) => $"it answered {(int)status} {status} ({tries})",
            HttpOperationException { StatusCode: { } status } => $"it answered {(int)status} {status}, which is not retried",
            HttpOperationException or HttpRequestException => $"it could not be reached: {Innermost(exception).Message} ({tries})",
            _ => null,
        };
    }

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is not null)
        {
            exception = exception.InnerException;
        }

        return exception;
    }

    private static bool Transient(Exception exception) => exception switch
    {
        TimeoutRejectedException => true,
        HttpOperationException { StatusCode: null } => true,
        HttpOperationException { StatusCode: { } status } => status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500,
        HttpRequestException => true,
        _ => false,
    };

    private Endpoint EndpointFor(LlmEndpointSettings settings)
    {
        var key = string.Join('|', settings.Endpoint, settings.Model, settings.ApiKeyVariable, settings.Timeout.Ticks.ToString(CultureInfo.InvariantCulture),
            settings.MaxRetries.ToString(CultureInfo.InvariantCulture), settings.RetryDelay.Ticks.ToString(CultureInfo.InvariantCulture), settings.BreakDuration.Ticks.ToString(CultureInfo.InvariantCulture));
        return _endpoints.GetOrAdd(key, _ => CreateEndpoint(settings));
    }

    private Endpoint CreateEndpoint(LlmEndpointSettings settings)
    {
        // The pipeline below owns timeouts and retries: the client's own are off.
        var http = new HttpClient { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        var apiKey = settings.ApiKeyVariable.Length == 0 ? "none" : configuration[settings.ApiKeyVariable] ?? Environment.GetEnvironmentVariable(settings.ApiKeyVariable) ?? "";
        var client = new OpenAI.OpenAIClient(new System.ClientModel.ApiKeyCredential(apiKey.Length == 0 ? "none" : apiKey), new OpenAI.OpenAIClientOptions
        {
            Endpoint = settings.Endpoint,
            Transport = new System.ClientModel.Primitives.HttpClientPipelineTransport(http),
            RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = System.Threading.Timeout.InfiniteTimeSpan,
        });
        var service = new OpenAIChatCompletionService(settings.Model, client);
        var transient = new PredicateBuilder().Handle<Exception>(Transient);
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (settings.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = transient,
                MaxRetryAttempts = settings.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.RetryDelay,
            });
        }

        var pipeline = builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = transient,
                FailureRatio = 0.5,
                MinimumThroughput = 3,
                SamplingDuration = TimeSpan.FromSeconds(Math.Max(30, settings.Timeout.TotalSeconds * 4)),
                BreakDuration = settings.BreakDuration,
            })
            .AddTimeout(settings.Timeout)
            .Build();
        return new Endpoint(http, service, pipeline);
    }

    private sealed record Endpoint(HttpClient Http, IChatCompletionService Service, ResiliencePipeline Pipeline);
}
