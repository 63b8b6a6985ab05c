using System.Net;
using System.Security.Cryptography;
using System.Text;
using McpWarden.Gateway.Time;
using McpWarden.Ui;
using Xunit;

namespace McpWarden.Tests.Ui;

/// <summary>How long a web UI session lives and what ends it, and the login throttle, on a manual clock.</summary>
public sealed class UiSessionsTests
{
    private readonly ManualTimeProvider _clock = new(ManualTimeProvider.TestEpoch);
    private byte[]? _adminToken = SHA256.HashData(Encoding.UTF8.GetBytes("token-one"));

    private UiSessions Sessions() => new(_clock, () => _adminToken);

    [Fact]
    public void ASession_IsFoundByItsCookie_AndByNoOtherValue()
    {
        var sessions = Sessions();
        var (cookie, session) = sessions.Open();

        Assert.Same(session, sessions.Find(cookie));
        Assert.Null(sessions.Find(cookie + "x"));
        Assert.Null(sessions.Find(session.CsrfToken));
        Assert.NotEqual(cookie, session.CsrfToken);
    }

    [Fact]
    public void ASession_EndsAfterThirtyMinutesUnused_ButUseKeepsItOpen()
    {
        var sessions = Sessions();
        var (kept, _) = sessions.Open();
        var (idle, _) = sessions.Open();

        for (var i = 0; i < 3; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(20));
            Assert.NotNull(sessions.Find(kept));
        }

        Assert.Null(sessions.Find(idle));
    }

    [Fact]
    public void ASession_EndsAfterTwelveHours_HoweverMuchItIsUsed()
    {
        var sessions = Sessions();
        var (cookie, _) = sessions.Open();
        for (var elapsed = TimeSpan.Zero; elapsed < UiSessions.Lifetime - TimeSpan.FromMinutes(20); elapsed += TimeSpan.FromMinutes(20))
        {
            _clock.Advance(TimeSpan.FromMinutes(20));
            Assert.NotNull(sessions.Find(cookie));
        }

        _clock.Advance(TimeSpan.FromMinutes(20));
        Assert.Null(sessions.Find(cookie));
    }

    [Fact]
    public void ReplacingTheAdminToken_EndsEverySessionOpenedWithTheOldOne_AndRemovingItEndsThemToo()
    {
        var sessions = Sessions();
        var (before, _) = sessions.Open();
        _adminToken = SHA256.HashData(Encoding.UTF8.GetBytes("token-two"));
        Assert.Null(sessions.Find(before));

        var (after, _) = sessions.Open();
        Assert.NotNull(sessions.Find(after));
        _adminToken = null;
        Assert.Null(sessions.Find(after));
    }

    [Fact]
    public void LoggingOut_EndsThatSessionOnly()
    {
        var sessions = Sessions();
        var (mine, _) = sessions.Open();
        var (other, _) = sessions.Open();

        sessions.Close(mine);

        Assert.Null(sessions.Find(mine));
        Assert.NotNull(sessions.Find(other));
    }

    [Fact]
    public void BeyondTheCap_TheLeastRecentlyUsedSessionIsClosed()
    {
        var sessions = Sessions();
        var (oldest, _) = sessions.Open();
        _clock.Advance(TimeSpan.FromSeconds(1));
        var (used, _) = sessions.Open();
        for (var i = 2; i < UiSessions.MaxSessions; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            sessions.Open();
        }

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.NotNull(sessions.Find(oldest)); // used now: no longer the least recently used
        _clock.Advance(TimeSpan.FromSeconds(1));
        sessions.Open();

        Assert.NotNull(sessions.Find(oldest));
        Assert.Null(sessions.Find(used));
    }

    [Fact]
    public void TheCsrfCheck_AcceptsTheSessionsTokenOnly()
    {
        var (_, session) = Sessions().Open();

        Assert.True(UiSessions.CsrfMatches(session, session.CsrfToken));
        Assert.False(UiSessions.CsrfMatches(session, null));
        Assert.False(UiSessions.CsrfMatches(session, string.Empty));
        Assert.False(UiSessions.CsrfMatches(session, session.CsrfToken[..^1]));
    }

    [Fact]
    public void TheLoginThrottle_StopsAnAddressAfterTenFailures_ForFiveMinutes_AndOthersCarryOn()
    {
        var throttle = new LoginThrottle(_clock);
        var guesser = IPAddress.Parse("192.0.2.7");
        var neighbour = IPAddress.Parse("192.0.2.8");
        for (var i = 0; i < LoginThrottle.MaxFailures; i++)
        {
            Assert.Null(throttle.WaitFor(guesser));
            throttle.Failed(guesser);
        }

        Assert.Equal(LoginThrottle.Window, throttle.WaitFor(guesser));
        Assert.Null(throttle.WaitFor(neighbour));

        _clock.Advance(LoginThrottle.Window);
        Assert.Null(throttle.WaitFor(guesser));
    }

    [Fact]
    public void ASuccessfulLogin_ForgetsTheAddressesFailures()
    {
        var throttle = new LoginThrottle(_clock);
        var address = IPAddress.Loopback;
        for (var i = 0; i < LoginThrottle.MaxFailures - 1; i++)
        {
            throttle.Failed(address);
        }

        throttle.Succeeded(address);
        throttle.Failed(address);

        Assert.Null(throttle.WaitFor(address));
    }
}
