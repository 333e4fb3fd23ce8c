using Chat.Data.Social;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Data.Sample;

/// <summary>Who a user blocked; a blocked user cannot open a direct chat with them or message them.</summary>
internal static class BlockEndpoints
{
    public static IEndpointRouteBuilder MapBlockEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var blocks = endpoints.MapGroup("/users/{userId:guid}/blocks").WithTags("Blocks");
        blocks.MapPost("/{blockedId:guid}", BlockAsync);
        blocks.MapDelete("/{blockedId:guid}", UnblockAsync);
        blocks.MapGet("/", ListAsync);
        return endpoints;
    }

    private static async Task<Ok<UserBlock>> BlockAsync(Guid userId, Guid blockedId, IBlockRepository blocks, CancellationToken cancellationToken) =>
        TypedResults.Ok(await blocks.BlockAsync(userId, blockedId, cancellationToken));

    private static async Task<Results<NoContent, NotFound>> UnblockAsync(Guid userId, Guid blockedId, IBlockRepository blocks, CancellationToken cancellationToken) =>
        await blocks.UnblockAsync(userId, blockedId, cancellationToken) ? TypedResults.NoContent() : TypedResults.NotFound();

    private static async Task<Ok<Page<UserBlock>>> ListAsync(Guid userId, string? cursor, int? limit, IBlockRepository blocks, CancellationToken cancellationToken) =>
        TypedResults.Ok(await blocks.ListBlockedAsync(userId, cursor, limit ?? 50, cancellationToken));
}
