using Microsoft.Extensions.DependencyInjection;

namespace Chat.Data.DependencyInjection;

internal sealed class ChatDataBuilder(IServiceCollection services) : IChatDataBuilder
{
    public IServiceCollection Services { get; } = services;
}
