using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Factory.Testing;

/// <summary>One scripted answer of <see cref="FakeChatEndpoint"/>: a chat answer's text, or an HTTP error, after an optional delay.</summary>
public sealed record ScriptedAnswer(string Content, HttpStatusCode Status = HttpStatusCode.OK, TimeSpan Delay = default)
{
    /// <summary>A 200 answer with <paramref name="content"/>.</summary>
    public static ScriptedAnswer Text(string content) => new(content);

    /// <summary>An HTTP error answer.</summary>
    public static ScriptedAnswer Error(HttpStatusCode status) => new("", status);
}

/// <summary>A request the endpoint received: its model and messages.</summary>
public sealed record ChatRequest(string Model, IReadOnlyList<(string Role, string Content)> Messages)
{
    /// <summary>The last user message.</summary>
    public string LastUser => Messages.LastOrDefault(m => m.Role == "user").Content ?? "";

    /// <summary>The system message.</summary>
    public string System => Messages.FirstOrDefault(m => m.Role == "system").Content ?? "";
}

/// <summary>
/// An OpenAI-compatible <c>POST /v1/chat/completions</c> on Kestrel at a free loopback port, answering from a
/// script (a queue, or a function of the request), counting calls and keeping every request.
/// </summary>
public sealed class FakeChatEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ScriptedAnswer> _script = new();
    private readonly ConcurrentQueue<ChatRequest> _requests = new();
    private int _calls;

    private FakeChatEndpoint(WebApplication app) => _app = app;

    /// <summary>The base URL to configure as the endpoint, e.g. <c>http://127.0.0.1:41234/v1</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Calls received.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Every request received, in order.</summary>
    public IReadOnlyList<ChatRequest> Requests => [.. _requests];

    /// <summary>Answers requests when the script queue is empty; null answers 500.</summary>
    public Func<ChatRequest, ScriptedAnswer>? Responder { get; set; }

    /// <summary>Queues answers, given in order.</summary>
    public void Enqueue(params ScriptedAnswer[] answers)
    {
        foreach (var answer in answers)
        {
            _script.Enqueue(answer);
        }
    }

    /// <summary>Starts the endpoint.</summary>
    public static async Task<FakeChatEndpoint> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        var endpoint = new FakeChatEndpoint(app);
        app.MapPost("/v1/chat/completions", endpoint.AnswerAsync);
        await app.StartAsync();
        endpoint.BaseUrl = new Uri(app.Urls.Single().TrimEnd('/') + "/v1");
        return endpoint;
    }

    /// <summary>A loopback URL where nothing listens (a port bound and released).</summary>
    public static Uri Unreachable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/v1");
    }

    private async Task AnswerAsync(HttpContext context)
    {
        Interlocked.Increment(ref _calls);
        var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var messages = body?["messages"]?.AsArray()
            .Select(m => (m?["role"]?.GetValue<string>() ?? "", Content(m?["content"])))
            .ToList() ?? [];
        var request = new ChatRequest(body?["model"]?.GetValue<string>() ?? "", messages);
        _requests.Enqueue(request);
        var answer = _script.TryDequeue(out var next) ? next
            : Responder?.Invoke(request) ?? ScriptedAnswer.Error(HttpStatusCode.InternalServerError);
        if (answer.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(answer.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = (int)answer.Status;
        context.Response.ContentType = "application/json";
        if (answer.Status != HttpStatusCode.OK)
        {
            await context.Response.WriteAsync("""{"error":{"message":"scripted failure","type":"server_error"}}""", context.RequestAborted);
            return;
        }

        var response = new JsonObject
        {
            ["id"] = $"chatcmpl-{Calls}",
            ["object"] = "chat.completion",
            ["created"] = 1_700_000_000,
            ["model"] = request.Model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = answer.Content },
                ["finish_reason"] = "stop",
            }),
            ["usage"] = new JsonObject
            {
                ["prompt_tokens"] = messages.Sum(m => m.Item2.Length) / 4,
                ["completion_tokens"] = answer.Content.Length / 4,
                ["total_tokens"] = (messages.Sum(m => m.Item2.Length) / 4) + (answer.Content.Length / 4),
            },
        };
        await context.Response.WriteAsync(response.ToJsonString(), context.RequestAborted);
    }

    private static string Content(JsonNode? content) => content switch
    {
        JsonValue value => value.GetValue<string>(),
        JsonArray parts => string.Concat(parts.Select(p => p?["text"]?.GetValue<string>() ?? "")),
        _ => "",
    };

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
