namespace Chat.Data.Entities;

/// <summary>
/// Something documents are about: a land plot, a vehicle, a contact... with a free-form
/// name and type. Entities belong to a user, who can link them to any document.
/// </summary>
/// <param name="Id">UUID v7.</param>
/// <param name="Name">1 to 100 characters.</param>
/// <param name="Type">The user's own kind, for example <c>lahan</c>, <c>kendaraan</c> or <c>kontak</c>; null when unset.</param>
/// <param name="OwnerId">The user it belongs to.</param>
/// <param name="ContactUserId">For a contact entity, the user it stands for; null otherwise (or once that user is deleted).</param>
/// <param name="CreatedAt">When it was created (UTC).</param>
public sealed record Entity(Guid Id, string Name, string? Type, Guid OwnerId, Guid? ContactUserId, DateTimeOffset CreatedAt);

/// <summary>An entity to create.</summary>
public sealed record NewEntity
{
    /// <summary>1 to 100 characters.</summary>
    public required string Name { get; init; }

    /// <summary>The user it belongs to.</summary>
    public required Guid OwnerId { get; init; }

    /// <summary>The user's own kind (1 to 50 characters), for example <c>kendaraan</c>.</summary>
    public string? Type { get; init; }

    /// <summary>Makes it a contact entity standing for this user.</summary>
    public Guid? ContactUserId { get; init; }
}
