using System.Data.Common;
using System.Text.RegularExpressions;
using Chat.Data.Internal;
using Chat.Data.Replicas;
using Npgsql;
using NpgsqlTypes;

namespace Chat.Data.Messages;

/// <summary>
/// Runs sends, committing concurrent ones together (group commit). A send holds its chat's row lock
/// until commit, so one commit per message caps a busy chat near the server's commits per second,
/// and every statement costs the server its start-up (plan, constraints, triggers) whatever its rows.
/// A send that finds a runner free goes at once, alone; sends that arrive while every runner is busy
/// wait, then go together as the next batch: one statement, one round trip and one commit, with a
/// result row for each send.
/// </summary>
internal sealed partial class SendBatcher(ChatDatabase db)
{
    // Caps the time a batch holds its chats' locks, and so the wait of the sends behind it.
    private const int MaxBatch = 64;

    // Batches running at once, each on its own connection: two keep the server busy while one waits
    // for its round trip and commit, and leave each batch many sends to gather. In the load test on
    // 2 cores, 2 runners sent more than 1 or 4.
    private const int MaxRunners = 2;

    // Every send of a batch, one array element each. Each send's checks are evaluated on their own;
    // a refused send spends no seq and the last SELECT says which check failed. Each chat's row is
    // locked once, in id order, and takes as many seqs as it has accepted sends, with no gap.
    internal const string SendSql = $$"""
        WITH input AS (
            SELECT * FROM unnest(@Ids, @ChatIds, @SenderIds, @ClientMsgIds, @Types, @Contents, @Metadata,
                                 @ReplyToIds, @ThreadRootIds, @Mentions, @Flagged)
                WITH ORDINALITY AS i (id, chat_id, sender_id, client_msg_id, type, content, metadata,
                                      reply_to_id, thread_root_id, mentions, flagged, ord)
        ),
        checks AS (
            -- Every lookup is one index probe per send: a correlated scalar subquery, never hashed. The
            -- statement's generic plan cannot know a batch's size, and would otherwise scan whole tables.
            SELECT i.*,
                   c.id IS NOT NULL AS chat_found,
                   i.sender_id IS NULL OR coalesce((
                       SELECT true FROM {schema}.chat_members cm
                       WHERE cm.chat_id = i.chat_id AND cm.user_id = i.sender_id AND cm.left_at IS NULL), false) AS is_member,
                   i.reply_to_id IS NULL OR coalesce((
                       SELECT true FROM {schema}.messages r WHERE r.id = i.reply_to_id AND r.chat_id = i.chat_id), false) AS reply_ok,
                   i.thread_root_id IS NULL OR coalesce((
                       SELECT true FROM {schema}.messages t
                       WHERE t.id = i.thread_root_id AND t.chat_id = i.chat_id AND t.thread_root_id IS NULL), false) AS thread_ok,
                   (SELECT e.id FROM {schema}.messages e
                    WHERE e.chat_id = i.chat_id AND e.sender_id = i.sender_id AND e.client_msg_id = i.client_msg_id) AS existing_id,
                   -- In a direct chat, the other member has blocked the sender.
                   (SELECT b.blocker_id FROM {schema}.chat_members o
                    JOIN {schema}.user_blocks b ON b.blocker_id = o.user_id AND b.blocked_id = i.sender_id
                    WHERE c.type = 'direct' AND o.chat_id = c.id
                    LIMIT 1) AS blocked_by
            FROM input i
            LEFT JOIN LATERAL (
                SELECT c.id, c.type FROM {schema}.chats c WHERE c.id = i.chat_id AND c.deleted_at IS NULL LIMIT 1
            ) c ON true
        ),
        accepted AS (
            SELECT k.*, row_number() OVER (PARTITION BY k.chat_id ORDER BY k.ord) AS nth
            FROM checks k
            WHERE k.chat_found AND k.is_member AND k.blocked_by IS NULL AND k.reply_ok AND k.thread_ok AND k.existing_id IS NULL
        ),
        locked AS (
            -- Rows are locked after the sort, so every batch takes its chats' locks in one order and
            -- two batches cannot deadlock. Each row is the latest version: a chat deleted meanwhile drops out.
            SELECT c.id FROM {schema}.chats c
            WHERE c.id IN (SELECT a.chat_id FROM accepted a) AND c.deleted_at IS NULL
            ORDER BY c.id
            FOR UPDATE
        ),
        chat AS (
            UPDATE {schema}.chats c
            SET last_seq = c.last_seq + a.added, message_count = c.message_count + a.added,
                last_message_id = a.last_id, last_message_at = clock_timestamp(), archived_at = NULL
            FROM (SELECT chat_id, count(*) AS added, (array_agg(id ORDER BY ord DESC))[1] AS last_id
                  FROM accepted GROUP BY chat_id) a
            JOIN locked l ON l.id = a.chat_id
            WHERE c.id = a.chat_id
            RETURNING c.id, c.last_seq - a.added AS seq_before, c.last_message_at AS at
        ),
        inserted AS (
            INSERT INTO {schema}.messages AS m
                (id, chat_id, seq, sender_id, client_msg_id, type, content, metadata, reply_to_id, thread_root_id, mentions, flagged, created_at)
            SELECT a.id, a.chat_id, chat.seq_before + a.nth, a.sender_id, a.client_msg_id, a.type, a.content, CAST(a.metadata AS jsonb),
                   a.reply_to_id, a.thread_root_id, CAST(a.mentions AS uuid[]), a.flagged, chat.at
            FROM accepted a JOIN chat ON chat.id = a.chat_id
            RETURNING {{MessageRepository.Columns}}
        ),
        members AS (
            -- A sender's marks move to its last message; a member mentioned by someone else counts one
            -- more unread mention per message. One update for both: a statement updates a row once.
            UPDATE {schema}.chat_members cm
            SET last_read_seq = greatest(cm.last_read_seq, coalesce(u.sent_seq, 0)),
                last_read_at = coalesce(u.sent_at, cm.last_read_at),
                last_delivered_seq = greatest(cm.last_delivered_seq, coalesce(u.sent_seq, 0)),
                last_delivered_at = coalesce(u.sent_at, cm.last_delivered_at),
                unread_mention_count = cm.unread_mention_count + CASE WHEN cm.left_at IS NULL THEN u.mentions ELSE 0 END
            FROM (
                SELECT chat_id, user_id, max(sent_seq) AS sent_seq, max(sent_at) AS sent_at, sum(mentions) AS mentions
                FROM (
                    SELECT m.chat_id, m.sender_id, m.seq, m.created_at, 0
                    FROM inserted m WHERE m.sender_id IS NOT NULL
                    UNION ALL
                    SELECT m.chat_id, mentioned.user_id, NULL, NULL, 1
                    FROM inserted m CROSS JOIN unnest(m.mentions) AS mentioned (user_id)
                    WHERE mentioned.user_id IS DISTINCT FROM m.sender_id
                ) AS each_member (chat_id, user_id, sent_seq, sent_at, mentions)
                GROUP BY chat_id, user_id
            ) u
            WHERE cm.chat_id = u.chat_id AND cm.user_id = u.user_id
        ),
        thread AS (
            UPDATE {schema}.messages t
            SET reply_count = t.reply_count + r.replies, last_reply_at = r.at
            FROM (SELECT thread_root_id, count(*) AS replies, max(created_at) AS at
                  FROM inserted WHERE thread_root_id IS NOT NULL GROUP BY thread_root_id) r
            WHERE t.id = r.thread_root_id
        )
        SELECT {{MessageRepository.Columns}}, k.chat_found, k.is_member, k.reply_ok, k.thread_ok, k.blocked_by
        FROM checks k
        LEFT JOIN LATERAL (
            SELECT {{MessageRepository.Columns}} FROM inserted m WHERE m.id = k.id
            UNION ALL
            SELECT {{MessageRepository.Columns}} FROM {schema}.messages m WHERE m.id = k.existing_id
        ) m ON true
        ORDER BY k.ord
        """;

