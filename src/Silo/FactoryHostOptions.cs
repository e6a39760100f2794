using System.Net;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Factory.Silo;

/// <summary>Where Factory keeps its state.</summary>
public enum StorageMode
{
    /// <summary>Zero set-up, one process: localhost clustering, memory grain state, streams, reminders and journal; artifacts on local disk.</summary>
    Embedded,

    /// <summary>
    /// PostgreSQL (<see cref="FactoryHostOptions.Postgres"/>): clustering, grain state, reminders, the run journal and
    /// the artifacts in the database, so state survives restarts and silos can form a cluster; streams in memory
    /// unless <see cref="FactoryStreamsOptions.Provider"/> selects <see cref="FactoryStreamProvider.AdoNet"/>.
    /// </summary>
    Postgres,
}

/// <summary>The Orleans stream provider that carries agents' trace events and runs' events to their subscribers.</summary>
public enum FactoryStreamProvider
{
    /// <summary>Memory streams: delivered within the cluster, fastest; events in flight when a silo dies are re-published by their modules.</summary>
    Memory,

    /// <summary>
    /// Persistent streams in PostgreSQL (Orleans' ADO.NET stream provider, <see cref="StorageMode.Postgres"/> mode
    /// only): each event is queued in the database until its subscriber has taken it, so it survives the silo that
    /// sent it; delivery is at least once, and the run's journal drops a redelivered event by its id.
    /// </summary>
    AdoNet,
}

/// <summary>Streams' settings (section <c>Factory:Streams</c>).</summary>
public sealed class FactoryStreamsOptions
{
    /// <summary>The stream provider. Default <see cref="FactoryStreamProvider.Memory"/>.</summary>
    public FactoryStreamProvider Provider { get; set; } = FactoryStreamProvider.Memory;

    /// <summary>
    /// How often a silo's stream receivers look for new messages in a queue they found empty; null (the default):
    /// Orleans' 100 ms. A run ends only once its agents' last events have reached its journal, so a shorter interval
    /// ends each run sooner and shows watchers its events sooner, at the cost of more looks (with
    /// <see cref="FactoryStreamProvider.Memory"/> a call in the silo's memory, with <see cref="FactoryStreamProvider.AdoNet"/>
    /// a query) and smaller deliveries.
    /// </summary>
    public TimeSpan? PollInterval { get; set; }
}

/// <summary>PostgreSQL mode's settings (section <c>Factory:Postgres</c>).</summary>
public sealed class FactoryPostgresOptions
{
    /// <summary>The Npgsql connection string; required in <see cref="StorageMode.Postgres"/> mode.</summary>
    public string? ConnectionString { get; set; }
}

/// <summary>How the silo is hosted (section <c>Factory</c>).</summary>
public sealed class FactoryHostOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Factory";

    /// <summary>Storage mode. Default <see cref="StorageMode.Embedded"/>.</summary>
    public StorageMode Mode { get; set; } = StorageMode.Embedded;

    /// <summary>Silo-to-silo port. Default 11111; 0 picks a free port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port Orleans clients connect to. Default 30000; 0 picks a free port.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Orleans cluster id. Default <c>factory</c>.</summary>
    public string ClusterId { get; set; } = "factory";

    /// <summary>Orleans service id (stable across deployments). Default <c>factory</c>.</summary>
    public string ServiceId { get; set; } = "factory";

    /// <summary>
    /// The IP address other silos and clients reach this silo at, in <see cref="StorageMode.Postgres"/> mode
    /// (such as the pod's IP). A loopback address keeps the endpoints on loopback; any other address is
    /// advertised while the endpoints listen on every interface. Default <c>127.0.0.1</c>.
    /// </summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// How long a run's agent and module grains stay in memory once idle (their work is reported and their state
    /// stored, so a later call reactivates them); a run grain stays at least <see cref="MinRunGrainCollectionAge"/>,
    /// as watchers keep reading it. Must exceed Orleans' one-minute collection quantum. Default 2 minutes.
    /// </summary>
    public TimeSpan IdleCollectionAge { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The shortest time a run grain stays in memory once idle.</summary>
    public static readonly TimeSpan MinRunGrainCollectionAge = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Most grain locations a silo's directory cache holds (Orleans' default is 1,000,000). A run's grains are many and
    /// short-lived, so a cache that size fills with the addresses of grains long gone; and the dashboard's metrics count
    /// the cache entry by entry every second. Must be 1 or more. Default 20,000: the grains of thousands of runs in flight.
    /// </summary>
    public int DirectoryCacheSize { get; set; } = 20_000;

    /// <summary>PostgreSQL mode's settings.</summary>
    public FactoryPostgresOptions Postgres { get; set; } = new();

    /// <summary>Streams' settings.</summary>
    public FactoryStreamsOptions Streams { get; set; } = new();
}

