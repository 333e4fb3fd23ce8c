using System.Diagnostics;
using Chat.Data.Internal;
using Chat.Data.Replicas;

namespace Chat.Data.Messages;

/// <summary>
/// Runs sends, committing concurrent ones together (group commit). A send holds its chat's row lock
/// until commit, so one commit per message caps a busy chat near the server's commits per second,
/// and every statement costs the server its start-up (plan, constraints, triggers) whatever its rows.
/// A send that finds a runner free goes at once, alone; sends that arrive while every runner is busy
/// wait, then go together as the next batch: one statement, one round trip and one commit, with a
/// result row for each send.
/// </summary>
internal sealed class SendBatcher(ChatDatabase db)
{
    // Caps the time a batch holds its chats' locks, and so the wait of the sends behind it.
    private const int MaxBatch = 64;

    // Batches running at once, each on its own connection: two keep the server busy while one waits
    // for its round trip and commit, and leave each batch many sends to gather. In the load test on
    // 2 cores, 2 runners sent more than 1 or 4.
    private const int MaxRunners = 2;

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
        List<ReadYourWritesScope> scopes = db.TracksWrites && db.Consistency.Value is { } scope ? [scope] : [];
        return (await ExecuteAsync([row], db.ActingUser.Value?.UserId, scopes, attachments).ConfigureAwait(false))[0];
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
            List<ReadYourWritesScope> scopes = [];
            foreach (var send in batch)
            {
                if (send.Scope is { } scope)
                    scopes.Add(scope);
            }
            var results = await ExecuteAsync(
                batch.ConvertAll(s => s.Row), batch[0].ActingUser, scopes,
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
            batch[0].TrySetException(e);
        }
    }

    /// <summary>
    /// The batch in one statement (and a lone send's attachments in a second one, in the same implicit
    /// transaction): one round trip and one commit, a result row per send in its order. Traced as a batch.
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
            // No token: a send that has started is not cancelled (SendAsync).
            var results = await db.RunBatchAsync(
                SendStatement.Commands(db, rows, attachments), reader => SendStatement.ReadAsync(reader, rows.Count),
                actingUser, scopes, CancellationToken.None).ConfigureAwait(false);
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