    // Sends waiting for a runner, oldest first, and the chats the running batches hold; guarded by locking _waiting.
    private readonly List<PendingSend> _waiting = [];
    private readonly HashSet<Guid> _busyChats = [];
    private int _runners;

    /// <summary>
    /// Sends the row, alone or in the next batch. A cancelled caller stops waiting, but a send already
    /// in a running batch still commits (a retry with its client id then finds it).
    /// </summary>
    public Task<SendResult> SendAsync(SendRow row, CancellationToken cancellationToken)
    {
        var send = new PendingSend(row, db.TracksWrites ? db.Consistency.Value : null, db.ActingUser.Value?.UserId, cancellationToken);
        bool startRunner;
        lock (_waiting)
        {
            _waiting.Add(send);
            startRunner = _runners < MaxRunners;
            if (startRunner)
                _runners++;
        }
        if (startRunner)
            _ = RunBatchesAsync();
        return send.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Runs batches of waiting sends until none is left that it may take. Never throws: each send gets
    /// its own outcome. A chat is in one running batch at a time, so two runners never queue on one
    /// chat's lock; the sends of a busy chat wait for the runner that holds it, which takes them next.
    /// A retry of a send in the batch (same sender and client id) waits for the next one, where it
    /// finds the stored message.
    /// </summary>
    private async Task RunBatchesAsync()
    {
        HashSet<Guid> held = [];
        HashSet<(Guid, Guid?, string)> clientIds = [];
        while (true)
        {
            List<PendingSend> batch = [];
            lock (_waiting)
            {
                foreach (var chat in held)
                    _busyChats.Remove(chat);
                held.Clear();
                clientIds.Clear();
                for (var i = 0; i < _waiting.Count && batch.Count < MaxBatch; i++)
                {
                    var send = _waiting[i];
                    if (send.CancellationToken.IsCancellationRequested)
                        send.TrySetCanceled(send.CancellationToken);
                    // A batch runs as one acting user (or none).
                    else if ((batch.Count == 0 || batch[0].ActingUser == send.ActingUser) &&
                             (held.Contains(send.Row.ChatId) || _busyChats.Add(send.Row.ChatId) && held.Add(send.Row.ChatId)) &&
                             (send.Row.ClientMsgId is not { } clientId || clientIds.Add((send.Row.ChatId, send.Row.SenderId, clientId))))
                        batch.Add(send);
                    else
                        continue;
                    _waiting.RemoveAt(i--);
                }
                if (batch.Count == 0)
                {
                    _runners--;
                    return;
                }
            }
            await RunAsync(batch).ConfigureAwait(false);
        }
    }

    private async Task RunAsync(List<PendingSend> batch)
    {
        try
        {
            var results = await ExecuteAsync(batch).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++)
                batch[i].TrySetResult(results[i]);
        }
        catch (Exception) when (batch.Count > 1)
        {
            // The statement failed on one send and rolled back the batch: run each alone, so each gets its own outcome.
            foreach (var send in batch)
                await RunAsync([send]).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            batch[0].TrySetException(e is NpgsqlException npgsql && PostgresErrors.Translate(npgsql) is { } known ? known : e);
        }
    }

