using System.Text.Json;

namespace McpWarden.Soak;

/// <summary>
/// Reads the fixture's call log — every tools/call that reached the server and ran, across all its restarts —
/// and proves from the server's side that no call the policy refuses got there, and that every success a client
/// saw did run on the server.
/// </summary>
internal static class ServerSideCheck
{
    private static readonly string[] NeverRun = ["delete_records", "b2c_payment"];

    public static ServerSideFinding Run(string callLog, Tally tally)
    {
        var ran = new Dictionary<string, long>(StringComparer.Ordinal);
        var violations = new List<string>();
        var badPhones = 0L;
        if (File.Exists(callLog))
        {
            foreach (var line in File.ReadLines(callLog))
            {
                if (line.Length == 0)
                {
                    continue;
                }

                using var entry = JsonDocument.Parse(line);
                var tool = entry.RootElement.GetProperty("tool").GetString() ?? "";
                ran[tool] = ran.GetValueOrDefault(tool) + 1;
                if (tool == "mpesa_stk_push" && entry.RootElement.TryGetProperty("arguments", out var arguments)
                    && arguments.TryGetProperty("phone", out var phone) && phone.GetString() == "0700000000")
                {
                    badPhones++;
                }
            }
        }

        foreach (var tool in NeverRun.Where(ran.ContainsKey))
        {
            violations.Add($"{tool} is refused by the policy but ran on the server {ran[tool]} times");
        }

        if (badPhones > 0)
        {
            violations.Add($"mpesa_stk_push with a phone its schema refuses ran on the server {badPhones} times");
        }

        foreach (var (label, kinds) in tally.ByCall)
        {
            var tool = label.Split(' ')[0];
            var succeeded = kinds.GetValueOrDefault(Outcome.Ok);
            if (succeeded > ran.GetValueOrDefault(tool))
            {
                violations.Add($"clients saw {succeeded} successes of {label}, but the server ran it only {ran.GetValueOrDefault(tool)} times");
            }
        }

        return new ServerSideFinding(ran.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal), violations);
    }
}
