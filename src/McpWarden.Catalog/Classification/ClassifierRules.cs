namespace McpWarden.Catalog.Classification;

/// <summary>
/// The classifier's vocabulary as data: each row is a whole word or phrase, what it signals and the meaning a
/// rationale quotes. Verbs are listed once and matched in their usual forms (delete, deletes, deleted,
/// deleting). Tests walk these tables row by row; docs/catalog.md explains how they combine.
/// </summary>
internal static class ClassifierRules
{
    /// <summary>Actions, read from the tool's name and title (every word) and from the leading words of its description.</summary>
    public static IReadOnlyList<SignalRule> Actions { get; } =
    [
        .. Verbs(Signal.Read, "reads or looks up; changes nothing",
            "get", "list", "read", "search", "query", "find", "fetch", "retrieve", "show", "view", "describe", "lookup", "inspect",
            "browse", "return", "echo", "count", "download", "ask", "report", "explain", "summarize", "preview", "open", "check"),
        Word(Signal.Read, "status", "reads a status; changes nothing"),
        .. Verbs(Signal.Write, "creates or changes state",
            "create", "add", "update", "set", "edit", "modify", "patch", "put", "insert", "upload", "save", "register", "rename",
            "move", "toggle", "append", "assign", "merge", "commit", "push", "initiate", "generate", "enable", "disable",
            "configure", "tag", "compress", "import", "write", "store", "copy", "attach", "schedule", "submit", "mark", "fork", "transfer"),
        .. Verbs(Signal.Destroy, "deletes, overwrites, reverses or revokes",
            "delete", "remove", "drop", "destroy", "purge", "erase", "wipe", "truncate", "terminate", "kill", "cancel", "revoke",
            "reset", "clear", "unlink", "overwrite", "uninstall", "replace", "reverse", "void"),
        Word(Signal.Destroy, "reversal", "reverses a transaction"),
        .. Verbs(Signal.Execute, "runs something: a workflow, job, command or code",
            "run", "execute", "exec", "eval", "trigger", "launch", "spawn", "invoke", "start", "deploy", "restart"),
        Word(Signal.Execute, "workflow", "triggers a workflow execution"),
        Word(Signal.Execute, "job", "runs a job"),
        Word(Signal.Execute, "pipeline", "runs a pipeline"),
        .. Verbs(Signal.Communicate, "sends a message to people or systems",
            "send", "post", "reply", "notify", "publish", "broadcast", "forward", "tweet", "dm", "invite"),
    ];

    /// <summary>Subjects and qualities, read from the name, title and the whole description (a negation just before a word cancels it).</summary>
    public static IReadOnlyList<SignalRule> Subjects { get; } =
    [
        .. Words(Signal.MoneyOut, "moves money out",
            "payout", "payouts", "refund", "refunds", "refunded", "disburse", "disburses", "disbursement", "disbursements", "b2c", "b2b",
            "remit", "remittance", "withdraw", "withdrawal", "send money", "sends money", "transfer money", "transfers money",
            "pay out", "wire transfer"),
        .. Words(Signal.Money, "concerns money",
            "payment", "payments", "money", "mpesa", "m pesa", "stk", "c2b", "invoice", "invoices", "billing", "balance", "balances",
            "transaction", "transactions", "charge", "charges", "checkout", "price", "prices", "currency", "wallet", "bank", "iban",
            "paybill", "lipa", "pay", "pays", "paid", "kes", "usd", "eur", "shillings", "dollars"),
        .. Words(Signal.Secret, "concerns secrets",
            "secret", "secrets", "password", "passwords", "credential", "credentials", "apikey", "api key", "api keys", "access token",
            "access tokens", "oauth", "private key", "private keys", "access key", "client secret", "bearer token"),
        .. Words(Signal.SecretHolder, "exposes what commonly holds secrets",
            "environment variables", "environment variable", "env", "dotenv", "env vars"),
        .. Words(Signal.Irreversible, "cannot be undone",
            "permanently", "permanent", "irreversible", "irreversibly", "cannot be undone", "can not be undone", "cannot be recovered",
            "cannot be reversed", "unrecoverable", "forever"),
        .. Words(Signal.Sweeping, "acts on everything at once", "all", "every", "entire", "bulk", "batch", "whole", "everything"),
        .. Words(Signal.Network, "reaches outside the machine", "url", "urls", "internet", "http", "https", "web", "website", "webpage"),
        .. Words(Signal.BroadRead, "reaches anything a database connection can see", "sql", "database", "databases"),
        .. Words(Signal.MessageObject, "is a message to people",
            "message", "messages", "email", "emails", "mail", "sms", "notification", "notifications", "chat", "text message"),
        .. Words(Signal.ArbitraryCode, "runs commands or code the caller writes", "shell command", "shell commands", "arbitrary code"),
    ];

