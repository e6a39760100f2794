using System.Globalization;
using Microsoft.Extensions.Options;

namespace Factory.Gateway;

/// <summary>How a standalone gateway reaches the silos (section <c>Factory</c>, the silo's own keys).</summary>
public sealed class FactoryClusterClientOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Factory";

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
        if (options.GatewayPort is < 1 or > 65535)
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
