namespace Chat.Data.Internal;

/// <summary>Keyset pages: a list query fetches one row more than the page, which says whether there is a next page.</summary>
internal static class Paging
{
    /// <summary>The page of the first <paramref name="limit"/> rows; the cursor (from the last of them) only when a row was left over.</summary>
    public static Page<T> Cut<T>(List<T> rows, int limit, Func<T, string> cursorOf)
    {
        if (rows.Count <= limit)
            return new Page<T>(rows, null);
        rows.RemoveRange(limit, rows.Count - limit);
        return new Page<T>(rows, cursorOf(rows[^1]));
    }
}
