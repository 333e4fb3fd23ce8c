using Chat.Data.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Data.Sample;

/// <summary>The <c>/users</c> endpoints, backed by <see cref="IUserRepository"/>.</summary>
internal static class UserEndpoints
{
    public static IEndpointRouteBuilder MapUserEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var users = endpoints.MapGroup("/users").WithTags("Users");
        users.MapPost("/", CreateAsync);
        users.MapGet("/{id:guid}", GetAsync);
        users.MapGet("/by-username/{username}", FindByUsernameAsync);
        users.MapGet("/", FindByPhonesAsync);
        return endpoints;
    }

    /// <summary>The profile a client may send; the library checks every field.</summary>
    internal sealed record CreateUserRequest(string? Phone, string? Username, string? ExternalId, string? DisplayName, string? Avatar, string? About);

    // No body at all (curl -X POST .../users) makes a demo user, so the sample can be tried with one command.
    private static async Task<Created<User>> CreateAsync(CreateUserRequest? request, IUserRepository repository, CancellationToken cancellationToken)
    {
        var newUser = request is null
            ? new NewUser { Username = $"user_{Guid.NewGuid().ToString("N")[..8]}" }
            : new NewUser
            {
                Phone = request.Phone,
                Username = request.Username,
                ExternalId = request.ExternalId,
                DisplayName = request.DisplayName,
                Avatar = request.Avatar,
                About = request.About ?? "",
            };
        var user = await repository.CreateAsync(newUser, cancellationToken);
        return TypedResults.Created($"/users/{user.Id}", user);
    }

    private static async Task<Results<Ok<User>, NotFound>> GetAsync(Guid id, IUserRepository repository, CancellationToken cancellationToken) =>
        await repository.FindByIdAsync(id, cancellationToken) is { } user ? TypedResults.Ok(user) : TypedResults.NotFound();

    private static async Task<Results<Ok<User>, NotFound>> FindByUsernameAsync(string username, IUserRepository repository, CancellationToken cancellationToken) =>
        await repository.FindByUsernameAsync(username, cancellationToken) is { } user ? TypedResults.Ok(user) : TypedResults.NotFound();

    /// <summary><c>?phones=+6281...,+6282...</c> or <c>?phones=+6281...&amp;phones=+6282...</c>: the registered users among them.</summary>
    private static async Task<Results<Ok<IReadOnlyList<User>>, ProblemHttpResult>> FindByPhonesAsync(string[] phones, IUserRepository repository, CancellationToken cancellationToken)
    {
        var list = phones
            .SelectMany(p => p.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            // An unescaped '+' in a query string arrives as a space; E.164 numbers always start with one.
            .Select(p => char.IsAsciiDigit(p[0]) ? "+" + p : p)
            .Distinct()
            .ToList();
        if (list.Count == 0)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid input", detail: "Pass one or more E.164 phone numbers: ?phones=+6281234567890,+6289876543210.",
                extensions: new Dictionary<string, object?> { ["field"] = "phones" });

        return TypedResults.Ok(await repository.FindByPhonesAsync(list, cancellationToken));
    }
}
