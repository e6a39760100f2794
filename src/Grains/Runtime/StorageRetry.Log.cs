using Microsoft.Extensions.Logging;

namespace Factory.Grains.Runtime;

public sealed partial class StorageRetry
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "{What} failed; retry {Attempt} of {MaxAttempts} in {Delay}")]
    private static partial void LogRetrying(ILogger logger, Exception? exception, string what, int attempt, int maxAttempts, TimeSpan delay);
}
