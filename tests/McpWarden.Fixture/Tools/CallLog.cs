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

        var line = JsonSerializer.Serialize(new CallLogEntry(request.Name, request.Arguments, session, time.GetUtcNow(), headers), FixtureJsonContext.Default.CallLogEntry);
        // Sessions run concurrently; one writer at a time keeps every line whole. A line is small, and a
        // test fixture can afford to write it synchronously.
        lock (_gate)
        {
            File.AppendAllText(path, line + "\n");
        }
    }
}
