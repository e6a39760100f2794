using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Factory.Grains.Redaction;

/// <summary>Registers Factory's redaction.</summary>
public static class FactoryRedactionServiceCollectionExtensions
{
    /// <summary>
    /// Registers the redactors of <see cref="FactoryTaxonomy"/> (free text masked where it matches a secret or
    /// personal-data pattern; personal data and secrets masked whole; anything else classified masked as a
    /// secret), <see cref="ITraceRedactor"/>, and redaction of classified log parameters.
    /// </summary>
    public static IServiceCollection AddFactoryRedaction(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddRedaction(redaction =>
        {
            redaction.SetRedactor<FreeTextRedactor>(FactoryTaxonomy.FreeText);
            redaction.SetRedactor<PersonalDataRedactor>(FactoryTaxonomy.PersonalData);
            redaction.SetRedactor<SecretRedactor>(FactoryTaxonomy.Secret);
            redaction.SetFallbackRedactor<SecretRedactor>();
        });
        services.AddLogging(logging => logging.EnableRedaction());
        services.TryAddSingleton<ITraceRedactor, TraceRedactor>();
        return services;
    }
}
