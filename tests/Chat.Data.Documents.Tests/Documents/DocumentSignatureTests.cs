using Chat.Data.Documents;
using Chat.Data.Users;

namespace Chat.Data.Documents.Tests.Documents;

/// <summary>The signer flow: add signers, sign, check who signed, lock by signatures.</summary>
public sealed class DocumentSignatureTests(DocumentsDatabaseFixture db) : IClassFixture<DocumentsDatabaseFixture>
{
    private IDocumentSignatureRepository Signatures => db.Signatures;

    private async Task<(Document Document, User Owner, User[] Signers)> SigningAsync(int signers, bool requireSignatures = true)
    {
        var owner = await db.Arrange.UserAsync("Owner");
        var document = await db.StandaloneAsync(owner.Id, "Perjanjian jual beli", requireSignatures);
        var users = await db.Arrange.UsersAsync(signers);
        foreach (var user in users)
            await Signatures.AddSignerAsync(document.Id, user.Id, owner.Id);
        return (document, owner, users);
    }

    [Fact]
    public async Task Signer_flow_add_sign_and_check_all_signed_then_the_last_signature_locks_in_one_round_trip()
    {
        var (document, _, signers) = await SigningAsync(2);
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        var first = await Signatures.SignAsync(document.Id, signers[0].Id, "Budi Santoso");

        Assert.Equal([signers[0].Id], first!.Signed.Select(s => s.UserId));
        Assert.Equal([signers[1].Id], first.Pending.Select(s => s.UserId));
        Assert.False(first.AllSigned);
        Assert.Null(first.LockedAt);
        Assert.Equal("Budi Santoso", first.Signed[0].SignerName);
        Assert.InRange(first.Signed[0].SignedAt!.Value, before, DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.False((await db.Documents.FindByIdAsync(document.Id))!.IsLocked);

        SignatureStatus? last;
        using (var roundTrips = new RoundTripCounter(db.Database.Name))
        {
            last = await Signatures.SignAsync(document.Id, signers[1].Id, "Siti Aminah");
            Assert.Equal(1, roundTrips.Count);
        }

        Assert.True(last!.AllSigned);
        Assert.Empty(last.Pending);
        Assert.Equal(LockReason.Signatures, last.LockReason);
        Assert.Equal(last.Signers[1].SignedAt, last.LockedAt);
        var locked = await db.Documents.FindByIdAsync(document.Id);
        Assert.Equal(LockReason.Signatures, locked!.LockReason);
        Assert.Equal(last.LockedAt, locked.LockedAt);
        var status = await Signatures.GetStatusAsync(document.Id);
        Assert.Equal(last.Signers, status!.Signers);
        Assert.Equal((last.RequiresSignatures, last.LockedAt, last.LockReason), (status.RequiresSignatures, status.LockedAt, status.LockReason));
        Assert.Equal(
            [DocumentActions.Created, DocumentActions.SignerAdded, DocumentActions.SignerAdded, DocumentActions.Signed, DocumentActions.Signed, DocumentActions.Locked],
            await db.ActionsAsync(document.Id));
        var history = (await db.DocumentHistory.ListAsync(document.Id)).Items;
        Assert.Equal("""{"reason": "signatures"}""", history[0].Details);
        Assert.Equal(signers[1].Id, history[0].UserId);
        Assert.Equal("""{"signerName": "Siti Aminah"}""", history[1].Details);
    }

    [Fact]
    public async Task A_document_that_does_not_require_signatures_collects_them_without_locking()
    {
        var (document, _, signers) = await SigningAsync(1, requireSignatures: false);

        var status = await Signatures.SignAsync(document.Id, signers[0].Id, "Agus");

        Assert.True(status!.AllSigned);
        Assert.False(status.RequiresSignatures);
        Assert.Null(status.LockReason);
        Assert.False((await db.Documents.FindByIdAsync(document.Id))!.IsLocked);
    }

    [Fact]
    public async Task Signing_again_returns_the_status_unchanged_even_after_the_lock()
    {
        var (document, _, signers) = await SigningAsync(1);
        var signed = await Signatures.SignAsync(document.Id, signers[0].Id, "First name");
        var before = await db.FootprintAsync(document.Id);

        var again = await Signatures.SignAsync(document.Id, signers[0].Id, "Another name");

        Assert.Equal(signed!.Signers, again!.Signers);
        Assert.Equal("First name", again.Signers[0].SignerName);
        Assert.Equal(before, await db.FootprintAsync(document.Id));
    }

    [Fact]
    public async Task Only_a_signer_signs_and_only_an_unlocked_document()
    {
        var (document, owner, signers) = await SigningAsync(2);
        var stranger = await db.Arrange.UserAsync();

        await Assert.ThrowsAsync<NotPermittedException>(() => Signatures.SignAsync(document.Id, stranger.Id, "Nobody"));
        await Assert.ThrowsAsync<NotPermittedException>(() => Signatures.SignAsync(document.Id, owner.Id, "Owner"));
        await db.Documents.LockAsync(document.Id, owner.Id);
        var before = await db.FootprintAsync(document.Id);
        var error = await Assert.ThrowsAsync<DocumentLockedException>(() => Signatures.SignAsync(document.Id, signers[0].Id, "Locked out"));

        Assert.Equal(LockReason.Manual, error.LockReason);
        Assert.Equal(before, await db.FootprintAsync(document.Id));
        Assert.Null(await Signatures.SignAsync(Guid.CreateVersion7(), signers[0].Id, "No document"));
        Assert.Null(await Signatures.GetStatusAsync(Guid.CreateVersion7()));
    }

    [Fact]
    public async Task The_owner_can_be_a_signer_and_signers_are_listed_in_the_order_added()
    {
        var (document, owner, signers) = await SigningAsync(2);

        await Signatures.AddSignerAsync(document.Id, owner.Id, owner.Id);
        var status = await Signatures.GetStatusAsync(document.Id);

        Assert.Equal(signers.Select(s => s.Id).Append(owner.Id), status!.Signers.Select(s => s.UserId));
        Assert.All(status.Signers, s => Assert.False(s.HasSigned));
        Assert.True(status.RequiresSignatures);
    }

    [Fact]
    public async Task A_document_without_signers_has_an_empty_status_that_is_not_all_signed()
    {
        var owner = await db.Arrange.UserAsync();
        var document = await db.StandaloneAsync(owner.Id, requireSignatures: true);

        var status = await Signatures.GetStatusAsync(document.Id);

        Assert.Empty(status!.Signers);
        Assert.False(status.AllSigned);
    }

    [Fact]
    public async Task Removing_a_signer_removes_their_signature_and_adding_twice_or_a_missing_user_is_refused()
    {
        var (document, owner, signers) = await SigningAsync(2);
        await Signatures.SignAsync(document.Id, signers[0].Id, "Signed then removed");

        Assert.True(await Signatures.RemoveSignerAsync(document.Id, signers[0].Id, owner.Id));
        Assert.False(await Signatures.RemoveSignerAsync(document.Id, signers[0].Id, owner.Id));

        Assert.Equal([signers[1].Id], (await Signatures.GetStatusAsync(document.Id))!.Signers.Select(s => s.UserId));
        Assert.Contains("\"hadSigned\": true", (await db.DocumentHistory.ListAsync(document.Id)).Items[0].Details);
        Assert.Equal("userId", (await Assert.ThrowsAsync<DuplicateException>(() => Signatures.AddSignerAsync(document.Id, signers[1].Id, owner.Id))).Field);
        Assert.Equal("userId", (await Assert.ThrowsAsync<ReferenceNotFoundException>(() => Signatures.AddSignerAsync(document.Id, Guid.CreateVersion7(), owner.Id))).Field);
        Assert.Equal("documentId", (await Assert.ThrowsAsync<ReferenceNotFoundException>(() => Signatures.AddSignerAsync(Guid.CreateVersion7(), signers[1].Id, owner.Id))).Field);
        Assert.False(await Signatures.RemoveSignerAsync(Guid.CreateVersion7(), signers[1].Id, owner.Id));
    }

    [Fact]
    public async Task Unlocking_a_document_locked_by_its_signatures_is_refused()
    {
        var (document, owner, signers) = await SigningAsync(1);
        await Signatures.SignAsync(document.Id, signers[0].Id, "Final");

        await Assert.ThrowsAsync<NotPermittedException>(() => db.Documents.UnlockAsync(document.Id, owner.Id));

        Assert.Equal(LockReason.Signatures, (await db.Documents.FindByIdAsync(document.Id))!.LockReason);
    }

    [Fact]
    public async Task Every_signer_signing_at_once_locks_the_document_exactly_once()
    {
        for (var round = 0; round < 5; round++)
        {
            var (document, _, signers) = await SigningAsync(8);

            var results = await Race.RunAsync(signers.Length, i => Signatures.SignAsync(document.Id, signers[i].Id, $"Signer {i}"));

            Assert.All(results, r => Assert.Null(r.Error));
            Assert.Single(results, r => r.Value!.LockReason == LockReason.Signatures);
            var status = await Signatures.GetStatusAsync(document.Id);
            Assert.True(status!.AllSigned);
            Assert.Equal(LockReason.Signatures, status.LockReason);
            var actions = await db.ActionsAsync(document.Id);
            Assert.Equal(8, actions.Count(a => a == DocumentActions.Signed));
            Assert.Equal(DocumentActions.Locked, Assert.Single(actions, a => a == DocumentActions.Locked));
            Assert.Equal(DocumentActions.Locked, actions[^1]);
        }
    }
}
