using Microsoft.Extensions.Logging;

namespace Factory.Grains.Llm;

public sealed partial class LlmChat
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "LLM call {Key} answered by {Model}: {InputTokens} tokens in, {OutputTokens} out, {DurationMs} ms")]
    private static partial void LogCallCompleted(ILogger logger, string key, string model, int inputTokens, int outputTokens, double durationMs);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "LLM call {Key} to {Endpoint} failed: {Reason}")]
    private static partial void LogCallFailed(ILogger logger, Exception exception, string key, string endpoint, string reason);
}
