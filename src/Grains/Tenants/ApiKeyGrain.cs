namespace Factory.Grains.Tenants;

/// <summary>Persistent state of an API key.</summary>
[GenerateSerializer, Alias("Factory.Grains.ApiKeyState")]
public sealed class ApiKeyState
{
    /// <summary>The tenant and key id it is bound to, or null while unbound.</summary>
    [Id(0)] public ApiKeyIdentity? Identity { get; set; }

    /// <summary>Whether it was revoked.</summary>
    [Id(1)] public bool Revoked { get; set; }
}

/// <summary>
/// An API key, keyed by the SHA-256 (lower-case hex) of its secret, so authenticating a bearer token is one
/// hash and one grain call, and the secret itself is stored nowhere.
/// </summary>
public sealed class ApiKeyGrain(
    [PersistentState("apikey", FactoryNames.GrainStorage)] IPersistentState<ApiKeyState> state) : Grain, IApiKeyGrain
{
    /// <inheritdoc/>
    public Task<ApiKeyIdentity?> AuthenticateAsync() =>
        Task.FromResult(state.State.Revoked ? null : state.State.Identity);

    /// <inheritdoc/>
    public async Task BindAsync(ApiKeyIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (state.State.Identity is { } bound)
        {
            if (bound != identity)
            {
                throw new InvalidOperationException("The API key is bound to another identity already.");
            }

            return;
        }

        state.State.Identity = identity;
        await state.WriteStateAsync();
    }

    /// <inheritdoc/>
    public async Task RevokeAsync()
    {
        if (!state.State.Revoked)
        {
            state.State.Revoked = true;
            await state.WriteStateAsync();
        }
    }
}
