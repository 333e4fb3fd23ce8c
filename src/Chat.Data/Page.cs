namespace Chat.Data;

/// <summary>One page of a keyset-paginated list.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="Items">The items of this page, in the list's order.</param>
/// <param name="NextCursor">Pass it back to get the next page; null when this is the last one. Opaque: do not parse it.</param>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);
