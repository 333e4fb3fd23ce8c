using Chat.Data.Internal;

namespace Chat.Data.Social;

/// <summary>The rules shared by blocks, contacts and message requests, checked before the database.</summary>
internal static class SocialFields
{
    /// <summary>Two different, non-empty users, named as the caller's parameters.</summary>
    public static void Pair(Guid userId, Guid otherUserId, string userField, string otherField)
    {
        Check.NotEmpty(userId, userField);
        Check.NotEmpty(otherUserId, otherField);
        if (userId == otherUserId)
            throw new ChatDataValidationException(otherField, $"must be a different user from {userField}.");
    }

    /// <summary>Null (no alias) or 1 to 100 characters.</summary>
    public static string? Alias(string? alias, string field) =>
        alias is null ? null : Check.Required(alias, field, 100);
}
