using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Factory.Grains.Llm;

/// <summary>Registers the chat-model services of a silo.</summary>
public static class LlmServiceCollectionExtensions
{
    /// <summary>Adds <see cref="LlmOptions"/> (section <c>Factory:Llm</c>, validated at start-up) <see cref="LlmChat"/>, <see cref="LlmSessions"/> and <see cref="HandlerAuthor"/>.</summary>
    public static IServiceCollection AddFactoryLlm(this IServiceCollection services)
    {
        services.AddOptions<LlmOptions>().BindConfiguration(LlmOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmOptions>, LlmOptionsValidator>());
        services.TryAddSingleton<LlmChat>();
        services.TryAddSingleton<LlmSessions>();
        services.TryAddSingleton<HandlerAuthor>();
        return services;
    }
}
