using System.Text;
using Chat.Data.Redis.Internal;
using Chat.Data.Redis.Otp;
using StackExchange.Redis;

namespace Chat.Data.Redis.Tests.Otp;

public abstract class OtpTests(RedisFixture fixture) : RedisTestBase(fixture)
{
    public sealed class Single(SingleRedisFixture fixture) : OtpTests(fixture), IClassFixture<SingleRedisFixture>;

    public sealed class Cluster(ClusterRedisFixture fixture) : OtpTests(fixture), IClassFixture<ClusterRedisFixture>;

    private static string NewPhone() => "+62" + Random.Shared.NextInt64(8_000_000_000, 8_999_999_999);

    private RedisKey CodeKey(string purpose, string subject) =>
        $"{Fixture.KeyPrefix}otp:{{{RedisKeys.Hash(purpose, subject)}}}:code";

    [Fact]
    public async Task Issue_gives_a_code_of_the_configured_digits_and_Redis_holds_only_its_MAC()
    {
        var otp = Get<IOtpStore>(o => o.Otp.Digits = 8);
        var phone = NewPhone();

        var issued = await otp.IssueAsync("login", phone);

        Assert.Equal(OtpIssueStatus.Issued, issued.Status);
        Assert.Matches("^[0-9]{8}$", issued.Code);
        Assert.Equal(TimeSpan.FromMinutes(5), issued.ExpiresIn);

        // Read what Redis holds: a MAC, no code, no phone number (not even in a key name).
        var stored = await Db.HashGetAllAsync(CodeKey("login", phone));
        var mac = (byte[])stored.Single(e => e.Name == "mac").Value!;
        Assert.Equal(32, mac.Length);
        Assert.NotEqual(Encoding.ASCII.GetBytes(issued.Code!), mac);
        foreach (var key in Fixture.AllKeys())
        {
            Assert.DoesNotContain(phone, (string)key!);
            var type = await Db.KeyTypeAsync(key);
            var values = type == RedisType.Hash
                ? (await Db.HashGetAllAsync(key)).Select(e => (byte[])e.Value!)
                : type == RedisType.String ? [(byte[])(await Db.StringGetAsync(key))!] : [];
            foreach (var value in values)
                Assert.DoesNotContain(issued.Code!, Encoding.Latin1.GetString(value));
        }
        Assert.DoesNotContain(issued.Code!, issued.ToString());
        Assert.Equal(OtpVerifyResult.Success, await otp.VerifyAsync("login", phone, issued.Code!));
    }

    [Fact]
    public async Task A_code_is_single_use_and_bound_to_its_purpose()
    {
        var otp = Get<IOtpStore>();
        var phone = NewPhone();
        var code = (await otp.IssueAsync("login", phone)).Code!;

        Assert.Equal(OtpVerifyResult.Invalid, await otp.VerifyAsync("reset-password", phone, code));
        Assert.Equal(OtpVerifyResult.Success, await otp.VerifyAsync("login", phone, code));
        Assert.Equal(OtpVerifyResult.Invalid, await otp.VerifyAsync("login", phone, code));
    }

    [Fact]
    public async Task An_expired_code_and_a_subject_that_never_had_one_answer_the_same()
    {
        var otp = Get<IOtpStore>(o => o.Otp.CodeLifetime = TimeSpan.FromSeconds(1));
        var phone = NewPhone();
        var code = (await otp.IssueAsync("login", phone)).Code!;
        var ttl = await Db.KeyTimeToLiveAsync(CodeKey("login", phone));
        Assert.InRange(ttl!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1));

        await Eventually(async () => !await Db.KeyExistsAsync(CodeKey("login", phone)), TimeSpan.FromSeconds(10), "the code expires");

