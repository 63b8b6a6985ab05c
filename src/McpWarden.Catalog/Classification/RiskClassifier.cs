using System.Globalization;
using System.Text;
using McpWarden.Catalog.Definitions;

namespace McpWarden.Catalog.Classification;

/// <summary>
/// Decides a tool's category and risk from its definition and its server's context, deterministically and
/// with evidence: no network, no model. Annotations can raise a risk, never lower one the rest raises.
/// </summary>
/// <remarks>
/// The words of the name and title say what a tool does; the description's leading verb stands in when they
/// say nothing; the whole description, the input and output schemas and the server add what the action is
/// about (money, secrets, files, the network) and how bad it can be (irreversible, everything at once).
/// Category precedence: credentials, financial, destructive, execute, communication, write, read. See
/// docs/catalog.md "Risk classification".
/// </remarks>
public static class RiskClassifier
{
    /// <summary>Quotes in rationales are cut to this many characters.</summary>
    public const int QuoteLength = 80;

    private static readonly Signal[] ActionSignals = [Signal.Read, Signal.Write, Signal.Destroy, Signal.Execute, Signal.Communicate];

    public static ToolClassification Classify(ToolDefinition tool, ServerContext server)
    {
        ArgumentNullException.ThrowIfNull(tool);
        ArgumentNullException.ThrowIfNull(server);
        var hits = SignalReader.Read(tool, server);
        var decision = Decide(tool, hits);
        var evidence = decision.Reasons.Concat(hits.Where(h => !decision.Reasons.Contains(h)))
            .Select(h => new Evidence(SourceName(h), Shorten(h.Quote), $"\"{h.Word}\": {h.Meaning}"))
            .Distinct()
            .ToList();
        return new ToolClassification(decision.Category, decision.Risk, Rationale(decision), evidence);
    }

    private static Decision Decide(ToolDefinition tool, List<SignalHit> hits)
    {
        // What the tool does: its name and title first; the description's leading verb only when they are
        // silent (descriptions wander: "while it runs"); the schema's shape last.
        var named = hits.Where(h => h.Source is SignalSource.Name or SignalSource.Title).ToList();
        var actions = named.Where(h => ActionSignals.Contains(h.Signal)).ToList();
        if (actions.Count == 0)
        {
            actions = [.. hits.Where(h => h.Source == SignalSource.DescriptionLead && ActionSignals.Contains(h.Signal))];
        }

        if (actions.Count == 0)
        {
            actions = [.. hits.Where(h => h.Source == SignalSource.InputSchema && h.Signal is Signal.Read or Signal.Communicate)];
        }

        // A description may still say the worst thing a tool does ("or completely overwrite an existing file").
        var describedDestroy = hits.Where(h => h.Source == SignalSource.Description && h.Signal == Signal.Destroy).ToList();
        var readOnlyWording = actions.Count > 0 && actions.All(a => a.Signal == Signal.Read);
        if (!readOnlyWording)
        {
            actions.AddRange(describedDestroy);
        }

        SignalHit? Find(Signal signal, Func<SignalHit, bool>? where = null) =>
            hits.Where(h => h.Signal == signal && (where?.Invoke(h) ?? true)).OrderBy(h => h.Source).FirstOrDefault();
        SignalHit? Action(Signal signal) => actions.Where(h => h.Signal == signal).OrderBy(h => h.Source).FirstOrDefault();

        var decision = Credentials(hits, actions, Find)
            ?? Financial(hits, actions, Find, readOnlyWording)
            ?? Destructive(Action(Signal.Destroy), Find)
            ?? Executes(Action(Signal.Execute), Find(Signal.ArbitraryCode, h => h.Source != SignalSource.Description || h.Word.Contains(' ', StringComparison.Ordinal)))
            ?? Communicates(Action(Signal.Communicate), hits)
            ?? (Action(Signal.Write) is { } write ? new Decision(ToolCategory.Write, RiskLevel.Medium, [write]) : null)
            ?? (Action(Signal.Read) is { } read ? Reads(read, Find) : null)
            ?? Unknown(tool);

        return Annotations(tool, decision);
    }

    private static Decision? Credentials(List<SignalHit> hits, List<SignalHit> actions, Func<Signal, Func<SignalHit, bool>?, SignalHit?> find)
    {
        // On a secrets server (vault, keychain) every tool handles secrets, even one named "get".
        var secret = find(Signal.Secret, h => h.Source != SignalSource.Server) ?? find(Signal.Secret, null);
        var holder = find(Signal.SecretHolder, null);
        if (secret is null && holder is null)
        {
            return null;
        }

        if (secret is not null)
        {
            var reveal = find(Signal.Reveal, null)
                ?? actions.FirstOrDefault(a => ClassifierRules.RevealVerbs.Contains(a.Word))
                ?? hits.FirstOrDefault(h => h.Source is SignalSource.Name or SignalSource.Title && ClassifierRules.RevealVerbs.Contains(h.Word));
            return reveal is not null
                ? new Decision(ToolCategory.Credentials, RiskLevel.Critical, [secret, reveal with { Meaning = "issues or reveals a secret" }])
                : new Decision(ToolCategory.Credentials, RiskLevel.High, [secret]);
        }

        return new Decision(ToolCategory.Credentials, RiskLevel.High, [holder!]);
    }

