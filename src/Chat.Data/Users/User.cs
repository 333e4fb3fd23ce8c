namespace Chat.Data.Users;

/// <summary>A person who chats. The password hash is never part of it: see <see cref="IUserRepository.GetPasswordHashAsync"/>.</summary>
/// <param name="Id">UUID v7, made by the library.</param>
/// <param name="ExternalId">The host's own id for this user, if it has one.</param>
/// <param name="Phone">E.164 phone number, for example <c>+6281234567890</c>.</param>
/// <param name="Username">3 to 50 letters, digits or underscores; unique, case-sensitive.</param>
/// <param name="DisplayName">The name other people see.</param>
/// <param name="Avatar">An emoji or an image URL.</param>
/// <param name="About">Status text, empty when unset.</param>
/// <param name="Presence">Online, away or offline, as last set.</param>
/// <param name="LastSeenAt">When the user was last seen, if ever.</param>
/// <param name="CreatedAt">When the user was created (UTC).</param>
/// <param name="UpdatedAt">When the profile last changed (UTC).</param>
public sealed record User(
    Guid Id,
    string? ExternalId,
    string? Phone,
    string? Username,
    string DisplayName,
    string? Avatar,
    string About,
    Presence Presence,
    DateTimeOffset? LastSeenAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>What a user shows others about being around.</summary>
public enum Presence
{
    /// <summary>Not connected.</summary>
    Offline,

    /// <summary>Connected and active.</summary>
    Online,

    /// <summary>Connected but idle.</summary>
    Away,
}

/// <summary>A user to create. At least one of <see cref="Phone"/>, <see cref="Username"/> and <see cref="ExternalId"/> is required.</summary>
public sealed record NewUser
{
    /// <summary>The name other people see, 1 to 100 characters. Defaults to <see cref="Username"/> when that is given.</summary>
    public string? DisplayName { get; init; }

    /// <summary>E.164 phone number (<c>+</c>, then 7 to 15 digits), unique.</summary>
    public string? Phone { get; init; }

    /// <summary>3 to 50 letters, digits or underscores, unique (case-sensitive).</summary>
    public string? Username { get; init; }

    /// <summary>The host's own id for this user (1 to 200 characters), unique.</summary>
    public string? ExternalId { get; init; }

    /// <summary>A password hash made by the host (bcrypt, argon2, ...), at most 255 characters. The library never hashes.</summary>
    public string? PasswordHash { get; init; }

    /// <summary>An emoji or an image URL, at most 500 characters.</summary>
    public string? Avatar { get; init; }

    /// <summary>Status text, at most 200 characters.</summary>
    public string About { get; init; } = "";
}

/// <summary>
/// A partial profile update: only the properties that are not null change.
/// </summary>
public sealed record UserUpdate
{
    /// <summary>New display name, 1 to 100 characters.</summary>
    public string? DisplayName { get; init; }

    /// <summary>New E.164 phone number.</summary>
    public string? Phone { get; init; }

    /// <summary>New username.</summary>
    public string? Username { get; init; }

    /// <summary>New password hash.</summary>
    public string? PasswordHash { get; init; }

    /// <summary>New avatar; the empty string removes it.</summary>
    public string? Avatar { get; init; }

    /// <summary>New status text; the empty string clears it.</summary>
    public string? About { get; init; }

    internal bool IsEmpty => this == new UserUpdate();
}
