using McpWarden.Policy.Json;

namespace McpWarden.Gateway.Relay;

/// <summary>
/// Text from a client or server on its way into the log, quoted with control and invisible characters
/// escaped so that it cannot forge log lines; quoting happens only if the line is written.
/// </summary>
internal readonly record struct Untrusted(string Text)
{
    public override string ToString() => JsonText.Quote(Text);
}