    /// <summary>Words that only count in a tool's name or title (too common in prose: "QR code", "page token").</summary>
    public static IReadOnlyList<SignalRule> NameOnly { get; } =
    [
        .. Words(Signal.Secret, "concerns secrets", "token", "tokens", "keypair"),
        .. Words(Signal.ArbitraryCode, "runs commands or code the caller writes",
            "shell", "bash", "command", "commands", "script", "scripts", "python", "code", "powershell", "terminal", "exec", "eval"),
        .. Words(Signal.PrivateData, "reads people's private data",
            "history", "emails", "mail", "mailbox", "inbox", "customers", "conversations", "contacts", "messages"),
        .. Words(Signal.FileContent, "reads files", "file", "files"),
    ];

    /// <summary>Destroying words strong enough to count anywhere in a description, not only in its leading words.</summary>
    public static IReadOnlyList<SignalRule> DescriptionDestroy { get; } =
    [
        .. Words(Signal.Destroy, "overwrites existing data", "overwrite", "overwrites", "overwritten", "overwriting"),
        .. Words(Signal.Destroy, "erases data", "erase", "erases", "wipe", "wipes"),
        .. Words(Signal.Destroy, "deletes permanently", "permanently delete", "permanently deletes", "permanently deleted", "permanently removes"),
    ];

    /// <summary>Verbs that, aimed at a secret, issue or reveal it (listing or revoking does not).</summary>
    public static IReadOnlySet<string> RevealVerbs { get; } = Forms(
        "get", "read", "fetch", "retrieve", "show", "reveal", "print", "export", "decrypt", "generate", "issue", "mint", "create",
        "return", "rotate", "dump");

    /// <summary>In a money context these move money out (a "transfer" of files does not).</summary>
    public static IReadOnlySet<string> MoneyOutInMoneyContext { get; } = Forms("transfer", "send", "reverse", "withdraw", "pay", "reversal");

    /// <summary>Words that cancel an action or subject named in the next three words ("does not delete anything").</summary>
    public static IReadOnlySet<string> Negations { get; } = new HashSet<string>(StringComparer.Ordinal) { "not", "never", "no", "without", "doesn", "don", "won", "isn", "nothing", "neither", "nor" };

    /// <summary>Phrases whose words must not count at all: "log messages" are not messages to people.</summary>
    public static IReadOnlyList<string[]> Neutral { get; } = [["log", "message"], ["log", "messages"], ["it", "runs"], ["long", "running"]];

    /// <summary>Servers whose name, serverInfo or instructions name a payment provider: there, an amount alone and a "transfer" mean money.</summary>
    public static IReadOnlySet<string> MoneyServerWords { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "daraja", "mpesa", "stripe", "paypal", "payments", "payment", "bank", "banking", "wallet", "billing", "razorpay", "flutterwave",
        "paystack", "adyen", "square", "braintree", "plaid", "wise", "revolut", "safaricom", "finance", "treasury",
    };

    /// <summary>Servers that keep secrets: there, a tool's subject is a secret unless the definition says otherwise.</summary>
    public static IReadOnlySet<string> SecretServerWords { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "vault", "secrets", "keychain", "1password", "bitwarden", "keyvault", "kms", "lastpass", "infisical", "doppler",
    };

