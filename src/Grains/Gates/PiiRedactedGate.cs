using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Factory.Grains.Gates;

/// <summary>
/// <c>pii-redacted</c>: for every <c>pii: true</c> field of the module's entities, each property with the
/// field's PascalCase name in the types <c>{Entity}</c>, <c>{Entity}Request</c> and <c>{Entity}Response</c> of
/// the module's C# under <c>src/</c> (properties and positional record parameters) carries
/// <c>[PersonalData]</c>; and some C# file under <c>src/</c> calls <c>EnableRedaction</c>.
/// </summary>
public sealed class PiiRedactedGate : IGate
{
    private const string Attribute = "PersonalData";
    private static readonly string[] Suffixes = ["", "Request", "Response"];

    /// <inheritdoc />
    public string RuleId => GateRuleIds.PiiRedacted;

    /// <inheritdoc />
    public ValueTask<GateFinding> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);

        // Type name -> the PascalCase names of its personal-data properties.
        var personal = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var entity in GateSupport.OwnedEntities(context))
        {
            var fields = entity.Fields.Where(f => f.Pii).Select(f => GateSupport.Pascal(f.Name)).ToHashSet(StringComparer.Ordinal);
            if (fields.Count == 0)
            {
                continue;
            }

            foreach (var suffix in Suffixes)
            {
                personal[entity.Name + suffix] = fields;
            }
        }

        if (personal.Count == 0)
        {
            return ValueTask.FromResult(new GateFinding("the module's entities have no personal-data fields", []));
        }

        var violations = new List<GateViolation>();
        var checkedProperties = 0;
        var redactionEnabled = false;
        foreach (var tree in GateSupport.Parse(GateSupport.CSharpUnder(context, GateSupport.SourceFolder), cancellationToken))
        {
            var root = tree.GetRoot(cancellationToken);
            redactionEnabled |= root.DescendantNodes().OfType<InvocationExpressionSyntax>().Any(i => GateSupport.InvokedName(i) == "EnableRedaction");
            foreach (var type in root.DescendantNodes().OfType<TypeDeclarationSyntax>())
            {
                if (!personal.TryGetValue(type.Identifier.ValueText, out var names))
                {
                    continue;
                }

                foreach (var (name, attributes, node) in Properties(type))
                {
                    if (!names.Contains(name))
                    {
                        continue;
                    }

                    checkedProperties++;
                    if (!GateSupport.HasAttribute(attributes, Attribute))
                    {
                        violations.Add(new GateViolation(RuleId, GateSupport.Where(node), $"property `{type.Identifier.ValueText}.{name}` holds personal data but has no [{Attribute}] attribute"));
                    }
                }
            }
        }

        if (!redactionEnabled)
        {
            violations.Add(new GateViolation(RuleId, GateSupport.ModulePath(context), "no C# file under src/ calls `EnableRedaction`, so personal data would reach logs unredacted"));
        }

        var summary = $"{checkedProperties} personal-data properties checked, redaction {(redactionEnabled ? "enabled" : "not enabled")}";
        return ValueTask.FromResult(new GateFinding(summary, violations));
    }

    /// <summary>The properties of a type: declared properties and the parameters of a record's primary constructor.</summary>
    private static IEnumerable<(string Name, SyntaxList<AttributeListSyntax> Attributes, SyntaxNode Node)> Properties(TypeDeclarationSyntax type)
    {
        if (type is RecordDeclarationSyntax { ParameterList: { } parameters })
        {
            foreach (var parameter in parameters.Parameters)
            {
                yield return (parameter.Identifier.ValueText, parameter.AttributeLists, parameter);
            }
        }

        foreach (var property in type.Members.OfType<PropertyDeclarationSyntax>())
        {
            yield return (property.Identifier.ValueText, property.AttributeLists, property);
        }
    }
}
