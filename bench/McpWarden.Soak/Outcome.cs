namespace McpWarden.Soak;

/// <summary>
/// What one call came to. <see cref="Kind"/> is what the report counts (<c>ok</c>, <c>denied:CODE</c>,
/// <c>rate_limited</c>, <c>upstream_unavailable</c>, <c>upstream_timeout</c>, <c>transport_error</c>,
/// <c>unexpected</c>); <see cref="Detail"/> refines it (the counter that was full, why the server was out of
/// reach, what was wrong).
/// </summary>
internal sealed record Outcome(string Kind, string? Detail = null)
{
    public const string Ok = "ok";
    public const string RateLimited = "rate_limited";
    public const string UpstreamUnavailable = "upstream_unavailable";
    public const string UpstreamTimeout = "upstream_timeout";
    public const string TransportError = "transport_error";
    public const string Unexpected = "unexpected";

    public bool IsUpstreamFailure => Kind is UpstreamUnavailable or UpstreamTimeout;

    /// <summary>The session's server was given up on: only a new session can reach it again.</summary>
    public bool NeedsNewSession => Kind == UpstreamUnavailable && Detail == "gave_up";

    public static Outcome Denied(string code) => new("denied:" + code);

    public static Outcome Wrong(string why) => new(Unexpected, why);
}
