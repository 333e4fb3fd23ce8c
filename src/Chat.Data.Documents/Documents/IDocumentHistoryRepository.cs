namespace Chat.Data.Documents;

/// <summary>
/// A document's history: the library appends a row for every change it makes (see
/// <see cref="DocumentActions"/>); hosts append their own (viewed, exported, ...).
/// </summary>
public interface IDocumentHistoryRepository
{
    /// <summary>Appends a host's entry; allowed on a locked document (history is not content).</summary>
    /// <param name="documentId">The document.</param>
    /// <param name="action">1 to 50 characters; the host's own names should not reuse <see cref="DocumentActions"/>'.</param>
    /// <param name="userId">Who did it; null for a system entry.</param>
    /// <param name="details">A JSON object, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ReferenceNotFoundException">The document (<c>documentId</c>) or the user (<c>userId</c>) does not exist.</exception>
    Task<DocumentHistoryEntry> AppendAsync(Guid documentId, string action, Guid? userId = null, string? details = null, CancellationToken cancellationToken = default);

    /// <summary>The document's history, newest first, keyset-paginated.</summary>
    Task<Page<DocumentHistoryEntry>> ListAsync(Guid documentId, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default);
}
