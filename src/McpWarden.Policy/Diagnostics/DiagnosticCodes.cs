namespace McpWarden.Policy.Diagnostics;

/// <summary>
/// The stable diagnostic codes. A code never changes meaning once published; docs/policy.md lists them.
/// MW0xxx: the JSON text itself. MW1xxx: the document's shape. MW2xxx: rules and tool patterns.
/// MW3xxx: limits. MW4xxx: argument schemas. MW5xxx: the gateway's configuration file.
/// </summary>
public static class DiagnosticCodes
{
    public const string InvalidJson = "MW0001";
    public const string InvalidUtf8 = "MW0002";
    public const string DuplicateKey = "MW0003";
    public const string TooDeep = "MW0004";
    public const string EmptyDocument = "MW0005";
    public const string UnreadableFile = "MW0006";
    public const string TooLarge = "MW0007";

    public const string UnknownField = "MW1001";
    public const string WrongType = "MW1002";
    public const string MissingField = "MW1003";
    public const string UnsupportedVersion = "MW1004";
    public const string InvalidAction = "MW1005";
    public const string DefaultMissing = "MW1006";
    public const string EmptyString = "MW1007";

    public const string InvalidToolPattern = "MW2001";
    public const string AmbiguousPatterns = "MW2002";
    public const string ToolKeyNotNormalized = "MW2003";
    public const string DuplicateToolKey = "MW2004";
    public const string ApprovalWithoutApprove = "MW2005";
    public const string InvalidApprovalTimeout = "MW2006";
    public const string UnusedOnDeny = "MW2007";
    public const string InvalidApprovalVia = "MW2008";

    public const string InvalidWindow = "MW3001";
    public const string InvalidMax = "MW3002";
    public const string InvalidScope = "MW3003";
    public const string InvalidArgumentReference = "MW3004";
    public const string CounterConflict = "MW3005";
    public const string DuplicateCounterInRule = "MW3006";

    public const string InvalidSchema = "MW4001";
    public const string UnknownSchemaKeyword = "MW4002";
    public const string UnsupportedSchemaKeyword = "MW4003";
    public const string InvalidSchemaPattern = "MW4004";
    public const string UnresolvedSchemaReference = "MW4005";
    public const string ArgumentsNotObjectSchema = "MW4006";
    public const string UnlessNotSchema = "MW4007";

    public const string InvalidServerName = "MW5001";
    public const string InvalidTransport = "MW5002";
    public const string MissingVariable = "MW5003";
    public const string InvalidUrl = "MW5004";
    public const string InvalidHash = "MW5005";
    public const string UnknownServer = "MW5006";
    public const string InvalidStore = "MW5007";
    public const string NoServers = "MW5008";
    public const string InvalidMode = "MW5009";
    public const string ServerWithoutPolicy = "MW5010";
    public const string InvalidGrantName = "MW5011";
    public const string InvalidTimeout = "MW5012";
    public const string InvalidMessageLimit = "MW5013";
    public const string InvalidAudit = "MW5014";
    public const string GrantsRequired = "MW5015";
    public const string DuplicateGrantKey = "MW5016";
    public const string InvalidScanAction = "MW5017";
    public const string InvalidTelemetry = "MW5018";

