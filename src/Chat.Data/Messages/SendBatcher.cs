using System.Data.Common;
using System.Diagnostics;
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
    /// Sends the row, alone or in the next batch. A cancelled send is one that never ran: the token
    /// takes it out of the queue while it waits; once its batch has started, the send completes with
    /// its result and the token is ignored, so a caller told "cancelled" knows nothing was written.
    /// </summary>
    public Task<SendResult> SendAsync(SendRow row, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
            return Task.FromCanceled<SendResult>(cancellationToken);
        var send = new PendingSend(row, db.TracksWrites ? db.Consistency.Value : null, db.ActingUser.Value?.UserId, cancellationToken)
        {
            Trace = System.Diagnostics.Activity.Current?.Context ?? default,
        };
        // Registered before the send is queued, so a runner that takes it finds the registration to
        // remove; a token cancelled in between is seen by the runner's own check.
        if (cancellationToken.CanBeCanceled)
        {
            send.Registration = cancellationToken.UnsafeRegister(static state =>
            {
                var (batcher, send) = ((SendBatcher, PendingSend))state!;
                batcher.Withdraw(send);
            }, (this, send));
        }
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
        return send.Task;
    }

    /// <summary>
    /// Sends the row with its attachments, alone: one round trip and one transaction, so the
    /// attachments are stored with the message or not at all. Like a queued send, it may be cancelled
    /// only before it starts.
    /// </summary>
    public async Task<SendResult> SendWithAttachmentsAsync(SendRow row, AttachmentRules.Columns attachments, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            List<ReadYourWritesScope> scopes = db.TracksWrites && db.Consistency.Value is { } scope ? [scope] : [];
            return (await ExecuteAsync([row], db.ActingUser.Value?.UserId, scopes, attachments).ConfigureAwait(false))[0];
        }
        catch (NpgsqlException e) when (PostgresErrors.Translate(e) is { } known)
        {
            throw known;
        }
    }

    /// <summary>Cancels a send that still waits; one a runner has taken runs on.</summary>
    private void Withdraw(PendingSend send)
    {
        lock (_waiting)
        {
            if (!_waiting.Remove(send))
                return;
        }
        send.TrySetCanceled(send.CancellationToken);
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
        // A runner serves many callers: each batch is a trace of its own, linked to the sends it carries.
        System.Diagnostics.Activity.Current = null;
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
                    {
                        // From here the send runs to its result, whatever its token does.
                        send.Registration.Unregister();
                        batch.Add(send);
                    }
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
            var results = await ExecuteAsync(
                batch.ConvertAll(s => s.Row), batch[0].ActingUser, [.. batch.Select(s => s.Scope).OfType<ReadYourWritesScope>()],
                links: ChatDataTelemetry.Source.HasListeners() ? batch.ConvertAll(s => new ActivityLink(s.Trace)) : null).ConfigureAwait(false);
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

    /// <summary>
    /// The batch in one statement (and a send's attachments in a second one, in the same implicit
    /// transaction): one round trip and one commit, a result row per send in its order.
    /// </summary>
    private async Task<SendResult[]> ExecuteAsync(
        List<SendRow> rows, Guid? actingUser, List<ReadYourWritesScope> scopes, AttachmentRules.Columns? attachments = null, List<ActivityLink>? links = null)
    {
        var activity = ChatDataTelemetry.Source.HasListeners()
            ? ChatDataTelemetry.Source.StartActivity("messages.send_batch", ActivityKind.Client, default(ActivityContext), links: links)
            : null;
        activity?.SetTag("db.system.name", "postgresql");
        activity?.SetTag("chat_data.send.batch.size", rows.Count);
        var started = ChatDataTelemetry.SendBatchDuration.Enabled ? Stopwatch.GetTimestamp() : 0;
        try
        {
            var results = await ExecuteStatementAsync(rows, actingUser, scopes, attachments).ConfigureAwait(false);
            if (ChatDataTelemetry.MessagesSent.Enabled)
                ChatDataTelemetry.MessagesSent.Add(results.Count(r => r.Message is not null));
            return results;
        }
        catch (Exception e) when (activity is not null)
        {
            ChatDataTelemetry.SetError(activity, e);
            throw;
        }
        finally
        {
            activity?.Dispose();
            if (started != 0)
                ChatDataTelemetry.SendBatchDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            if (ChatDataTelemetry.SendBatchSize.Enabled)
                ChatDataTelemetry.SendBatchSize.Record(rows.Count);
        }
    }

    private async Task<SendResult[]> ExecuteStatementAsync(
        List<SendRow> rows, Guid? actingUser, List<ReadYourWritesScope> scopes, AttachmentRules.Columns? attachments)
    {
        // No token: a send that has started is not cancelled (SendAsync).
        await using var connection = await db.DataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection);
        // Planned once: the plan is the same for any batch (every lookup an index probe per send), but
        // PostgreSQL would plan it anew on every run, as its generic plan guesses 100 sends and looks
        // dearer than a plan for the batch's own few.
        batch.BatchCommands.Add(new NpgsqlBatchCommand(ChatDatabase.PlanOnce));
        if (actingUser is { } user)
            batch.BatchCommands.Add(new NpgsqlBatchCommand(db.Sql(ActAsPositional)) { Parameters = { new NpgsqlParameter<Guid> { TypedValue = user } } });
        batch.BatchCommands.Add(new NpgsqlBatchCommand(db.Sql(PositionalSendSql))
        {
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
        if (attachments is not null)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(db.Sql(PositionalAttachSql))
            {
                Parameters =
                {
                    new NpgsqlParameter<Guid> { TypedValue = rows[0].Id },
                    new NpgsqlParameter<Guid[]> { TypedValue = attachments.Ids },
                    new NpgsqlParameter<string[]> { TypedValue = attachments.Kinds },
                    new NpgsqlParameter<string?[]> { TypedValue = attachments.FileNames },
                    new NpgsqlParameter<string[]> { TypedValue = attachments.MimeTypes },
                    new NpgsqlParameter<long[]> { TypedValue = attachments.Sizes },
                    new NpgsqlParameter<string?[]> { TypedValue = attachments.StorageKeys },
                    new NpgsqlParameter<string?[]> { TypedValue = attachments.Urls },
                    new NpgsqlParameter<string?[]> { TypedValue = attachments.ThumbnailKeys },
                    new NpgsqlParameter<string?[]> { TypedValue = attachments.ThumbnailUrls },
                    new NpgsqlParameter<int?[]> { TypedValue = attachments.Widths },
                    new NpgsqlParameter<int?[]> { TypedValue = attachments.Heights },
                    new NpgsqlParameter<int?[]> { TypedValue = attachments.Durations },
                    new NpgsqlParameter<string[]> { TypedValue = attachments.ScanStatuses },
                    new NpgsqlParameter<string?[]> { TypedValue = attachments.Metadata },
                },
            });
        }
        if (scopes.Count > 0)
        {
            // For read-your-writes: the send (and its attachments) commit at this barrier, then the
            // primary's position is read in the same round trip.
            batch.BatchCommands[^1].AppendErrorBarrier = true;
            batch.BatchCommands.Add(new NpgsqlBatchCommand(Standbys.CurrentPosition));
        }
        // Auto-prepare leaves a batch's statements unprepared; once a pooled connection holds them,
        // preparing again costs no round trip.
        await batch.PrepareAsync().ConfigureAwait(false);
        await using var reader = await batch.ExecuteReaderAsync().ConfigureAwait(false);
        await reader.NextResultAsync().ConfigureAwait(false);
        var results = new SendResult[rows.Count];
        for (var i = 0; i < results.Length; i++)
        {
            await reader.ReadAsync().ConfigureAwait(false);
            results[i] = Read(reader);
        }
        if (scopes.Count > 0)
        {
            // The attachments' insert returns no rows, so the next result is the position.
            await reader.NextResultAsync().ConfigureAwait(false);
            await reader.ReadAsync().ConfigureAwait(false);
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

    internal static readonly string PositionalSendSql = Positional(SendSql, ParameterOrder);

    // A send's attachments, after the send in the same transaction: stored only if the send stored
    // its message (a refused send, or a retry that found its first message, inserted none).
    private const string AttachSql = """
        INSERT INTO {schema}.message_attachments
            (id, message_id, chat_id, kind, file_name, mime_type, size_bytes, storage_key, url, thumbnail_key,
             thumbnail_url, width, height, duration_ms, sort_order, scan_status, metadata)
        SELECT n.id, m.id, m.chat_id, n.kind, n.file_name, n.mime_type, n.size_bytes, n.storage_key, n.url, n.thumbnail_key,
               n.thumbnail_url, n.width, n.height, n.duration_ms, n.ord - 1, n.scan_status, CAST(n.metadata AS jsonb)
        FROM {schema}.messages m,
             unnest(@Ids, @Kinds, @FileNames, @MimeTypes, @Sizes, @StorageKeys, @Urls, @ThumbnailKeys,
                    @ThumbnailUrls, @Widths, @Heights, @Durations, @ScanStatuses, @Metadata)
                 WITH ORDINALITY AS n (id, kind, file_name, mime_type, size_bytes, storage_key, url, thumbnail_key,
                                       thumbnail_url, width, height, duration_ms, scan_status, metadata, ord)
        WHERE m.id = @MessageId
        """;

    private static readonly string PositionalAttachSql = Positional(AttachSql,
        ["MessageId", "Ids", "Kinds", "FileNames", "MimeTypes", "Sizes", "StorageKeys", "Urls", "ThumbnailKeys",
         "ThumbnailUrls", "Widths", "Heights", "Durations", "ScanStatuses", "Metadata"]);

    private static string Positional(string sql, string[] order) =>
        NamedParameter().Replace(sql, m => "$" + (Array.IndexOf(order, m.Groups[1].Value) + 1));

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

        public CancellationTokenRegistration Registration { get; set; }

        /// <summary>The caller's span (the send's), which the batch that carries it links to.</summary>
        public ActivityContext Trace { get; init; }
    }
}

/// <summary>A validated message, as the send statement takes it.</summary>
internal sealed record SendRow(
    Guid Id, Guid ChatId, Guid? SenderId, string? ClientMsgId, string Type, string? Content, string? Metadata,
    Guid? ReplyToId, Guid? ThreadRootId, Guid[] Mentions, bool Flagged);

/// <summary>What the send statement found: the message stored (or the earlier one with its client id), and each check.</summary>
internal sealed record SendResult(Message? Message, bool ChatFound, bool IsMember, bool ReplyOk, bool ThreadOk, Guid? BlockedBy);
