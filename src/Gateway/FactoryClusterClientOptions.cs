using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Factory.Gateway;

/// <summary>How a standalone gateway finds the silos: the silos' own storage mode.</summary>
public enum ClusterClientMode
{
    /// <summary>Localhost clustering: silos on this machine, reached at <see cref="FactoryClusterClientOptions.GatewayPort"/>.</summary>
    Embedded,

    /// <summary>The silos' membership table in PostgreSQL (<see cref="FactoryClusterClientOptions.Postgres"/>): any silo of the cluster, wherever it runs.</summary>
    Postgres,
}

/// <summary>The stream provider the silos use (their <c>Factory:Streams:Provider</c>); the client must use the same.</summary>
public enum ClusterClientStreamProvider
{
    /// <summary>Memory streams (the silos' default).</summary>
    Memory,

    /// <summary>Persistent streams in the silos' PostgreSQL database (<see cref="ClusterClientMode.Postgres"/> mode only).</summary>
    AdoNet,
}

/// <summary>The stream provider (section <c>Factory:Streams</c>).</summary>
public sealed class FactoryClusterClientStreamsOptions
{
    /// <summary>The silos' stream provider. Default <see cref="ClusterClientStreamProvider.Memory"/>.</summary>
    public ClusterClientStreamProvider Provider { get; set; } = ClusterClientStreamProvider.Memory;
}

/// <summary>The PostgreSQL database whose membership table lists the silos (section <c>Factory:Postgres</c>).</summary>
public sealed class FactoryClusterClientPostgresOptions
{
    /// <summary>The Npgsql connection string; required in <see cref="ClusterClientMode.Postgres"/> mode.</summary>
    public string? ConnectionString { get; set; }
}

/// <summary>How a standalone gateway reaches the silos (section <c>Factory</c>, the silo's own keys).</summary>
public sealed class FactoryClusterClientOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Factory";

    /// <summary>How the silos are found: the same <c>Factory:Mode</c> as the silos'. Default <see cref="ClusterClientMode.Embedded"/>.</summary>
    public ClusterClientMode Mode { get; set; } = ClusterClientMode.Embedded;

    /// <summary>PostgreSQL mode's settings: the silos' database.</summary>
    public FactoryClusterClientPostgresOptions Postgres { get; set; } = new();

    /// <summary>The silos' stream provider (the same <c>Factory:Streams:Provider</c> as the silos').</summary>
    public FactoryClusterClientStreamsOptions Streams { get; set; } = new();

    /// <summary>The silos' Orleans gateway port (localhost clustering in embedded mode). Default 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Orleans cluster id. Default <c>factory</c>.</summary>
    public string ClusterId { get; set; } = "factory";

    /// <summary>Orleans service id. Default <c>factory</c>.</summary>
    public string ServiceId { get; set; } = "factory";
}

/// <summary>Checks <see cref="FactoryClusterClientOptions"/>; each failure names the setting.</summary>
public sealed class FactoryClusterClientOptionsValidator : IValidateOptions<FactoryClusterClientOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, FactoryClusterClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Mode))
        {
            failures.Add($"{FactoryClusterClientOptions.Section}:Mode '{options.Mode}' is not a storage mode; use one of: {string.Join(", ", Enum.GetNames<ClusterClientMode>())}.");
        }

        if (!Enum.IsDefined(options.Streams.Provider))
        {
            failures.Add($"{FactoryClusterClientOptions.Section}:Streams:Provider '{options.Streams.Provider}' is not a stream provider; use one of: {string.Join(", ", Enum.GetNames<ClusterClientStreamProvider>())}.");
        }
        else if (options.Streams.Provider == ClusterClientStreamProvider.AdoNet && options.Mode != ClusterClientMode.Postgres)
        {
            failures.Add($"{FactoryClusterClientOptions.Section}:Streams:Provider AdoNet keeps streams in PostgreSQL, so it needs {FactoryClusterClientOptions.Section}:Mode Postgres (was {options.Mode}).");
        }

        if (options.Mode == ClusterClientMode.Postgres)
        {
            if (string.IsNullOrWhiteSpace(options.Postgres.ConnectionString))
            {
                failures.Add($"{FactoryClusterClientOptions.Section}:Postgres:ConnectionString is required when {FactoryClusterClientOptions.Section}:Mode is Postgres.");
            }
            else
            {
                try
                {
                    _ = new NpgsqlConnectionStringBuilder(options.Postgres.ConnectionString);
                }
                catch (ArgumentException ex)
                {
                    failures.Add($"{FactoryClusterClientOptions.Section}:Postgres:ConnectionString is not a valid connection string: {ex.Message}");
                }
            }
        }
        else if (options.GatewayPort is < 1 or > 65535)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{FactoryClusterClientOptions.Section}:GatewayPort must be 1..65535 for a client (was {options.GatewayPort})."));
        }

        if (string.IsNullOrWhiteSpace(options.ClusterId))
        {
            failures.Add($"{FactoryClusterClientOptions.Section}:ClusterId must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceId))
        {
            failures.Add($"{FactoryClusterClientOptions.Section}:ServiceId must not be empty.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
