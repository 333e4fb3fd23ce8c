using System.Runtime.CompilerServices;
using Chat.Data.Internal;

namespace Chat.Data.Maintenance;

internal sealed class ChatDataMaintenance(ChatDatabase db) : IChatDataMaintenance
{
    private const int MaxBatchSize = 10_000;

    // A message m deleted for everyone before the cutoff whose row can go without changing any count:
    // every member row (left ones too: a member who is added back keeps their read mark) has read
    // past it, since unread = last_seq - last_read_seq - deleted rows after the mark; and it is not the
    // root of a thread with replies, which its deletion would take with it (thread_root_id cascades).
    private const string Purgeable =
        """
        m.deleted_at < now() - @olderThan
        AND NOT EXISTS (SELECT 1 FROM {schema}.chat_members cm WHERE cm.chat_id = m.chat_id AND cm.last_read_seq < m.seq)
        AND NOT EXISTS (SELECT 1 FROM {schema}.messages r WHERE r.thread_root_id = m.id)
        """;

    // The chats holding the next batch of purgeable messages (messages_purge_idx: oldest deletion first).
    private const string PurgeChatsSql =
        $$"""
        SELECT DISTINCT p.chat_id FROM (
            SELECT m.chat_id FROM {schema}.messages m
            WHERE {{Purgeable}}
            ORDER BY m.deleted_at
            LIMIT @batchSize) p
        """;

    // Two statements in one round trip. The first locks those chats' rows, in id order, as a send or a
    // delete takes them: no message is being sent or deleted in them until the batch commits. The
    // second's snapshot is taken once the locks are held, so it decides on everything committed
    // before: the purged rows, and each relinked chat's newest remaining message.
    private const string PurgeSql =
        $$"""
        SELECT 1 FROM {schema}.chats c WHERE c.id = ANY(@chatIds) ORDER BY c.id FOR NO KEY UPDATE;

        WITH purged AS (
            DELETE FROM {schema}.messages d
            WHERE d.id IN (
                SELECT m.id FROM {schema}.messages m
                WHERE m.chat_id = ANY(@chatIds) AND {{Purgeable}}
                ORDER BY m.deleted_at
                LIMIT @batchSize)
            RETURNING d.id, d.chat_id, d.thread_root_id
        ), relinked AS (
            -- The statement still sees the rows it deletes: they are left out by hand.
            UPDATE {schema}.chats c SET last_message_id = (
                SELECT x.id FROM {schema}.messages x
                WHERE x.chat_id = c.id AND x.id NOT IN (SELECT p.id FROM purged p)
                ORDER BY x.seq DESC
                LIMIT 1)
            WHERE c.id = ANY(@chatIds) AND c.last_message_id IN (SELECT p.id FROM purged p)
        ), threads AS (
            UPDATE {schema}.messages t SET reply_count = t.reply_count - p.replies
            FROM (SELECT thread_root_id, count(*)::int AS replies FROM purged WHERE thread_root_id IS NOT NULL GROUP BY thread_root_id) p
            WHERE t.id = p.thread_root_id
        )
        SELECT count(*)::int FROM purged
        """;

    public Task<long> PurgeDeletedMessagesAsync(TimeSpan olderThan, int batchSize = 500, CancellationToken cancellationToken = default)
    {
        CheckArguments(olderThan, nameof(olderThan), batchSize);
        return InBatchesAsync(batchSize, async () =>
        {
            var chatIds = (await db.QueryAsync(PurgeChatsSql, new { olderThan, batchSize }, static r => r.GetGuid(0), cancellationToken).ConfigureAwait(false)).ToArray();
            if (chatIds.Length == 0)
                return 0;
            var purged = await db.QueryAfterLockAsync(PurgeSql, new { olderThan, batchSize, chatIds }, static r => r.GetInt32(0), cancellationToken).ConfigureAwait(false);
            return purged[0];
        }, cancellationToken);
    }

