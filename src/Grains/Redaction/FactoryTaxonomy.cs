using Microsoft.Extensions.Compliance.Classification;
using Microsoft.Extensions.DependencyInjection;

namespace Factory.Grains.Redaction;

/// <summary>
/// Factory's data classifications. Redactors are registered per classification
/// (<see cref="FactoryRedactionServiceCollectionExtensions.AddFactoryRedaction(IServiceCollection)"/>), and log parameters carry them as
/// attributes so that logging redaction applies the same redactors.
/// </summary>
public static class FactoryTaxonomy
{
    /// <summary>Name of the taxonomy.</summary>
    public const string Name = "Factory";

    /// <summary>Free text that may carry secrets or personal data (reasons, comments, descriptions, prompts): what matches is masked.</summary>
    public static DataClassification FreeText { get; } = new(Name, nameof(FreeText));

    /// <summary>A value that is personal data as a whole (the example of a <c>pii: true</c> field): masked entirely.</summary>
    public static DataClassification PersonalData { get; } = new(Name, nameof(PersonalData));

    /// <summary>A value that is a secret as a whole: masked entirely.</summary>
    public static DataClassification Secret { get; } = new(Name, nameof(Secret));
}

/// <summary>Marks a log parameter as <see cref="FactoryTaxonomy.FreeText"/>.</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field)]
public sealed class FreeTextAttribute : DataClassificationAttribute
{
    /// <summary>Creates the attribute.</summary>
    public FreeTextAttribute()
        : base(FactoryTaxonomy.FreeText)
    {
    }
}

/// <summary>Marks a log parameter as <see cref="FactoryTaxonomy.PersonalData"/>.</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field)]
public sealed class PersonalDataValueAttribute : DataClassificationAttribute
{
    /// <summary>Creates the attribute.</summary>
    public PersonalDataValueAttribute()
        : base(FactoryTaxonomy.PersonalData)
    {
    }
}
