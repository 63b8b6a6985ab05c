using System.Text.Json;
using ModelContextProtocol.Protocol;

namespace McpWarden.Fixture.Tools;

/// <summary>
/// Appends one JSON line per executed tools/call to the file named by <c>FIXTURE_CALL_LOG</c>, so that a
/// test can prove from the server's side which calls a gateway let through.
/// </summary>
internal sealed class CallLog(string? path, TimeProvider time)
{
    public const string PathVariable = "FIXTURE_CALL_LOG";

    /// <summary>The key under which the HTTP front hands a message's request headers to the tool handler.</summary>
    public const string HeadersItem = "mcpwarden-fixture.headers";

    private readonly Lock _gate = new();

    public static CallLog FromEnvironment(TimeProvider time) => new(Environment.GetEnvironmentVariable(PathVariable), time);

    public void Record(CallToolRequestParams request, string? session, IReadOnlyDictionary<string, string>? headers)
    {
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        var line = JsonSerializer.Serialize(new CallLogEntry(request.Name, request.Arguments, session, time.GetUtcNow(), headers, Environment.ProcessId), FixtureJsonContext.Default.CallLogEntry);
        // Sessions run concurrently, in this process and in others given the same file (a gateway starts one
        // fixture per session); one writer at a time keeps every line whole. The lock serves this process's
        // sessions; an exclusive open serves other processes, since appending on Unix seeks to the end and
        // then writes, so two processes appending at once can overwrite each other's line.
        var bytes = System.Text.Encoding.UTF8.GetBytes(line + "\n");
        lock (_gate)
        {
            var spin = default(SpinWait);
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.None);
                    file.Write(bytes);
                    return;
                }
                catch (IOException) when (attempt < 100_000)
                {
                    // Another process is writing its line: it holds the file for a few microseconds.
                    spin.SpinOnce();
                }
            }
        }
    }
}
