using System.Security.Cryptography;
using System.Text;

namespace Factory.Gateway.Security;

/// <summary>API keys are known only by the SHA-256 of their secret.</summary>
public static class ApiKeyHash
{
    /// <summary>Lower-case hex SHA-256 of the key's UTF-8 bytes.</summary>
    public static string Sha256Hex(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }
}
