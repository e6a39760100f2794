using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Factory.Gateway;

/// <summary>Healthy while the gateway reaches at least one active silo of the cluster.</summary>
public sealed class ClusterHealthCheck(IClusterClient cluster) : IHealthCheck
{
    /// <summary>The check's name.</summary>
    public const string Name = "cluster";

    /// <inheritdoc/>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var hosts = await cluster.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return hosts.Count > 0
                ? HealthCheckResult.Healthy($"{hosts.Count} active silo(s)")
                : HealthCheckResult.Unhealthy("no active silo");
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException or SiloUnavailableException)
        {
            return HealthCheckResult.Unhealthy("the cluster does not answer", ex);
        }
    }
}