    private static Decision? Financial(List<SignalHit> hits, List<SignalHit> actions, Func<Signal, Func<SignalHit, bool>?, SignalHit?> find, bool readOnlyWording)
    {
        var money = find(Signal.Money, h => h.Source != SignalSource.Server);
        var server = find(Signal.Money, h => h.Source == SignalSource.Server);
        var outward = find(Signal.MoneyOut, null);
        if (money is not null || outward is not null || server is not null)
        {
            // In a money context, "send", "transfer", "reverse" move money out.
            outward ??= (money ?? server) is null ? null : hits.FirstOrDefault(h =>
                h.Source is SignalSource.Name or SignalSource.Title or SignalSource.DescriptionLead && ClassifierRules.MoneyOutInMoneyContext.Contains(h.Word));
        }

        // Reading about money (a balance, a refund's status) is a read: it is decided below, with its risk raised.
        if (readOnlyWording || (money is null && outward is null))
        {
            return null;
        }

        if (outward is not null)
        {
            return new Decision(ToolCategory.Financial, RiskLevel.Critical, [outward with { Meaning = "moves money out" }]);
        }

        var what = actions.OrderBy(a => a.Source).FirstOrDefault();
        return new Decision(ToolCategory.Financial, RiskLevel.High, what is null ? [money!] : [money!, what with { Meaning = "acts on money: requests or changes it" }]);
    }

    private static Decision? Destructive(SignalHit? destroy, Func<Signal, Func<SignalHit, bool>?, SignalHit?> find)
    {
        if (destroy is null)
        {
            return null;
        }

        var worse = find(Signal.Irreversible, null) ?? find(Signal.Sweeping, null);
        return worse is null
            ? new Decision(ToolCategory.Destructive, RiskLevel.High, [destroy])
            : new Decision(ToolCategory.Destructive, RiskLevel.Critical, [destroy, worse]);
    }

    private static Decision? Executes(SignalHit? execute, SignalHit? arbitrary)
    {
        if (arbitrary is not null)
        {
            return new Decision(ToolCategory.Execute, RiskLevel.Critical, execute is null ? [arbitrary] : [execute, arbitrary]);
        }

        return execute is null ? null : new Decision(ToolCategory.Execute, RiskLevel.High, [execute]);
    }

    private static Decision? Communicates(SignalHit? communicate, List<SignalHit> hits)
    {
        if (communicate is null)
        {
            return null;
        }

        // "Sends three log messages" is not a message to people: a verb from prose needs a message to send.
        if (communicate.Source is SignalSource.DescriptionLead && !hits.Any(h => h.Signal == Signal.MessageObject))
        {
            return null;
        }

        return new Decision(ToolCategory.Communication, RiskLevel.High, [communicate]);
    }

    private static Decision Reads(SignalHit read, Func<Signal, Func<SignalHit, bool>?, SignalHit?> find)
    {
        var named = find(Signal.FileContent, null) is not null && find(Signal.Read, h => h.Source is SignalSource.Name or SignalSource.Title && h.Word.StartsWith("read", StringComparison.Ordinal)) is { } readFile
            ? readFile with { Meaning = "reads whole files, which may hold keys or configuration" }
            : null;
        var wider = named
            ?? find(Signal.PrivateData, null)
            ?? find(Signal.BroadRead, null)
            ?? Meaning(find(Signal.Money, h => h.Source != SignalSource.Server) ?? find(Signal.MoneyOut, null), "reads financial data")
            ?? find(Signal.Network, null);
        return wider is null
            ? new Decision(ToolCategory.Read, RiskLevel.Low, [read])
            : new Decision(ToolCategory.Read, RiskLevel.Medium, [read, wider]);
    }

    private static SignalHit? Meaning(SignalHit? hit, string meaning) => hit is null ? null : hit with { Meaning = meaning };

    private static Decision Unknown(ToolDefinition tool)
    {
        if (tool.Hints.ReadOnly == true)
        {
            var hint = new SignalHit(Signal.Read, SignalSource.Annotations, "readOnlyHint: true", "readOnlyHint", "declared read-only, and nothing in the definition says otherwise");
            return new Decision(ToolCategory.Read, RiskLevel.Low, [hint]);
        }

        var none = new SignalHit(Signal.Write, SignalSource.Name, tool.Name, tool.Name, "nothing says what it does; without readOnlyHint it may write");
        return new Decision(ToolCategory.Write, RiskLevel.Medium, [none]);
    }

