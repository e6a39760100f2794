using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace Factory.Silo;

/// <summary>The silo's HTTP endpoint for operators: Prometheus metrics and the Orleans dashboard (section <c>Factory:Observability</c>).</summary>
public sealed class FactoryObservabilityOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Factory:Observability";

    /// <summary>
    /// Where the endpoint listens: one <c>http://</c> URL (HTTP/1.1) whose host is an IP address, <c>localhost</c> or
    /// <c>*</c>; port 0 picks a free one; empty turns the endpoint off. Default <c>http://127.0.0.1:9464</c>.
    /// </summary>
    public string Url { get; set; } = "http://127.0.0.1:9464";

    /// <summary>Path of the Prometheus scrape endpoint. Default <c>/metrics</c>.</summary>
    public string MetricsPath { get; set; } = "/metrics";

    /// <summary>Path of the Orleans dashboard, behind the operator's credential. Default <c>/dashboard</c>.</summary>
    public string DashboardPath { get; set; } = "/dashboard";

    /// <summary>Whether the Orleans dashboard is served. Default true.</summary>
    public bool Dashboard { get; set; } = true;
}

/// <summary>Checks <see cref="FactoryObservabilityOptions"/>; each failure names the setting.</summary>
public sealed class FactoryObservabilityOptionsValidator : IValidateOptions<FactoryObservabilityOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, FactoryObservabilityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Url.Length > 0 && !TryParseUrl(options.Url, out _))
        {
            failures.Add($"{FactoryObservabilityOptions.Section}:Url must be an http:// URL with an IP address, localhost or * as host and a port 0..65535 (was '{options.Url}').");
        }

        foreach (var (key, path) in new[] { ("MetricsPath", options.MetricsPath), ("DashboardPath", options.DashboardPath) })
        {
            if (!path.StartsWith('/') || path.Length < 2 || path.EndsWith('/') || path.Contains("//", StringComparison.Ordinal))
            {
                failures.Add($"{FactoryObservabilityOptions.Section}:{key} must be a path such as /metrics (was '{path}').");
            }
        }

        if (string.Equals(options.MetricsPath, options.DashboardPath, StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{FactoryObservabilityOptions.Section}:MetricsPath and DashboardPath must differ (both '{options.MetricsPath}').");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Parses an endpoint URL (<c>*</c> meaning every interface).</summary>
    public static bool TryParseUrl(string url, [NotNullWhen(true)] out Uri? parsed)
    {
        ArgumentNullException.ThrowIfNull(url);
        parsed = null;
        if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
            || uri.Scheme != Uri.UriSchemeHttp || uri.AbsolutePath != "/" || uri.Port is < 0 or > 65535
            || !(uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 || uri.IsLoopback && uri.Host == "localhost"))
        {
            return false;
        }

        parsed = uri;
        return true;
    }
}
