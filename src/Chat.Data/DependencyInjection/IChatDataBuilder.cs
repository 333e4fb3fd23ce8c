namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Returned by <c>AddChatData</c>, so optional parts can add themselves to the same registration.</summary>
public interface IChatDataBuilder
{
    /// <summary>The host's service collection.</summary>
    IServiceCollection Services { get; }
}