    // Hints are the server's word: they may make things worse, never better.
    private static Decision Annotations(ToolDefinition tool, Decision decision)
    {
        var hints = tool.Hints;
        if (decision.Category == ToolCategory.Read && hints.ReadOnly == false)
        {
            decision = new Decision(ToolCategory.Write, Max(decision.Risk, RiskLevel.Medium), [.. decision.Reasons, Hint("readOnlyHint: false", "the server declares it is not read-only: it may write")]);
        }

        if (decision.Category is ToolCategory.Read or ToolCategory.Write && hints.Destructive == true && hints.ReadOnly != true)
        {
            decision = new Decision(ToolCategory.Write, Max(decision.Risk, RiskLevel.High), [.. decision.Reasons, Hint("destructiveHint: true", "the server declares it destructive")]);
        }

        if (decision.Category == ToolCategory.Read && hints.OpenWorld == true && decision.Risk < RiskLevel.Medium)
        {
            decision = decision with { Risk = RiskLevel.Medium, Reasons = [.. decision.Reasons, Hint("openWorldHint: true", "the server declares it reaches outside")] };
        }

        if (decision.Category != ToolCategory.Read && hints.ReadOnly == true)
        {
            decision = decision with { Reasons = [.. decision.Reasons, Hint("readOnlyHint: true", "declared read-only; not believed, the definition says otherwise")] };
        }

        return decision;
    }

    private static SignalHit Hint(string quote, string meaning) => new(Signal.Read, SignalSource.Annotations, quote, quote.Split(':')[0], meaning);

    private static RiskLevel Max(RiskLevel a, RiskLevel b) => a > b ? a : b;

    private static string Rationale(Decision decision) =>
        string.Join("; ", decision.Reasons.Select((h, i) => $"{(i == 0 ? "From" : "from")} {Where(h)} \"{Shorten(QuoteOf(h))}\" — {h.Meaning}"))
        + $" ({CatalogNames.Of(decision.Category)}, {CatalogNames.Of(decision.Risk)} risk)";

    private static string Where(SignalHit hit) => hit.Source switch
    {
        SignalSource.Name => "the tool's name",
        SignalSource.Title => "the tool's title",
        SignalSource.DescriptionLead or SignalSource.Description => "the tool's definition",
        SignalSource.InputSchema => "the tool's",
        SignalSource.OutputSchema => "the tool's",
        SignalSource.Server => "its server's",
        SignalSource.Annotations => "the tool's annotations",
        _ => "the tool's definition",
    };

    private static string QuoteOf(SignalHit hit) => hit.Source switch
    {
        SignalSource.Description => Around(hit.Quote, hit.Word),
        SignalSource.DescriptionLead => hit.Quote,
        _ => hit.Quote,
    };

    // A long description is quoted from the sentence that holds the matched words.
    private static string Around(string text, string phrase)
    {
        var sentences = text.Split(['.', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var target = phrase.Split(' ');
        return sentences.FirstOrDefault(s => ContainsWords(WordSplitter.Split(s), target)) ?? SignalReader.FirstSentence(text);
    }

    private static bool ContainsWords(IReadOnlyList<string> words, string[] phrase)
    {
        for (var i = 0; i + phrase.Length <= words.Count; i++)
        {
            if (phrase.Select((p, j) => words[i + j] == p).All(x => x))
            {
                return true;
            }
        }

        return false;
    }

    private static string SourceName(SignalHit hit) => hit.Source switch
    {
        SignalSource.Name => "name",
        SignalSource.Title => "title",
        SignalSource.DescriptionLead or SignalSource.Description => "description",
        SignalSource.InputSchema => hit.Quote.Split(' ')[0] is var s && hit.Quote.StartsWith("inputSchema", StringComparison.Ordinal) ? hit.Quote : s,
        SignalSource.OutputSchema => hit.Quote,
        SignalSource.Server => "server",
        SignalSource.Annotations => "annotations",
        _ => "definition",
    };

    /// <summary>Shortens a quote to <see cref="QuoteLength"/> characters and escapes control and invisible characters, so a rationale shows what is there.</summary>
    internal static string Shorten(string text)
    {
        var builder = new StringBuilder();
        foreach (var c in text)
        {
            if (builder.Length >= QuoteLength)
            {
                builder.Append('…');
                break;
            }

            var category = char.GetUnicodeCategory(c);
            if (char.IsControl(c) || category is UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private sealed record Decision(ToolCategory Category, RiskLevel Risk, IReadOnlyList<SignalHit> Reasons);
}
