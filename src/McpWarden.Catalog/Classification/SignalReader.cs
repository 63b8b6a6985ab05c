using System.Text.Json;
using McpWarden.Catalog.Definitions;

namespace McpWarden.Catalog.Classification;

/// <summary>Reads every signal the rule tables find in a tool's definition and its server's context.</summary>
internal static class SignalReader
{
    private const int LeadWords = 3;
    private const int NegationReach = 3;

    public static List<SignalHit> Read(ToolDefinition tool, ServerContext server)
    {
        var hits = new List<SignalHit>();
        Words(hits, SignalSource.Name, tool.Name);
        Words(hits, SignalSource.Title, tool.Title);
        Description(hits, tool.Description);
        InputSchema(hits, tool.InputSchema, ServerIs(server, ClassifierRules.MoneyServerWords));
        OutputSchema(hits, tool.OutputSchema);
        Server(hits, server);
        return hits;
    }

    /// <summary>The description's first sentence, where its summary and main verb are.</summary>
    public static string FirstSentence(string description)
    {
        var text = description.Trim();
        var end = text.Length;
        foreach (var stop in new[] { ". ", ".\n", "\n" })
        {
            var at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && at < end)
            {
                end = at;
            }
        }

        return text[..end].TrimEnd('.');
    }

    private static void Words(List<SignalHit> hits, SignalSource source, string? text)
    {
        var words = WordSplitter.Split(text);
        Match(hits, source, text!, words, ClassifierRules.Actions, guardNegation: false);
        Match(hits, source, text!, words, ClassifierRules.Subjects, guardNegation: false);
        Match(hits, source, text!, words, ClassifierRules.NameOnly, guardNegation: false);
    }

    private static void Description(List<SignalHit> hits, string? description)
    {
        if (string.IsNullOrWhiteSpace(description))
        {
            return;
        }

        var first = FirstSentence(description);
        var lead = WithoutNeutral(WordSplitter.Split(first)).Take(LeadWords).ToList();
        Match(hits, SignalSource.DescriptionLead, first, lead, ClassifierRules.Actions, guardNegation: true);
        var words = WithoutNeutral(WordSplitter.Split(description));
        Match(hits, SignalSource.Description, description, words, ClassifierRules.Subjects, guardNegation: true);
        Match(hits, SignalSource.Description, description, words, ClassifierRules.DescriptionDestroy, guardNegation: true);
    }

    private static void InputSchema(List<SignalHit> hits, JsonElement? schema, bool moneyServer)
    {
        var names = new List<(string Name, string Path)>();
        PropertyNames(schema, "", names, depth: 0);
        var set = names.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, path) in names)
        {
            var source = $"inputSchema {path}";
            if (ClassifierRules.Properties.TryGetValue(name, out var rule))
            {
                hits.Add(new SignalHit(rule.Signal, SignalSource.InputSchema, source, name, rule.Meaning));
            }
            else if (name == "amount" && (moneyServer || set.Overlaps(ClassifierRules.MoneyCompanions)))
            {
                hits.Add(new SignalHit(Signal.Money, SignalSource.InputSchema, source, name, "takes an amount of money"));
            }
            else if (name == "query")
            {
                hits.Add(new SignalHit(Signal.Read, SignalSource.InputSchema, source, name, "takes a query"));
            }
            else if (WordSplitter.Split(name) is [.., "url" or "uri"])
            {
                hits.Add(new SignalHit(Signal.Network, SignalSource.InputSchema, source, name, "takes a URL: reaches outside"));
            }
        }

        if (set.Overlaps(ClassifierRules.MessageRecipients) && set.Overlaps(ClassifierRules.MessageBodies))
        {
            var shape = string.Join(", ", names.Select(n => n.Name).Where(n => ClassifierRules.MessageRecipients.Contains(n) || ClassifierRules.MessageBodies.Contains(n)).Distinct());
            hits.Add(new SignalHit(Signal.Communicate, SignalSource.InputSchema, $"inputSchema ({shape})", shape, "takes a recipient and a message: sends it"));
        }
    }

    private static void OutputSchema(List<SignalHit> hits, JsonElement? schema)
    {
        var names = new List<(string Name, string Path)>();
        PropertyNames(schema, "", names, depth: 0);
        foreach (var (name, path) in names.Where(n => ClassifierRules.SecretOutputs.Contains(n.Name)))
        {
            hits.Add(new SignalHit(Signal.Secret, SignalSource.OutputSchema, $"outputSchema {path}", name, "returns a secret"));
            hits.Add(new SignalHit(Signal.Reveal, SignalSource.OutputSchema, $"outputSchema {path}", name, "returns a secret"));
        }
    }

    private static void Server(List<SignalHit> hits, ServerContext server)
    {
        foreach (var (text, label) in ServerTexts(server))
        {
            var words = WordSplitter.Split(text);
            if (words.FirstOrDefault(ClassifierRules.MoneyServerWords.Contains) is { } money)
            {
                hits.Add(new SignalHit(Signal.Money, SignalSource.Server, $"{label} \"{text}\"", money, "a payments server: money words weigh more"));
            }

            if (words.FirstOrDefault(ClassifierRules.SecretServerWords.Contains) is { } secret)
            {
                hits.Add(new SignalHit(Signal.Secret, SignalSource.Server, $"{label} \"{text}\"", secret, "a secrets server: its tools handle secrets"));
            }
        }
    }

    private static bool ServerIs(ServerContext server, IReadOnlySet<string> words) =>
        ServerTexts(server).Any(t => WordSplitter.Split(t.Text).Any(words.Contains));

    // Instructions are prose that may mention anything, so only the server's names count: a filesystem server
    // whose instructions mention "payment receipts" is not a payments server.
    private static IEnumerable<(string Text, string Label)> ServerTexts(ServerContext server)
    {
        yield return (server.Name, "server");
        if (server.InfoName is { } name)
        {
            yield return (name, "serverInfo.name");
        }

        if (server.InfoTitle is { } title)
        {
            yield return (title, "serverInfo.title");
        }
    }

    private static void PropertyNames(JsonElement? schema, string path, List<(string, string)> names, int depth)
    {
        // INVARIANT: bounded, so a hostile self-similar schema cannot make classification expensive.
        if (schema is not { ValueKind: JsonValueKind.Object } node || depth > 8)
        {
            return;
        }

        if (node.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in properties.EnumerateObject())
            {
                var here = $"{path}/properties/{property.Name}";
                names.Add((property.Name.ToLowerInvariant(), here));
                PropertyNames(property.Value, here, names, depth + 1);
            }
        }

        if (node.TryGetProperty("items", out var items))
        {
            PropertyNames(items, path + "/items", names, depth + 1);
        }

        foreach (var combinator in new[] { "anyOf", "oneOf", "allOf" })
        {
            if (node.TryGetProperty(combinator, out var options) && options.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var option in options.EnumerateArray())
                {
                    PropertyNames(option, $"{path}/{combinator}/{i++}", names, depth + 1);
                }
            }
        }
    }

    private static List<string> WithoutNeutral(IReadOnlyList<string> words)
    {
        var kept = new List<string>(words.Count);
        for (var i = 0; i < words.Count; i++)
        {
            var neutral = ClassifierRules.Neutral.FirstOrDefault(phrase => StartsAt(words, i, phrase));
            if (neutral is null)
            {
                kept.Add(words[i]);
            }
            else
            {
                i += neutral.Length - 1;
            }
        }

        return kept;
    }

    private static void Match(List<SignalHit> hits, SignalSource source, string text, IReadOnlyList<string> words, IReadOnlyList<SignalRule> rules, bool guardNegation)
    {
        for (var i = 0; i < words.Count; i++)
        {
            foreach (var rule in rules)
            {
                if (StartsAt(words, i, rule.Words) && !(guardNegation && Negated(words, i)))
                {
                    hits.Add(new SignalHit(rule.Signal, source, text, rule.Phrase, rule.Meaning));
                }
            }
        }
    }

    private static bool Negated(IReadOnlyList<string> words, int at)
    {
        for (var i = Math.Max(0, at - NegationReach); i < at; i++)
        {
            if (ClassifierRules.Negations.Contains(words[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool StartsAt(IReadOnlyList<string> words, int at, string[] phrase)
    {
        if (at + phrase.Length > words.Count)
        {
            return false;
        }

        for (var j = 0; j < phrase.Length; j++)
        {
            if (!string.Equals(words[at + j], phrase[j], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
