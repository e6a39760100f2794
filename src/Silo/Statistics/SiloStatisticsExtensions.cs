using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Factory.Silo.Statistics;

/// <summary>
/// The opt-in statistics endpoint (<c>Factory:Statistics:Enabled</c>, default off): <c>GET /factory/statistics</c>
/// on the co-hosted gateway's port answers a <see cref="StatisticsSnapshot"/> as JSON, for the load benchmark.
/// </summary>
public static class SiloStatisticsExtensions
{
    /// <summary>The configuration key that turns the statistics on.</summary>
    public const string EnabledKey = "Factory:Statistics:Enabled";

    /// <summary>The endpoint's path.</summary>
    public const string Path = "/factory/statistics";

    /// <summary>The path listing the runs that have a grain activation on this silo.</summary>
    public const string RunsPath = "/factory/statistics/runs";

    /// <summary>Adds <see cref="SiloStatistics"/> and the grain call counter when <see cref="EnabledKey"/> is true.</summary>
    public static IHostApplicationBuilder AddFactoryStatistics(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Configuration.GetValue<bool>(EnabledKey))
        {
            builder.Services.AddSingleton<SiloStatistics>();
            builder.Services.AddSingleton<IIncomingGrainCallFilter, GrainCallCounter>();
        }

        return builder;
    }

    /// <summary>Maps <see cref="Path"/> when the statistics are on.</summary>
    public static WebApplication MapFactoryStatistics(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetService<SiloStatistics>() is { } statistics)
        {
            app.MapGet(Path, async (IGrainFactory grains, ILocalSiloDetails silo) =>
            {
                var activations = await grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics([silo.SiloAddress]);
                return Results.Json(statistics.Snapshot() with
                {
                    Activations = activations.GroupBy(a => a.GrainType, StringComparer.Ordinal)
                        .ToDictionary(g => g.Key, g => (long)g.Sum(a => a.ActivationCount), StringComparer.Ordinal),
                });
            });
            app.MapGet(RunsPath, async (IGrainFactory grains, ILocalSiloDetails silo) =>
            {
                // Every run with a run, module or agent activation here (their keys start with the run id).
                var detailed = await grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics(hostsIds: [silo.SiloAddress]);
                var runs = detailed
                    .Where(d => d.GrainId.Type.ToString() is "run" or "module" or "agent")
                    .Select(d => d.GrainId.Key.ToString()!.Split('/')[0])
                    .Distinct(StringComparer.Ordinal)
                    .Order(StringComparer.Ordinal)
                    .ToList();
                return Results.Json(runs);
            });
        }

        return app;
    }
}