        Assert.Equal(OtpVerifyResult.Invalid, await otp.VerifyAsync("login", phone, code));
        Assert.Equal(OtpVerifyResult.Invalid, await otp.VerifyAsync("login", NewPhone(), "123456"));
    }

    [Fact]
    public async Task A_wrong_code_for_a_pending_code_and_any_code_for_no_code_get_the_same_answers_to_the_last_attempt()
    {
        var otp = Get<IOtpStore>(o => o.Otp.MaxAttempts = 3);
        var (pending, none) = (NewPhone(), NewPhone());
        var code = (await otp.IssueAsync("login", pending)).Code!;
        var wrong = code == "000000" ? "111111" : "000000";

        var pendingAnswers = new List<OtpVerifyResult>();
        var noneAnswers = new List<OtpVerifyResult>();
        for (var i = 0; i < 4; i++)
        {
            pendingAnswers.Add(await otp.VerifyAsync("login", pending, wrong));
            noneAnswers.Add(await otp.VerifyAsync("login", none, wrong));
        }

        OtpVerifyResult[] expected = [OtpVerifyResult.Invalid, OtpVerifyResult.Invalid, OtpVerifyResult.TooManyAttempts, OtpVerifyResult.TooManyAttempts];
        Assert.Equal(expected, pendingAnswers);
        Assert.Equal(expected, noneAnswers);
        // The attempts on a subject without a code are forgotten when a code would have expired.
        var ttl = await Db.KeyTimeToLiveAsync(CodeKey("login", none));
        Assert.InRange(ttl!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(5));
        // A new code starts afresh.
        var fresh = (await otp.IssueAsync("login", none)).Code!;
        Assert.Equal(OtpVerifyResult.Success, await otp.VerifyAsync("login", none, fresh));
    }

    [Fact]
    public async Task Too_many_wrong_codes_kill_the_code()
    {
        var otp = Get<IOtpStore>(o => o.Otp.MaxAttempts = 3);
        var phone = NewPhone();
        var code = (await otp.IssueAsync("login", phone)).Code!;
        var wrong = code == "000000" ? "111111" : "000000";

        Assert.Equal(OtpVerifyResult.Invalid, await otp.VerifyAsync("login", phone, wrong));
        Assert.Equal(OtpVerifyResult.Invalid, await otp.VerifyAsync("login", phone, wrong));
        Assert.Equal(OtpVerifyResult.TooManyAttempts, await otp.VerifyAsync("login", phone, wrong));
        // Dead: even the right code fails now.
        Assert.Equal(OtpVerifyResult.TooManyAttempts, await otp.VerifyAsync("login", phone, code));
    }

    [Fact]
    public async Task A_resend_replaces_the_old_code()
    {
        var otp = Get<IOtpStore>(o => o.Otp.ResendCooldown = TimeSpan.Zero);
        var phone = NewPhone();
        var first = (await otp.IssueAsync("login", phone)).Code!;
        string second;
        do
            second = (await otp.IssueAsync("login", phone)).Code!;
        while (second == first); // one chance in a million

        Assert.Equal(OtpVerifyResult.Invalid, await otp.VerifyAsync("login", phone, first));
        Assert.Equal(OtpVerifyResult.Success, await otp.VerifyAsync("login", phone, second));
    }

    [Fact]
    public async Task A_resend_within_the_cooldown_is_refused_with_the_time_left()
    {
        var otp = Get<IOtpStore>(o => o.Otp.ResendCooldown = TimeSpan.FromSeconds(60));
        var phone = NewPhone();
        var code = (await otp.IssueAsync("login", phone)).Code!;

        var again = await otp.IssueAsync("login", phone);

        Assert.Equal(OtpIssueStatus.Cooldown, again.Status);
        Assert.False(again.IsIssued);
        Assert.Null(again.Code);
        Assert.InRange(again.RetryAfter, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(60));
        // The first code still works.
        Assert.Equal(OtpVerifyResult.Success, await otp.VerifyAsync("login", phone, code));
    }

    [Fact]
    public async Task The_send_quota_caps_codes_per_window()
    {
        var otp = Get<IOtpStore>(o =>
        {
            o.Otp.ResendCooldown = TimeSpan.Zero;
            o.Otp.SendLimit = 3;
            o.Otp.SendWindow = TimeSpan.FromMinutes(10);
        });
        var phone = NewPhone();
        for (var i = 0; i < 3; i++)
            Assert.Equal(OtpIssueStatus.Issued, (await otp.IssueAsync("login", phone)).Status);

        var refused = await otp.IssueAsync("login", phone);

        Assert.Equal(OtpIssueStatus.QuotaExceeded, refused.Status);
        Assert.InRange(refused.RetryAfter, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
        // Another subject has its own quota.
        Assert.True((await otp.IssueAsync("login", NewPhone())).IsIssued);
    }

    [Fact]
    public async Task Twenty_concurrent_verifies_of_the_right_code_give_exactly_one_success()
    {
        var otp = Get<IOtpStore>();
        var phone = NewPhone();
        var code = (await otp.IssueAsync("login", phone)).Code!;

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => otp.VerifyAsync("login", phone, code))));

        // The others find no live code: refused, and counted as attempts like any wrong code.
        Assert.Single(results, r => r == OtpVerifyResult.Success);
        Assert.All(results.Where(r => r != OtpVerifyResult.Success), r => Assert.Contains(r, new[] { OtpVerifyResult.Invalid, OtpVerifyResult.TooManyAttempts }));
    }
}