    /// <summary>The batch in one statement: one round trip and one commit, a result row per send in its order.</summary>
    private async Task<SendResult[]> ExecuteAsync(List<PendingSend> sends)
    {
        // Only a send alone can be cancelled: a batch belongs to several callers.
        var cancellationToken = sends.Count == 1 ? sends[0].CancellationToken : CancellationToken.None;
        await using var connection = await db.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection);
        // Planned once: the plan is the same for any batch (every lookup an index probe per send), but
        // PostgreSQL would plan it anew on every run, as its generic plan guesses 100 sends and looks
        // dearer than a plan for the batch's own few.
        batch.BatchCommands.Add(new NpgsqlBatchCommand(ChatDatabase.PlanOnce));
        if (sends[0].ActingUser is { } actingUser)
            batch.BatchCommands.Add(new NpgsqlBatchCommand(db.Sql(ActAsPositional)) { Parameters = { new NpgsqlParameter<Guid> { TypedValue = actingUser } } });
        var rows = sends.ConvertAll(s => s.Row);
        var scopes = sends.Select(s => s.Scope).OfType<ReadYourWritesScope>().ToList();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(db.Sql(PositionalSendSql))
        {
            // For read-your-writes: the send commits at this barrier, then the primary's position is read
            // in the same round trip.
            AppendErrorBarrier = scopes.Count > 0 ? true : null,
            Parameters =
            {
                Column(rows, r => r.Id),
                Column(rows, r => r.ChatId),
                Column(rows, r => r.SenderId),
                Column(rows, r => r.ClientMsgId),
                Column(rows, r => r.Type),
                Column(rows, r => r.Content),
                Column(rows, r => r.Metadata),
                Column(rows, r => r.ReplyToId),
                Column(rows, r => r.ThreadRootId),
                // As uuid[] literals: an array of arrays of different lengths has no PostgreSQL type.
                Column(rows, r => $"{{{string.Join(',', r.Mentions)}}}"),
                Column(rows, r => r.Flagged),
            },
        });
        if (scopes.Count > 0)
            batch.BatchCommands.Add(new NpgsqlBatchCommand(Standbys.CurrentPosition));
        // Auto-prepare leaves a batch's statements unprepared; once a pooled connection holds them,
        // preparing again costs no round trip.
        await batch.PrepareAsync(cancellationToken).ConfigureAwait(false);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var results = new SendResult[sends.Count];
        for (var i = 0; i < results.Length; i++)
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            results[i] = Read(reader);
        }
        if (scopes.Count > 0)
        {
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var written = new ConsistencyToken(reader.GetFieldValue<NpgsqlLogSequenceNumber>(0));
            foreach (var scope in scopes)
                scope.Advance(written);
        }
        return results;
    }

    // The statement as Npgsql runs it: positional parameters, in this order, so it sends the text as
    // it is instead of rewriting named ones on every call.
    private static readonly string[] ParameterOrder =
        ["Ids", "ChatIds", "SenderIds", "ClientMsgIds", "Types", "Contents", "Metadata", "ReplyToIds", "ThreadRootIds", "Mentions", "Flagged"];

    internal static readonly string PositionalSendSql =
        NamedParameter().Replace(SendSql, m => "$" + (Array.IndexOf(ParameterOrder, m.Groups[1].Value) + 1));

    private static NpgsqlParameter<T[]> Column<T>(List<SendRow> rows, Func<SendRow, T> column) =>
        new() { TypedValue = [.. rows.Select(column)] };

    private static SendResult Read(DbDataReader r) => new(
        MessageRepository.ReadOptional(r),
        ChatFound: r.GetBoolean(MessageRepository.After),
        IsMember: r.GetBoolean(MessageRepository.After + 1),
        ReplyOk: r.GetBoolean(MessageRepository.After + 2),
        ThreadOk: r.GetBoolean(MessageRepository.After + 3),
        BlockedBy: r.IsDBNull(MessageRepository.After + 4) ? null : r.GetGuid(MessageRepository.After + 4));

    [GeneratedRegex(@"@(\w+)")]
    private static partial Regex NamedParameter();

    private static readonly string ActAsPositional = ChatDatabase.ActAs.Replace("@ChatDataActingUser", "$1", StringComparison.Ordinal);

    private sealed class PendingSend(SendRow row, ReadYourWritesScope? scope, Guid? actingUser, CancellationToken cancellationToken)
        : TaskCompletionSource<SendResult>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public SendRow Row { get; } = row;

        /// <summary>The caller's read-your-writes scope, when writes record their position.</summary>
        public ReadYourWritesScope? Scope { get; } = scope;

        /// <summary>The user the caller acts as under row-level security, or null.</summary>
        public Guid? ActingUser { get; } = actingUser;

        public CancellationToken CancellationToken { get; } = cancellationToken;
    }
}

/// <summary>A validated message, as the send statement takes it.</summary>
internal sealed record SendRow(
    Guid Id, Guid ChatId, Guid? SenderId, string? ClientMsgId, string Type, string? Content, string? Metadata,
    Guid? ReplyToId, Guid? ThreadRootId, Guid[] Mentions, bool Flagged);

/// <summary>What the send statement found: the message stored (or the earlier one with its client id), and each check.</summary>
internal sealed record SendResult(Message? Message, bool ChatFound, bool IsMember, bool ReplyOk, bool ThreadOk, Guid? BlockedBy);