    // Groups are walked by creation (chats_idle_idx): no index names last_message_at, so a send's update
    // of its chat stays HOT. SKIP LOCKED passes over a group a send holds right now (it is not idle); a
    // locked row is re-checked against its newest version, so a group that got a message since the
    // snapshot is not archived.
    public Task<long> ArchiveIdleGroupsAsync(TimeSpan idleFor, int batchSize = 500, CancellationToken cancellationToken = default) =>
        RunBatchesAsync(
            """
            UPDATE {schema}.chats c SET archived_at = now()
            WHERE c.id IN (
                SELECT i.id FROM {schema}.chats i
                WHERE i.type = 'group' AND i.archived_at IS NULL AND i.deleted_at IS NULL
                  AND i.created_at < now() - @olderThan
                  AND (i.last_message_at IS NULL OR i.last_message_at < now() - @olderThan)
                ORDER BY i.created_at
                LIMIT @batchSize
                FOR NO KEY UPDATE SKIP LOCKED)
            """,
            idleFor, nameof(idleFor), batchSize, cancellationToken);

    public Task<long> DeleteOldActivityAsync(TimeSpan olderThan, int batchSize = 500, CancellationToken cancellationToken = default) =>
        RunBatchesAsync(
            """
            DELETE FROM {schema}.activity_feed a
            WHERE a.id IN (
                SELECT o.id FROM {schema}.activity_feed o
                WHERE o.occurred_at < now() - @olderThan
                ORDER BY o.occurred_at
                LIMIT @batchSize
                FOR UPDATE SKIP LOCKED)
            """,
            olderThan, nameof(olderThan), batchSize, cancellationToken);

    // The newest mark of each member and kind (the highest up_to_seq: marks only move forward) is never
    // a candidate, so it stays whatever runs at the same time.
    public Task<long> PruneReadMarksAsync(TimeSpan olderThan, int batchSize = 500, CancellationToken cancellationToken = default) =>
        RunBatchesAsync(
            """
            DELETE FROM {schema}.read_marks k
            USING (
                SELECT o.chat_id, o.user_id, o.kind, o.up_to_seq FROM {schema}.read_marks o
                WHERE o.at < now() - @olderThan
                  AND EXISTS (
                      SELECT 1 FROM {schema}.read_marks n
                      WHERE n.chat_id = o.chat_id AND n.user_id = o.user_id AND n.kind = o.kind AND n.up_to_seq > o.up_to_seq)
                ORDER BY o.at
                LIMIT @batchSize
                FOR UPDATE SKIP LOCKED) old
            WHERE (k.chat_id, k.user_id, k.kind, k.up_to_seq) = (old.chat_id, old.user_id, old.kind, old.up_to_seq)
            """,
            olderThan, nameof(olderThan), batchSize, cancellationToken);

    /// <summary>Runs a one-statement batch (parameters @olderThan and @batchSize) until one changes fewer rows than a batch.</summary>
    private Task<long> RunBatchesAsync(string sql, TimeSpan age, string ageField, int batchSize, CancellationToken cancellationToken, [CallerMemberName] string operation = "")
    {
        CheckArguments(age, ageField, batchSize);
        return InBatchesAsync(batchSize, () => db.ExecuteAsync(sql, new { olderThan = age, batchSize }, cancellationToken, operation: operation), cancellationToken);
    }

    private static async Task<long> InBatchesAsync(int batchSize, Func<Task<int>> batch, CancellationToken cancellationToken)
    {
        long total = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var changed = await batch().ConfigureAwait(false);
            total += changed;
            if (changed < batchSize)
                return total;
        }
    }

    private static void CheckArguments(TimeSpan age, string ageField, int batchSize)
    {
        if (age < TimeSpan.Zero)
            throw new ChatDataValidationException(ageField, $"zero or more is required ({age} given).");
        if (batchSize < 1 || batchSize > MaxBatchSize)
            throw new ChatDataValidationException(nameof(batchSize), $"use 1 to {MaxBatchSize} ({batchSize} given).");
    }
}
