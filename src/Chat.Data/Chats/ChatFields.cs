using System.Text.RegularExpressions;
using Chat.Data.Internal;

namespace Chat.Data.Chats;

/// <summary>The chats table's rules, checked before the database (the table's CHECK constraints hold the same ones).</summary>
internal static partial class ChatFields
{
    public static string Name(string? name, string field) => Check.Required(name, field, 100);

    public static string Slug(string? slug, string field)
    {
        if (slug is null || slug.Length > 100 || !SlugPattern().IsMatch(slug))
            throw new ChatDataValidationException(field, "at most 100 lower-case letters and digits in dash-separated words are required, for example team-jakarta-2.");
        return slug;
    }

    public static string? Description(string? description, string field) => Check.Optional(description, field, 1000);

    public static string? Icon(string? icon, string field) => Check.Optional(icon, field, 500);

    public static string EntityType(string? entityType, string field) => Check.Required(entityType, field, 100);

    public static string EntityId(string? entityId, string field) => Check.Required(entityId, field, 200);

    /// <summary>The business object a chat is linked to: both parts, or neither.</summary>
    public static (string? Type, string? Id) Entity(string? entityType, string? entityId, string typeField, string idField)
    {
        if (entityType is null && entityId is null)
            return (null, null);
        if (entityId is null)
            throw new ChatDataValidationException(idField, $"required with {typeField}.");
        if (entityType is null)
            throw new ChatDataValidationException(typeField, $"required with {idField}.");
        return (EntityType(entityType, typeField), EntityId(entityId, idField));
    }

    /// <summary>
    /// The members a new group or topic starts with: the creator first (who becomes its owner), then
    /// the others once each, so the count checked against the member limit is the count written.
    /// </summary>
    public static Guid[] StartingMembers(Guid createdBy, IReadOnlyCollection<Guid> memberIds, string field)
    {
        Check.NotEmpty(createdBy, "CreatedBy");
        var others = Check.Ids(memberIds, field, int.MaxValue);
        return [createdBy, .. others.Where(id => id != createdBy)];
    }

    public static bool IsEmpty(ChatUpdate update) =>
        update is { Name: null, Slug: null, Description: null, Icon: null, IsPrivate: null, Metadata: null };

    [GeneratedRegex(@"^[a-z0-9]+(-[a-z0-9]+)*\z")]
    private static partial Regex SlugPattern();
}
