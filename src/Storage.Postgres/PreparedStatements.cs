using System.Data.Common;
using Npgsql;

namespace Factory.Storage.Postgres;

/// <summary>
/// How the silo's connections to PostgreSQL are used. Everything the silo sends (Orleans' grain state, reminder and
/// membership queries, the journal's and the artifact store's inserts) is one of a few statements sent thousands of
/// times a second under load, on pooled connections that only the silo uses:
/// <list type="bullet">
/// <item>prepared (Npgsql's automatic preparation), PostgreSQL parses and plans each statement once per connection
/// instead of on every call;</item>
/// <item>a connection handed back to the pool is not reset: neither Factory nor Orleans leaves session state on one,
/// and the reset is one more statement (several, once statements are prepared) on every use.</item>
/// </list>
/// </summary>
public static class PreparedStatements
{
    /// <summary>Statements kept prepared per connection, unless the connection string says.</summary>
    public const int DefaultMaxAutoPrepare = 64;

    /// <summary>Uses of a statement on a connection before it is prepared there, unless the connection string says.</summary>
    public const int DefaultAutoPrepareMinUsages = 2;

    /// <summary>
    /// <paramref name="connectionString"/> with <c>Max Auto Prepare</c>, <c>Auto Prepare Min Usages</c> and
    /// <c>No Reset On Close</c> set to the silo's defaults where it does not set them itself; what it sets stands
    /// (<c>Max Auto Prepare=0</c> keeps every statement unprepared).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is not a connection string.</exception>
    public static string Enable(string connectionString)
    {
        // Npgsql's own builder answers ContainsKey for every keyword it knows, set or not: look at what is written.
        var written = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(k => k.Replace(" ", "", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!written.Contains(nameof(NpgsqlConnectionStringBuilder.MaxAutoPrepare)))
        {
            builder.MaxAutoPrepare = DefaultMaxAutoPrepare;
        }

        if (!written.Contains(nameof(NpgsqlConnectionStringBuilder.AutoPrepareMinUsages)))
        {
            builder.AutoPrepareMinUsages = DefaultAutoPrepareMinUsages;
        }

        if (!written.Contains(nameof(NpgsqlConnectionStringBuilder.NoResetOnClose)))
        {
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;
    }
}
