using Chat.Data.Internal;

namespace Chat.Data.Security;

internal sealed class RowLevelSecurity(ChatDatabase db) : IRowLevelSecurity
{
    public ActingUserScope ActAs(Guid userId)
    {
        Check.NotEmpty(userId, nameof(userId));
        return new ActingUserScope(db.ActingUser, userId);
    }

    public ActingUserScope? Current => db.ActingUser.Value;
}
