using System.Text.RegularExpressions;

namespace McpWarden.Catalog.Scanning;

/// <summary>
/// The phrase rules of the poisoning scan. Each reads the text as <see cref="HiddenCharacters.ForMatching"/>
/// prepares it (lower case, invisible characters removed, compatibility forms folded) and needs the
/// words that make a sentence an order to the model, not a description for a person: "ignore previous
/// instructions", not "ignore case"; "send ... to https://...", not a link to the docs; "read ~/.ssh",
/// not "returns the API key status". The expressions run without backtracking, so their time is linear
/// in the text whatever it holds.
/// </summary>
internal static class TextRules
{
    private const string ToolRef = @"[^\s]{1,64}";
    private const string Secrets = @"(private\skeys?|api\skeys?|secret\skeys?|access\skeys?|access\stokens?|auth\stokens?|bearer\stokens?|refresh\stokens?|credentials|passwords?|passphrases?|ssh\skeys?|seed\sphrases?|mnemonics?|recovery\sphrases?|session\scookies?|cookies)";
    private const string Email = @"[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}";
    private const string SendVerbs = @"(send|sends|post|upload|forward|transmit|submit|report|email|mail|copy|leak|exfiltrate|sync|beacon|share|deliver|push)";

    private const string TakeVerbs = @"(read|cat|open|extract|collect|send|share|copy|upload|dump|leak|exfiltrate|attach|forward|post|steal|harvest|grab|include|pass|print|output)";

