using Microsoft.Extensions.Logging;

namespace Factory.Silo;

internal sealed partial class PostgresSchemaStartup
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "PostgreSQL at {Server}, database {Database}: schema is current")]
    private partial void LogSchemaCurrent(string server, string? database);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "PostgreSQL at {Server}, database {Database}: applied schema scripts {Scripts}")]
    private partial void LogSchemaApplied(string server, string? database, string scripts);
}
