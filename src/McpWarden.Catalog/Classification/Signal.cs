namespace McpWarden.Catalog.Classification;

/// <summary>What a word, phrase, property or hint tells the classifier about a tool.</summary>
internal enum Signal
{
    /// <summary>An action that looks at something: get, list, search, query, returns.</summary>
    Read,

    /// <summary>An action that creates or changes something: create, update, set, add.</summary>
    Write,

    /// <summary>An action that destroys: delete, remove, overwrite, terminate, revoke.</summary>
    Destroy,

    /// <summary>An action that runs something: run, execute, trigger, a workflow or job.</summary>
    Execute,

    /// <summary>An action that sends to people: send, post, reply, notify.</summary>
    Communicate,

    /// <summary>Something a message is: an email, an SMS, a message; needed before "send" counts as communication.</summary>
    MessageObject,

    /// <summary>Money leaves: payout, refund, transfer of money, B2C, reversal.</summary>
    MoneyOut,

    /// <summary>Money is the subject: payment, invoice, balance, M-Pesa, an amount with a currency.</summary>
    Money,

    /// <summary>Secrets are the subject: token, secret, password, API key, credentials.</summary>
    Secret,

    /// <summary>Things that commonly hold secrets: environment variables, configuration.</summary>
    SecretHolder,

    /// <summary>An action that issues or reveals what it names: generate, issue, reveal, read, get.</summary>
    Reveal,

    /// <summary>Whole file contents.</summary>
    FileContent,

    /// <summary>People's private data: messages, mail, customers, conversations.</summary>
    PrivateData,

    /// <summary>Reads anything a connection can see: SQL, a database.</summary>
    BroadRead,

    /// <summary>Reaches outside the machine: a URL, the internet, an HTTP request.</summary>
    Network,

    /// <summary>Cannot be undone: permanently, irreversible, cannot be recovered.</summary>
    Irreversible,

    /// <summary>Acts on everything at once: all, every, entire, bulk.</summary>
    Sweeping,

    /// <summary>Runs code or commands the caller writes: a command, script or code argument, a shell.</summary>
    ArbitraryCode,
}
