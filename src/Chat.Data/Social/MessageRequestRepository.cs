using System.Data.Common;
using Chat.Data.Internal;

namespace Chat.Data.Social;

internal sealed class MessageRequestRepository(ChatDatabase db) : IMessageRequestRepository
{
    // Every query that returns requests selects these columns in this order (from a row aliased q), for Read.
    private const string Columns = "q.id, q.requester_id, q.recipient_id, q.chat_id, q.status, q.created_at, q.responded_at";

    private const int ColumnCount = 7;

    // A concurrent call that wrote the same pair's request (or direct chat) commits after this
    // statement's snapshot was taken: the statement then neither writes nor sees it, and a retry (a
    // fresh snapshot) does.
    private const int Attempts = 3;

    // The request addressed to the recipient, locked, so what a statement decides reads its newest version.
    private const string LockedRequest =
        $$"""
        request AS (
            SELECT {{Columns}} FROM {schema}.message_requests q
            WHERE q.id = @requestId AND q.recipient_id = @recipientId
            FOR UPDATE
        )
        """;

    private static MessageRequest Read(DbDataReader r) => new(
        Id: r.GetGuid(0),
        RequesterId: r.GetGuid(1),
        RecipientId: r.GetGuid(2),
        ChatId: r.IsDBNull(3) ? null : r.GetGuid(3),
        Status: DbEnum<MessageRequestStatus>.FromDb(r.GetString(4)),
        CreatedAt: r.GetFieldValue<DateTimeOffset>(5),
        RespondedAt: r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6));

    // The request that governs the pair, when there is one, is returned instead of a new one: this
    // pair's own (any status), or the other user's open one. A new row that conflicts with a
    // concurrent one (either unique rule) is skipped, and the retry returns the winner.
    public async Task<MessageRequest> CreateAsync(Guid requesterId, Guid recipientId, CancellationToken cancellationToken = default)
    {
        SocialFields.Pair(requesterId, recipientId, nameof(requesterId), nameof(recipientId));
        var row = new { id = Guid.CreateVersion7(), requesterId, recipientId };
        for (var attempt = 1; ; attempt++)
        {
            var result = await db.QuerySingleOrDefaultAsync(
                $$"""
                WITH checks AS (
                    SELECT EXISTS (
                        SELECT 1 FROM {schema}.user_blocks b WHERE b.blocker_id = @recipientId AND b.blocked_id = @requesterId) AS blocked
                ), existing AS (
                    SELECT {{Columns}} FROM {schema}.message_requests q
                    WHERE (q.requester_id = @requesterId AND q.recipient_id = @recipientId)
                       OR (q.requester_id = @recipientId AND q.recipient_id = @requesterId AND q.status <> 'declined')
                    ORDER BY q.status = 'declined'
                    LIMIT 1
                ), inserted AS (
                    INSERT INTO {schema}.message_requests AS q (id, requester_id, recipient_id)
                    SELECT @id, @requesterId, @recipientId FROM checks
                    WHERE NOT checks.blocked AND NOT EXISTS (SELECT FROM existing)
                    ON CONFLICT DO NOTHING
                    RETURNING {{Columns}}
                )
                SELECT {{Columns}}, c.blocked
                FROM checks c
                LEFT JOIN (SELECT * FROM inserted UNION ALL SELECT * FROM existing) q ON true
                """,
                row, static r => new CreateResult(r.IsDBNull(0) ? null : Read(r), r.GetBoolean(ColumnCount)), cancellationToken).ConfigureAwait(false);

            if (result!.Blocked)
                throw new BlockedException(requesterId, blockedBy: recipientId);
            if (result.Request is { } request)
                return request;
            if (attempt == Attempts)
                throw new ConcurrencyConflictException(new InvalidOperationException(
                    $"The message request from {requesterId} to {recipientId} was written and removed by concurrent calls {Attempts} times."));
        }
    }

    // One statement: the request is locked; when it is pending and the requester has not blocked the
    // recipient, the pair's direct chat is found or created (with both members, as GetOrCreateDirect
    // makes it: the key is least:greatest of the ids' text) and the request is accepted pointing at it.
    public async Task<MessageRequest?> AcceptAsync(Guid requestId, Guid recipientId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(requestId, nameof(requestId));
        Check.NotEmpty(recipientId, nameof(recipientId));
        var row = new { requestId, recipientId, chatId = Guid.CreateVersion7() };
        for (var attempt = 1; ; attempt++)
        {
            var result = await db.QuerySingleOrDefaultAsync(
                $$"""
                WITH {{LockedRequest}},
                checks AS (
                    SELECT q.requester_id, q.status = 'pending' AS pending,
                           EXISTS (
                               SELECT 1 FROM {schema}.user_blocks b
                               WHERE b.blocker_id = q.requester_id AND b.blocked_id = q.recipient_id) AS blocked,
                           least(q.requester_id, q.recipient_id)::text || ':' || greatest(q.requester_id, q.recipient_id)::text AS direct_key
                    FROM request q
                ), existing AS (
                    SELECT c.id FROM {schema}.chats c JOIN checks k ON c.direct_key = k.direct_key
                ), created AS (
                    INSERT INTO {schema}.chats AS c (id, type, created_by, direct_key)
                    SELECT @chatId, 'direct', k.requester_id, k.direct_key FROM checks k
                    WHERE k.pending AND NOT k.blocked AND NOT EXISTS (SELECT FROM existing)
                    ON CONFLICT (direct_key) DO NOTHING
                    RETURNING c.id
                ), members AS (
                    INSERT INTO {schema}.chat_members (chat_id, user_id)
                    SELECT c.id, u.user_id FROM created c, request q, LATERAL (VALUES (q.requester_id), (q.recipient_id)) AS u (user_id)
                ), accepted AS (
                    UPDATE {schema}.message_requests q SET status = 'accepted', chat_id = chat.id, responded_at = now()
                    FROM checks k, (SELECT id FROM created UNION ALL SELECT id FROM existing) chat
                    WHERE q.id = @requestId AND k.pending AND NOT k.blocked
                    RETURNING {{Columns}}
                )
                SELECT {{Columns}}, k.blocked
                FROM checks k
                CROSS JOIN LATERAL (SELECT * FROM accepted UNION ALL SELECT * FROM request WHERE NOT EXISTS (SELECT FROM accepted)) q
                """,
                row, static r => new AcceptResult(Read(r), r.GetBoolean(ColumnCount)), cancellationToken).ConfigureAwait(false);

            if (result is null)
                return null;
            var request = result.Request;
            if (request.Status == MessageRequestStatus.Accepted)
                return request;
            if (request.Status == MessageRequestStatus.Declined)
                throw new NotPermittedException("A declined message request cannot be accepted; the recipient can send a request of their own.");
            if (result.Blocked)
                throw new BlockedException(recipientId, blockedBy: request.RequesterId);
            // Still pending: the pair's direct chat was created by a concurrent call after this statement's snapshot.
            if (attempt == Attempts)
                throw new ConcurrencyConflictException(new InvalidOperationException(
                    $"The direct chat for message request {requestId} was created and deleted by concurrent calls {Attempts} times."));
        }
    }

    public async Task<MessageRequest?> DeclineAsync(Guid requestId, Guid recipientId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(requestId, nameof(requestId));
        Check.NotEmpty(recipientId, nameof(recipientId));
        var request = await db.QuerySingleOrDefaultAsync(
            $$"""
            WITH {{LockedRequest}},
            declined AS (
                UPDATE {schema}.message_requests q SET status = 'declined', responded_at = now()
                FROM request r
                WHERE q.id = r.id AND r.status = 'pending'
                RETURNING {{Columns}}
            )
            SELECT {{Columns}} FROM declined q
            UNION ALL
            SELECT {{Columns}} FROM request q WHERE NOT EXISTS (SELECT FROM declined)
            """,
            new { requestId, recipientId }, Read, cancellationToken).ConfigureAwait(false);

        return request is { Status: MessageRequestStatus.Accepted }
            ? throw new NotPermittedException("An accepted message request cannot be declined.")
            : request;
    }

    public Task<MessageRequest?> FindByIdAsync(Guid requestId, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(requestId, nameof(requestId));
        return db.QuerySingleOrDefaultAsync(
            $$"""SELECT {{Columns}} FROM {schema}.message_requests q WHERE q.id = @requestId""",
            new { requestId }, Read, cancellationToken);
    }

    public async Task<Page<MessageRequest>> ListPendingAsync(Guid recipientId, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        Check.NotEmpty(recipientId, nameof(recipientId));
        Check.Limit(limit);
        var after = Cursor.Decode(cursor, 2);
        var rows = await db.QueryAsync(
            $$"""
            SELECT {{Columns}} FROM {schema}.message_requests q
            WHERE q.recipient_id = @recipientId AND q.status = 'pending'
              AND NOT EXISTS (
                  SELECT 1 FROM {schema}.user_blocks b WHERE b.blocker_id = @recipientId AND b.blocked_id = q.requester_id)
              AND (@afterAt IS NULL OR (q.created_at, q.id) < (@afterAt, @afterId))
            ORDER BY q.created_at DESC, q.id DESC
            LIMIT @limit + 1
            """,
            new
            {
                recipientId,
                afterAt = after is null ? (DateTimeOffset?)null : Cursor.Time(after[0]),
                afterId = after is null ? (Guid?)null : Cursor.Guid(after[1]),
                limit,
            },
            Read, cancellationToken).ConfigureAwait(false);
        return Paging.Cut(rows, limit, last => Cursor.Encode(Cursor.Text(last.CreatedAt), Cursor.Text(last.Id)));
    }

    private sealed record CreateResult(MessageRequest? Request, bool Blocked);

    private sealed record AcceptResult(MessageRequest Request, bool Blocked);
}