    /// <summary>Input properties (whole name, lower case) and what they signal.</summary>
    public static IReadOnlyDictionary<string, (Signal Signal, string Meaning)> Properties { get; } = new Dictionary<string, (Signal, string)>(StringComparer.Ordinal)
    {
        ["currency"] = (Signal.Money, "takes a currency: moves or requests money"),
        ["price"] = (Signal.Money, "takes a price"),
        ["iban"] = (Signal.Money, "takes a bank account"),
        ["card_number"] = (Signal.Money, "takes a card number"),
        ["command"] = (Signal.ArbitraryCode, "takes a command to run"),
        ["cmd"] = (Signal.ArbitraryCode, "takes a command to run"),
        ["script"] = (Signal.ArbitraryCode, "takes a script to run"),
        ["code"] = (Signal.ArbitraryCode, "takes code to run"),
        ["shell"] = (Signal.ArbitraryCode, "takes a shell"),
        ["program"] = (Signal.ArbitraryCode, "takes a program to run"),
        ["sql"] = (Signal.BroadRead, "takes SQL"),
        ["url"] = (Signal.Network, "takes a URL: reaches outside"),
        ["uri"] = (Signal.Network, "takes a URI: reaches outside"),
        ["endpoint"] = (Signal.Network, "takes an endpoint: reaches outside"),
        ["password"] = (Signal.Secret, "takes a password"),
        ["api_key"] = (Signal.Secret, "takes an API key"),
        ["secret"] = (Signal.Secret, "takes a secret"),
    };

    /// <summary>Properties that make "amount" a sum of money (an amount of retries is not): who pays or is paid.</summary>
    public static IReadOnlySet<string> MoneyCompanions { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "currency", "phone", "phone_number", "msisdn", "recipient", "recipients", "account", "account_number", "account_reference",
        "party_a", "party_b", "receiver_party", "payee", "payer", "customer", "iban", "card_number", "wallet", "to",
    };

    /// <summary>Output properties that are secrets: a tool that returns one reveals it.</summary>
    public static IReadOnlySet<string> SecretOutputs { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "token", "access_token", "refresh_token", "id_token", "secret", "client_secret", "api_key", "apikey", "password", "private_key",
    };

    /// <summary>Input shapes of a message: who it goes to and what it says.</summary>
    public static IReadOnlySet<string> MessageRecipients { get; } = new HashSet<string>(StringComparer.Ordinal) { "to", "recipient", "recipients", "cc", "bcc", "channel", "channel_id", "chat_id" };

    public static IReadOnlySet<string> MessageBodies { get; } = new HashSet<string>(StringComparer.Ordinal) { "subject", "body", "text", "message", "html" };

    private static IEnumerable<SignalRule> Verbs(Signal signal, string meaning, params string[] verbs) =>
        verbs.SelectMany(verb => Forms(verb)).Distinct().Select(form => new SignalRule(form, signal, meaning));

    private static IEnumerable<SignalRule> Words(Signal signal, string meaning, params string[] phrases) =>
        phrases.Select(phrase => new SignalRule(phrase, signal, meaning));

    private static SignalRule Word(Signal signal, string word, string meaning) => new(word, signal, meaning);

    private static HashSet<string> Forms(params string[] verbs) => new(verbs.SelectMany(Forms), StringComparer.Ordinal);

    // The usual English forms, generated rather than stemmed so matching stays whole-word: "run" gives "runs"
    // but never "running" (as in "long-running"), which is the point.
    private static IEnumerable<string> Forms(string verb)
    {
        yield return verb;
        if (verb.Contains(' ', StringComparison.Ordinal))
        {
            yield break;
        }

        var sibilant = verb.EndsWith('s') || verb.EndsWith('x') || verb.EndsWith("sh", StringComparison.Ordinal) || verb.EndsWith("ch", StringComparison.Ordinal);
        yield return sibilant ? verb + "es" : verb.EndsWith('y') && !"aeiou".Contains(verb[^2], StringComparison.Ordinal) ? verb[..^1] + "ies" : verb + "s";
        yield return verb.EndsWith('e') ? verb + "d" : verb.EndsWith('y') && !"aeiou".Contains(verb[^2], StringComparison.Ordinal) ? verb[..^1] + "ied" : verb + "ed";
        yield return verb.EndsWith('e') && verb.Length > 2 ? verb[..^1] + "ing" : verb + "ing";
    }
}