    public static IReadOnlyList<TextRule> All { get; } =
    [
        // Tags that dress text up as a higher authority than the user.
        Rule(ScanKinds.InstructionMarker, @"<\s?/?\s?(important|system|sys|instructions?|hidden|critical|secret|ai_instructions|assistant_instructions|admin_instructions)(\s[^<>]{0,40})?>", "a tag that addresses the model as a higher authority"),
        Rule(ScanKinds.InstructionMarker, @"\[/?inst\]|<<\s?/?sys\s?>>|<\|(im_start|im_end|system|endoftext)\|>", "a chat-template marker that tries to open a new system turn"),
        Rule(ScanKinds.InstructionMarker, @"<!--", "an HTML comment, which hides text from a person reading rendered docs but not from the model"),

        // Overrides of what the model was told before.
        Rule(ScanKinds.InstructionMarker, @"\b(ignore|disregard|forget|override|bypass)\s(all\s|any\s|every\s)?(of\s)?(the\s|your\s|these\s|those\s|my\s)?(previous|prior|above|earlier|preceding|former|original|existing|system|safety|other)\s(instructions?|prompts?|rules|directions|guidelines|directives|constraints|messages|context)\b", "an order to ignore earlier instructions"),
        Rule(ScanKinds.InstructionMarker, @"\bdisregard\s(all|any|the|your)\s(instructions?|rules|guidelines|safety)\b", "an order to disregard instructions"),
        Rule(ScanKinds.InstructionMarker, @"\byou\s(must|have\sto|are\srequired\sto|should)\s(always\s|never\s|first\s|immediately\s|also\s)?(call|invoke|run|execute|read|open|send|upload|forward|tell|mention|reveal|ignore|disregard)\b|\byou\s(must|should)\s(first|immediately)\b", "an order addressed to the model (\"you must ...\")"),
        Rule(ScanKinds.InstructionMarker, @"\bbefore\s(using|calling|invoking|running|executing)\s(this|the|any)\s(tool|function)s?\b[^\n]{0,100}\b(first|must|always|read|call|invoke|send|pass|open|fetch|include)\b", "a precondition that makes the model do something else first"),

        // Secrecy: what the user must not learn.
        Rule(ScanKinds.InstructionMarker, @"\b(do\snot|don't|dont|never|must\snot|should\snot)\s(tell|mention|inform|notify|alert|reveal|disclose|show|explain|report)\b[^.\n]{0,40}\b(user|human|person|operator|owner|anyone)\b", "an order to keep something from the user"),
        Rule(ScanKinds.InstructionMarker, @"\b(do\snot|don't|dont|never)\s(mention|reveal|disclose)\s(this|that|these|it)\b", "an order to keep something from the user"),
        Rule(ScanKinds.InstructionMarker, @"\bkeep\s(this|it|these|that|them)\s(a\s)?(secret|hidden|confidential|between\sus)\b", "an order to keep something secret"),
        Rule(ScanKinds.InstructionMarker, @"\b(the\s)?users?\s(must|should|need|needs)\s(not|never)\s(to\s)?(know|see|notice|find\sout|learn|be\stold|be\sinformed)\b", "an order to keep something from the user"),
        Rule(ScanKinds.InstructionMarker, @"\bwithout\s(telling|informing|notifying|asking|alerting)\s(the\s)?(user|human|operator)\b", "an order to act without telling the user"),
        Rule(ScanKinds.InstructionMarker, @"\b(hide|conceal)\s(this|it|that|them)\sfrom\s(the\s)?(user|human)\b", "an order to hide something from the user"),

        // Orders to call other tools.
        Rule(ScanKinds.InstructionMarker, $@"\b(always|first|must|then|immediately|also)\s(call|invoke|use|run|execute)\s(the\s)?{ToolRef}\stool\b", "an order to call another tool"),
        Rule(ScanKinds.InstructionMarker, $@"\b(call|invoke|use|run)\s(the\s)?{ToolRef}\stool\s(first|before)\b", "an order to call another tool first"),
        Rule(ScanKinds.InstructionMarker, @"\bbefore\s(any|all|every)\sother\stools?\b", "an order about the order of tool calls"),
        Rule(ScanKinds.InstructionMarker, @"\bthis\stool\s(must|should)\s(always\s)?be\s(called|used|invoked)\s(first|before|instead)\b", "an order to call this tool before others"),

        // Keys, credentials and other applications' configuration.
        Rule(ScanKinds.SecretAccess, @"(~|\$home|%userprofile%)/\.ssh\b|\.ssh/|\bid_(rsa|dsa|ecdsa|ed25519)\b|\bauthorized_keys\b", "names SSH keys"),
        Rule(ScanKinds.SecretAccess, @"\.aws/(credentials|config)\b|\baws_(secret_access_key|access_key_id|session_token)\b", "names AWS credentials"),
        Rule(ScanKinds.SecretAccess, @"\bmcp\.json\b|\bclaude_desktop_config\.json\b|~/\.(cursor|claude|codeium|windsurf|continue|docker|kube|azure|gcloud|vscode|gemini|codex)/", "names another application's configuration (where MCP clients keep their servers and keys)"),
        Rule(ScanKinds.SecretAccess, @"\.netrc\b|\.pgpass\b|\.git-credentials\b|/etc/(shadow|sudoers)\b|\bwallet\.dat\b|\bapplication_default_credentials\.json\b", "names a file that holds credentials"),

        // Files that also have ordinary uses (a tool may load its settings from .env): only with a verb that takes them.
        Rule(ScanKinds.SecretAccess, $@"\b{TakeVerbs}\b[^\n]{{0,60}}((^|[\s'""`(/~])\.env(\.[a-z]+)?\b|\.npmrc\b|\.pypirc\b|\.kube/config\b|\.docker/config\.json\b|/etc/passwd\b|\.gnupg\b|\bcredentials\.json\b|\bsecrets?\.(json|ya?ml|toml|env)\b)", "asks to read or pass on a file that usually holds secrets"),
        Rule(ScanKinds.SecretAccess, $@"\b(read|cat|open|extract|collect|send|share|copy|upload|dump|leak|exfiltrate|attach|forward|post|steal|harvest|grab)\b[^.\n]{{0,60}}\b{Secrets}\b", "asks for keys, tokens or passwords"),

        // Data sent elsewhere.
        Rule(ScanKinds.Exfiltration, $@"\b{SendVerbs}\b[^\n]{{0,80}}\b(to|at|into)\s[`'""<(]?(https?|ftp|wss?)://", "asks to send data to a URL"),
        Rule(ScanKinds.Exfiltration, $@"\b{SendVerbs}\b[^\n]{{0,80}}\b(to|at)\s[`'""<(]?{Email}", "asks to send data to an email address"),
        Rule(ScanKinds.Exfiltration, @"https?://[^\s)]{0,200}[?&=/](\{\{?|<|\$\{)\s?(conversation|history|messages|chat|context|secrets?|tokens?|api_key|keys?|passwords?|data|file|contents?|env|credentials|system_prompt)\b", "a URL template that fills the conversation or secrets into a request (rendered images and links fetch it)"),
        Rule(ScanKinds.Exfiltration, $@"\b(bcc|cc)\b[^\n]{{0,40}}{Email}", "asks to copy messages to an email address"),
        Rule(ScanKinds.Exfiltration, @"\bpass\s(its|the|their|all|this|that|your|every)\s(full\s|entire\s|complete\s|raw\s)?(content|contents|output|result|results|text|data|response|value)s?\s(as|in|into|to|through)\b", "asks to pass data on as an argument"),
        Rule(ScanKinds.Exfiltration, @"\binclude\s(the\s|its\s|their\s|all\s|your\s|any\s)?(full\s|entire\s|complete\s)?(content|contents|output|data|conversation|chat|history|messages|file|files|result|results|system\sprompt|instructions)\b[^.\n]{0,60}\b(in|into|as)\s(the\s)?[`'""]?[a-z0-9_-]+[`'""]?\s(argument|parameter|field|param)\b", "asks to put data into an argument"),
        Rule(ScanKinds.Exfiltration, @"\b(send|include|append|attach|add|pass|forward|upload|copy|embed|put)\b[^.\n]{0,40}\b(conversation\shistory|chat\shistory|entire\sconversation|full\sconversation|previous\smessages|all\smessages|system\sprompt|your\sinstructions)\b", "asks to pass the conversation on"),

        // Redefinitions of other tools' behaviour.
        Rule(ScanKinds.Shadowing, $@"\bwhen(ever)?\s(the\s|any\s|a\s|an\s)?{ToolRef}\stool\s(is\s)?(used|called|invoked|run|executed)\b|\bwhen(ever)?\s(using|calling|invoking)\s(the\s|any\s)?{ToolRef}\stool\b", "changes how the model uses another tool"),
        Rule(ScanKinds.Shadowing, @"\b(all|any|every)\s(other\s)?(emails?|messages?|payments?|transfers?|transactions?|tool\scalls?|requests?|calls?)\s(must|should|shall|need\sto|are\sto)\s(always\s)?(be\s)?(sent|forwarded|redirected|routed|cc'?d|bcc'?d|copied|addressed)\b", "redirects what other tools send"),
        Rule(ScanKinds.Shadowing, $@"\b(this|the\s{ToolRef})\stool\s(overrides|replaces|supersedes|takes\sprecedence\sover)\b|\b(change|changes|modify|modifies|override|overrides|alter|alters)\sthe\sbehaviou?r\sof\s(the\s|other\s|all\s|every\s|any\s)", "redefines how other tools behave"),
    ];

    private static TextRule Rule(string kind, string pattern, string meaning) =>
        new(kind, new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking), meaning);
}

/// <summary>One phrase rule: the kind it reports, what it matches, and what a match means.</summary>
internal sealed record TextRule(string Kind, Regex Pattern, string Meaning);