/// <summary>Checks <see cref="FactoryHostOptions"/>; each failure names the setting.</summary>
public sealed class FactoryHostOptionsValidator : IValidateOptions<FactoryHostOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, FactoryHostOptions options)
    {
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Mode))
        {
            failures.Add($"{FactoryHostOptions.Section}:Mode '{options.Mode}' is not a storage mode; use one of: {string.Join(", ", Enum.GetNames<StorageMode>())}.");
        }

        if (options.SiloPort is < 0 or > 65535)
        {
            failures.Add($"{FactoryHostOptions.Section}:SiloPort must be 0..65535 (was {options.SiloPort}).");
        }

        if (options.GatewayPort is < 0 or > 65535)
        {
            failures.Add($"{FactoryHostOptions.Section}:GatewayPort must be 0..65535 (was {options.GatewayPort}).");
        }

        if (options.SiloPort != 0 && options.SiloPort == options.GatewayPort)
        {
            failures.Add($"{FactoryHostOptions.Section}:SiloPort and {FactoryHostOptions.Section}:GatewayPort must differ (both {options.SiloPort}).");
        }

        if (string.IsNullOrWhiteSpace(options.ClusterId))
        {
            failures.Add($"{FactoryHostOptions.Section}:ClusterId must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceId))
        {
            failures.Add($"{FactoryHostOptions.Section}:ServiceId must not be empty.");
        }

        if (!IPAddress.TryParse(options.AdvertisedAddress, out _))
        {
            failures.Add($"{FactoryHostOptions.Section}:AdvertisedAddress must be an IP address (was '{options.AdvertisedAddress}').");
        }

        if (!Enum.IsDefined(options.Streams.Provider))
        {
            failures.Add($"{FactoryHostOptions.Section}:Streams:Provider '{options.Streams.Provider}' is not a stream provider; use one of: {string.Join(", ", Enum.GetNames<FactoryStreamProvider>())}.");
        }
        else if (options.Streams.Provider == FactoryStreamProvider.AdoNet && options.Mode != StorageMode.Postgres)
        {
            failures.Add($"{FactoryHostOptions.Section}:Streams:Provider AdoNet keeps streams in PostgreSQL, so it needs {FactoryHostOptions.Section}:Mode Postgres (was {options.Mode}).");
        }

        if (options.Streams.PollInterval is { } poll && (poll < TimeSpan.FromMilliseconds(1) || poll > TimeSpan.FromSeconds(10)))
        {
            failures.Add($"{FactoryHostOptions.Section}:Streams:PollInterval must be from 00:00:00.001 to 00:00:10 (was {poll}).");
        }

        if (options.DirectoryCacheSize < 1)
        {
            failures.Add($"{FactoryHostOptions.Section}:DirectoryCacheSize must be 1 or more (was {options.DirectoryCacheSize}).");
        }

        if (options.IdleCollectionAge <= TimeSpan.FromMinutes(1))
        {
            failures.Add($"{FactoryHostOptions.Section}:IdleCollectionAge must exceed Orleans' collection quantum of 00:01:00 (was {options.IdleCollectionAge}).");
        }

        if (options.Mode == StorageMode.Postgres)
        {
            if (string.IsNullOrWhiteSpace(options.Postgres.ConnectionString))
            {
                failures.Add($"{FactoryHostOptions.Section}:Postgres:ConnectionString is required when {FactoryHostOptions.Section}:Mode is Postgres.");
            }
            else
            {
                try
                {
                    _ = new NpgsqlConnectionStringBuilder(options.Postgres.ConnectionString);
                }
                catch (ArgumentException ex)
                {
                    failures.Add($"{FactoryHostOptions.Section}:Postgres:ConnectionString is not a valid connection string: {ex.Message}");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