    /// <summary>Every code with the one-line meaning printed in the docs.</summary>
    public static IReadOnlyList<(string Code, string Meaning)> All { get; } =
    [
        (InvalidJson, "the text is not valid JSON"),
        (InvalidUtf8, "the file is not valid UTF-8, or a string escapes an unpaired surrogate"),
        (DuplicateKey, "an object has the same key twice"),
        (TooDeep, "the document nests deeper than 256 levels"),
        (EmptyDocument, "the document is empty or is not a JSON object"),
        (UnreadableFile, "the file cannot be read"),
        (TooLarge, "the document is larger than 16 MiB"),
        (UnknownField, "a field the format does not define (a typo never silently weakens a policy)"),
        (WrongType, "a value of the wrong JSON type"),
        (MissingField, "a required field is absent"),
        (UnsupportedVersion, "`version` is not \"1\""),
        (InvalidAction, "an action other than allow, deny or approve"),
        (DefaultMissing, "warning: no `default`; the policy denies unmatched tools"),
        (EmptyString, "a name or reason that is empty or only whitespace"),
        (InvalidToolPattern, "a tool key that is empty, longer than 256 characters, or contains control or invisible characters"),
        (AmbiguousPatterns, "two patterns with equally many literal characters can match the same tool"),
        (ToolKeyNotNormalized, "warning: a tool key that is not Unicode NFC; it is matched in its NFC form"),
        (DuplicateToolKey, "two tool keys that are equal after NFC normalisation"),
        (ApprovalWithoutApprove, "an `approval` block on a rule whose action is not approve"),
        (InvalidApprovalTimeout, "an approval timeout that is not a number of seconds in 1..86400"),
        (UnusedOnDeny, "warning: limits or arguments on a deny rule are never consulted"),
        (InvalidApprovalVia, "an approval `via` other than queue or client"),
        (InvalidWindow, "a window that is not second, minute, hour, day or a whole number of seconds in 1..31622400"),
        (InvalidMax, "a max that is not a positive number"),
        (InvalidScope, "a scope other than grant, session or global"),
        (InvalidArgumentReference, "a `by` or `cost` that is neither an argument name nor a valid JSON Pointer"),
        (CounterConflict, "two limits share a counter name but disagree on window, max, scope, by or cost"),
        (DuplicateCounterInRule, "warning: one rule names the same counter twice; it is counted once"),
        (InvalidSchema, "a JSON Schema keyword with an invalid value"),
        (UnknownSchemaKeyword, "a word that is not a JSON Schema keyword (a typo such as maximun)"),
        (UnsupportedSchemaKeyword, "a JSON Schema keyword the validator does not support"),
        (InvalidSchemaPattern, "a regular expression that does not parse"),
        (UnresolvedSchemaReference, "a $ref that does not resolve within the schema"),
        (ArgumentsNotObjectSchema, "`arguments` is not a JSON Schema object"),
        (UnlessNotSchema, "`approval.unless` is not a JSON Schema (an object, or true or false)"),
        (InvalidServerName, "a server name that is not 1 to 64 of A-Z a-z 0-9 . _ - or contains \"__\" or ends in \"_\""),
        (InvalidTransport, "a server with neither or both of `command` and `url`, or fields of the other transport"),
        (MissingVariable, "a `${NAME}` whose environment variable is not set"),
        (InvalidUrl, "a `url` that is not an absolute http or https URL"),
        (InvalidHash, "a `keySha256` or `tokenSha256` that is not 64 hexadecimal digits"),
        (UnknownServer, "a grant that names a server the configuration does not have"),
        (InvalidStore, "a `store` with neither `path` nor `redis`, a Redis setting without `redis`, or a bad value"),
        (NoServers, "warning: the configuration has no servers"),
        (InvalidMode, "a `mode` other than enforce or observe"),
        (ServerWithoutPolicy, "warning: a server without a policy; it gets {\"version\":\"1\",\"default\":\"deny\"}"),
        (InvalidGrantName, "a grant name that is not 1 to 64 of A-Z a-z 0-9 . _ -"),
        (InvalidTimeout, "a `timeout` that is not a number of seconds in 1..3600"),
        (InvalidMessageLimit, "a `maxMessageBytes` that is not a whole number from 1024 to 67108864"),
        (InvalidAudit, "an `audit` whose `recordArguments` is not a boolean or whose `redact` is not an array of names"),
        (GrantsRequired, "a reload that removes every grant while the gateway listens beyond loopback (every caller would be trusted)"),
        (DuplicateGrantKey, "two grants with the same `keySha256`"),
        (InvalidScanAction, "a server's `scan` other than hide or warn"),
        (InvalidTelemetry, "a `telemetry` with a bad OTLP endpoint, protocol, header or interval, or an empty `serviceName`"),
    ];
}
