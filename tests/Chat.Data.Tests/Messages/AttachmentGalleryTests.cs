using Chat.Data.Messages;
using Chat.Data.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Data.Tests.Messages;

/// <summary>A chat's media gallery by kind, newest first, and the queue of attachments waiting for a scan.</summary>
public sealed class AttachmentGalleryTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    private IAttachmentRepository Attachments => db.Attachments;

    /// <summary>One message per attachment kind, <paramref name="rounds"/> times, from one member: images, videos, voice notes, files.</summary>
    private async Task<(MessageScene Scene, List<MessageAttachment> Added)> GalleryAsync(int rounds)
    {
        var scene = await MessageScene.CreateAsync(db);
        var added = new List<MessageAttachment>();
        for (var i = 0; i < rounds; i++)
        {
            foreach (var file in new[] { Files.Image(), Files.Of(AttachmentKind.Video, "video/mp4"), Files.Of(AttachmentKind.Voice, "audio/ogg"), Files.Of(AttachmentKind.File, "application/pdf") })
            {
                var message = await scene.SendAsync(scene.Member);
                added.AddRange(await AllTypes.AddAsync(message.Id, scene.Member, [file, file]));
            }
        }
        return (scene, added);
    }

    // Every MIME type allowed, for galleries of every kind.
    private ServiceProvider _allTypes = null!;

    private IAttachmentRepository AllTypes => _allTypes.GetRequiredService<IAttachmentRepository>();

    public Task InitializeAsync()
    {
        _allTypes = ServicesWithOptions.Build(db, o => o.AllowedAttachmentMimeTypes = ["*/*"]);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _allTypes.DisposeAsync();

    private async Task<List<MessageAttachment>> WalkAsync(MessageScene scene, Guid viewerId, AttachmentKind[]? kinds, int limit)
    {
        var seen = new List<MessageAttachment>();
        string? cursor = null;
        do
        {
            var page = await Attachments.GetGalleryAsync(scene.ChatId, viewerId, kinds, cursor, limit);
            Assert.True(page.Items.Count == limit || page.NextCursor is null);
            seen.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return seen;
    }

    private static void NewestFirst(IReadOnlyList<MessageAttachment> items) =>
        Assert.True(items.Zip(items.Skip(1)).All(p => p.First.CreatedAt >= p.Second.CreatedAt), "newest first");

    [Fact]
    public async Task The_gallery_of_one_kind_pages_newest_first_with_no_gap_or_repeat()
    {
        var (scene, added) = await GalleryAsync(rounds: 6);

        var images = await WalkAsync(scene, scene.OwnerId, [AttachmentKind.Image], limit: 5);

        Assert.Equal(12, images.Count);
        Assert.All(images, a => Assert.Equal(AttachmentKind.Image, a.Kind));
        Assert.Equal(added.Where(a => a.Kind == AttachmentKind.Image).Select(a => a.Id).Order(), images.Select(a => a.Id).Order());
        NewestFirst(images);
        Assert.Equal(images, (await Attachments.GetGalleryAsync(scene.ChatId, scene.OwnerId, [AttachmentKind.Image], limit: 200)).Items);
    }

    [Fact]
    public async Task The_gallery_of_several_kinds_merges_them_newest_first_and_no_kinds_means_all()
    {
        var (scene, added) = await GalleryAsync(rounds: 3);

        var media = await WalkAsync(scene, scene.Member, [AttachmentKind.Image, AttachmentKind.Video, AttachmentKind.Image], limit: 4);
        var all = await WalkAsync(scene, scene.Member, null, limit: 7);
        var allByEmpty = (await Attachments.GetGalleryAsync(scene.ChatId, scene.Member, [], limit: 200)).Items;

        Assert.Equal(added.Where(a => a.Kind is AttachmentKind.Image or AttachmentKind.Video).Select(a => a.Id).Order(), media.Select(a => a.Id).Order());
        NewestFirst(media);
        Assert.Equal(added.Select(a => a.Id).Order(), all.Select(a => a.Id).Order());
        NewestFirst(all);
        Assert.Equal(all, allByEmpty);
        Assert.Empty((await Attachments.GetGalleryAsync(scene.ChatId, scene.Member, [AttachmentKind.Audio])).Items);
    }

    [Fact]
    public async Task The_gallery_leaves_out_what_the_viewer_hid_or_cleared_and_refuses_a_non_member()
    {
        var (scene, added) = await GalleryAsync(rounds: 2);
        var byMessage = added.GroupBy(a => a.MessageId).Select(g => g.Key).ToList();
        await db.Messages.HideForMeAsync(byMessage[^1], scene.OwnerId);
        // "Delete chat for me" up to the first round's messages.
        await scene.ExecuteAsync("UPDATE chat.chat_members SET cleared_seq = 4 WHERE chat_id = @ChatId AND user_id = @OwnerId", new { scene.OwnerId });
        var stranger = await scene.StrangerAsync();

        var owners = (await Attachments.GetGalleryAsync(scene.ChatId, scene.OwnerId, limit: 200)).Items;
        var members = (await Attachments.GetGalleryAsync(scene.ChatId, scene.Member, limit: 200)).Items;
        var error = await Assert.ThrowsAsync<NotAMemberException>(() => Attachments.GetGalleryAsync(scene.ChatId, stranger));

        Assert.Equal(byMessage.Skip(4).SkipLast(1).Order(), owners.Select(a => a.MessageId).Distinct().Order());
        Assert.Equal(added.Count, members.Count);
        Assert.Equal((scene.ChatId, stranger), (error.ChatId, error.UserId));
    }

    [Fact]
    public async Task A_gallery_page_is_one_round_trip_and_an_empty_chat_gives_an_empty_last_page()
    {
        var scene = await MessageScene.CreateAsync(db);

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        var page = await Attachments.GetGalleryAsync(scene.ChatId, scene.Member, [AttachmentKind.Image, AttachmentKind.Video]);

        Assert.Equal(1, roundTrips.Count);
        Assert.Empty(page.Items);
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task A_deep_gallery_page_is_a_range_scan_per_kind_on_the_gallery_index()
    {
        var scene = await MessageScene.CreateAsync(db);
        await db.Arrange.MessagesAsync(scene.ChatId, scene.Member, 2_000);
        await scene.ExecuteAsync("""
            INSERT INTO chat.message_attachments (id, message_id, chat_id, kind, mime_type, size_bytes, storage_key, created_at)
            SELECT gen_random_uuid(), m.id, m.chat_id, (ARRAY['image', 'video', 'file', 'voice'])[1 + m.seq % 4], 'image/jpeg', 1, 'k' || m.seq,
                   now() - m.seq * interval '1 second'
            FROM chat.messages m, generate_series(1, 5)
            WHERE m.chat_id = @ChatId;
            ANALYZE chat.message_attachments; ANALYZE chat.messages; ANALYZE chat.chat_members;
            """);
        await using var connection = await db.OpenAsync();

        var plan = string.Join('\n', await connection.QueryAsync<string>(
            "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + AttachmentRepository.GallerySql.Replace("{schema}", "chat", StringComparison.Ordinal),
            new { scene.ChatId, viewerId = scene.Member, kinds = new[] { "image", "video" }, afterAt = DateTimeOffset.UtcNow.AddMinutes(-20), afterId = Guid.AllBitsSet, limit = 50 }));

        Assert.Contains("Index Scan using message_attachments_gallery_idx on message_attachments a", plan);
        Assert.Contains("Index Cond: ((chat_id = ", plan);
        Assert.Contains("(ROW(created_at, id) < ROW(", plan);
        Assert.DoesNotContain("Seq Scan on message_attachments", plan);
        Assert.DoesNotContain("Seq Scan on messages", plan);
        // Each kind reads one page and one more (51 rows), not the chat's 10,000.
        Assert.Contains("(actual rows=51 loops=2)", plan);
    }

    [Fact]
    public async Task Pending_scans_page_oldest_first_and_leave_the_queue_as_their_status_is_set()
    {
        // The queue is global: this class's database holds only this test's pending rows once the others' are set.
        var (scene, added) = await GalleryAsync(rounds: 2);
        await using (var connection = await db.OpenAsync())
            await connection.ExecuteAsync("UPDATE chat.message_attachments SET scan_status = 'clean' WHERE chat_id <> @ChatId", new { scene.ChatId });
        await db.Attachments.SetScanStatusAsync(added[0].Id, ScanStatus.Clean);

        var pending = new List<MessageAttachment>();
        string? cursor = null;
        do
        {
            var page = await Attachments.ListPendingScansAsync(cursor, limit: 3);
            pending.AddRange(page.Items);
            foreach (var attachment in page.Items)
                await Attachments.SetScanStatusAsync(attachment.Id, ScanStatus.Clean);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(added.Skip(1).Select(a => a.Id).Order(), pending.Select(a => a.Id).Order());
        Assert.True(pending.Zip(pending.Skip(1)).All(p => p.First.CreatedAt <= p.Second.CreatedAt), "oldest first");
        Assert.Empty((await Attachments.ListPendingScansAsync()).Items);
    }

    [Fact]
    public async Task The_pending_scan_query_uses_the_pending_index_from_the_cursor()
    {
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync("SET enable_seqscan = off");

        var plan = string.Join('\n', await connection.QueryAsync<string>(
            "EXPLAIN (COSTS OFF) " + AttachmentRepository.PendingScansSql.Replace("{schema}", "chat", StringComparison.Ordinal),
            new { afterAt = DateTimeOffset.UtcNow, afterId = Guid.Empty, limit = 50 }));

        Assert.Contains("message_attachments_pending_scan_idx", plan);
        Assert.Contains("Index Cond: (created_at >= ", plan);
    }
}
