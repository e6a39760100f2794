namespace Factory.Gateway.Errors;

public sealed partial class ExceptionMappingInterceptor
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Call {Method} failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Call {Method} did not reach the cluster in time")]
    private static partial void LogTimeout(ILogger logger, string method, Exception exception);
}
