using Chat.Data.Social;
using Chat.Data.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Data.Sample;

/// <summary>A user's contacts: matching an address book, requesting, accepting and listing.</summary>
internal static class ContactEndpoints
{
    public static IEndpointRouteBuilder MapContactEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var contacts = endpoints.MapGroup("/users/{userId:guid}/contacts").WithTags("Contacts");
        contacts.MapPost("/sync", SyncAsync);
        contacts.MapPost("/", RequestAsync);
        contacts.MapPost("/{requesterId:guid}/accept", AcceptAsync);
        contacts.MapGet("/", ListAsync);
        return endpoints;
    }

    internal sealed record SyncRequest(string[] Phones);

    internal sealed record ContactRequest(Guid ContactId, string? Alias);

    /// <summary>The registered users among the phone numbers of the user's address book.</summary>
    private static async Task<Ok<IReadOnlyList<User>>> SyncAsync(Guid userId, SyncRequest request, IContactRepository contacts, CancellationToken cancellationToken) =>
        TypedResults.Ok(await contacts.SyncAsync(userId, request.Phones, cancellationToken));

    private static async Task<Ok<Contact>> RequestAsync(Guid userId, ContactRequest request, IContactRepository contacts, CancellationToken cancellationToken) =>
        TypedResults.Ok(await contacts.RequestAsync(userId, request.ContactId, request.Alias, cancellationToken));

    private static async Task<Results<Ok<Contact>, NotFound>> AcceptAsync(Guid userId, Guid requesterId, IContactRepository contacts, CancellationToken cancellationToken) =>
        await contacts.AcceptAsync(userId, requesterId, cancellationToken) is { } contact ? TypedResults.Ok(contact) : TypedResults.NotFound();

    /// <summary><c>?status=accepted</c> (the default) or <c>pending</c>.</summary>
    private static async Task<Ok<Page<Contact>>> ListAsync(Guid userId, ContactStatus? status, string? cursor, int? limit, IContactRepository contacts, CancellationToken cancellationToken) =>
        TypedResults.Ok(await contacts.ListAsync(userId, status ?? ContactStatus.Accepted, cursor, limit ?? 50, cancellationToken));
}
