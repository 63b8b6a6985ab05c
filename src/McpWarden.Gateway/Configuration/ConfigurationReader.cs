using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using McpWarden.Policy;
using McpWarden.Policy.Compilation;
using McpWarden.Policy.Diagnostics;
using McpWarden.Policy.Json;
using McpWarden.Policy.Parsing;

namespace McpWarden.Gateway.Configuration;

/// <summary>Reads one configuration document into definitions, reporting every problem to one sink.</summary>
internal sealed partial class ConfigurationReader
{
    private static readonly string[] DocumentFields = ["$schema", "mcpServers", "grants", "admin", "store", "mode", "maxMessageBytes", "audit", "telemetry"];
    private static readonly string[] ServerFields = ["type", "command", "args", "env", "cwd", "url", "headers", "policy", "mode", "timeout", "pin", "scan", "shared"];
    private static readonly string[] GrantFields = ["keySha256", "servers"];
    private static readonly string[] AdminFields = ["tokenSha256"];
    private static readonly string[] StoreFields = ["path", "redis", "synchronous", "password", "tls", "keyPrefix", "failOpen"];
    private static readonly string[] RedisOnlyFields = ["password", "tls", "keyPrefix", "failOpen"];
    private static readonly string[] TlsFields = ["serverName", "caFile"];
    private static readonly string[] AuditFields = ["recordArguments", "redact"];

    /// <summary>How long one upstream request may take unless <c>timeout</c> says otherwise.</summary>
    public static TimeSpan DefaultRequestTimeout { get; } = TimeSpan.FromSeconds(60);

    private const int MaxTimeoutSeconds = 3600;

    private readonly DiagnosticSink _sink;
    private readonly string _directory;
    private readonly Func<string, string?> _environment;
    private readonly List<string> _policyFiles = [];

    public ConfigurationReader(DiagnosticSink sink, string directory, Func<string, string?> environment)
    {
        _sink = sink;
        _directory = directory;
        _environment = environment;
    }

    // Names appear in URLs and, on /mcp, before "__" in tool names: "__" inside one would make those ambiguous.
    /// <summary>The policy files the document names (absolute), whether or not they could be read: a reload watches them.</summary>
    public IReadOnlyList<string> PolicyFiles => _policyFiles;

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex NameSyntax();

    public GatewayConfiguration? Read(JsonElement root, string fullPath)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            _sink.Error(DiagnosticCodes.EmptyDocument, string.Empty, $"a configuration must be a JSON object, got {JsonText.Describe(root)}");
            return null;
        }

        StrictJson.CheckFields(root, string.Empty, DocumentFields, _sink);
        var defaultMode = root.TryGetProperty("mode", out var modeElement) ? ReadMode(modeElement, "/mode") : EnforcementMode.Enforce;
        var declared = new List<string>();
        var servers = ReadServers(root, defaultMode, declared);
        var grants = root.TryGetProperty("grants", out var grantsElement) ? ReadGrants(grantsElement, declared) : [];
        var adminToken = root.TryGetProperty("admin", out var adminElement) ? ReadAdmin(adminElement) : null;
        var store = root.TryGetProperty("store", out var storeElement)
            ? ReadStore(storeElement)
            : new StoreDefinition(Path.Combine(_directory, ConfigurationLoader.DefaultStoreFile), null);
        var maxMessageBytes = root.TryGetProperty("maxMessageBytes", out var limitElement) ? ReadMessageLimit(limitElement) : Fronts.MessageScreening.DefaultMaxMessageBytes;
        var audit = root.TryGetProperty("audit", out var auditElement) ? ReadAudit(auditElement) : Audit.AuditSettings.Default;
        var telemetry = root.TryGetProperty("telemetry", out var telemetryElement) ? ReadTelemetry(telemetryElement) : TelemetryDefinition.None;
        return new GatewayConfiguration(fullPath, servers, grants, adminToken, store ?? new StoreDefinition(null, null)) { MaxMessageBytes = maxMessageBytes, Audit = audit, Telemetry = telemetry };
    }

    /// <summary>The servers that read without error; <paramref name="declared"/> gets every well-named entry, read or not.</summary>
    private List<ServerDefinition> ReadServers(JsonElement root, EnforcementMode defaultMode, List<string> declared)
    {
        var servers = new List<ServerDefinition>();
        if (!root.TryGetProperty("mcpServers", out var element))
        {
            _sink.Warning(DiagnosticCodes.NoServers, string.Empty, "the configuration has no \"mcpServers\": the gateway has nothing to serve");
            return servers;
        }

        if (!ExpectObject(element, "/mcpServers", "\"mcpServers\" must be an object of server name to server"))
        {
            return servers;
        }

        foreach (var property in element.EnumerateObject())
        {
            var path = JsonPointer.Append("/mcpServers", property.Name);
            if (!NameSyntax().IsMatch(property.Name) || property.Name.Contains("__", StringComparison.Ordinal) || property.Name.EndsWith('_'))
            {
                _sink.ErrorAtName(DiagnosticCodes.InvalidServerName, path, $"server name {JsonText.Quote(property.Name)} must be 1 to 64 of A-Z a-z 0-9 . _ - without \"__\" and not ending in \"_\" (it appears in URLs and before \"__\" in tool names)");
                continue;
            }

            declared.Add(property.Name);
            if (ReadServer(property.Name, property.Value, path, defaultMode) is { } server)
            {
                servers.Add(server);
            }
        }

        if (servers.Count == 0 && !_sink.HasErrors)
        {
            _sink.Warning(DiagnosticCodes.NoServers, "/mcpServers", "\"mcpServers\" is empty: the gateway has nothing to serve");
        }

        return servers;
    }

    private ServerDefinition? ReadServer(string name, JsonElement element, string path, EnforcementMode defaultMode)
    {
        if (!ExpectObject(element, path, $"server {JsonText.Quote(name)} must be an object"))
        {
            return null;
        }

        StrictJson.CheckFields(element, path, ServerFields, _sink);
        var upstream = ReadUpstream(element, path);
        var (policy, policySource) = ReadPolicy(element, path);
        var mode = element.TryGetProperty("mode", out var modeElement) ? ReadMode(modeElement, path + "/mode") : defaultMode;
        var timeout = element.TryGetProperty("timeout", out var timeoutElement) ? ReadTimeout(timeoutElement, path + "/timeout") : DefaultRequestTimeout;
        var pinning = !element.TryGetProperty("pin", out var pinElement) || ReadPin(pinElement, path + "/pin");
        var scan = element.TryGetProperty("scan", out var scanElement) ? ReadScan(scanElement, path + "/scan") : ScanAction.Hide;
        return upstream is null || policy is null ? null : new ServerDefinition(name, upstream, policy, policySource, mode, timeout)
        {
            Pinning = pinning,
            Scan = scan,
            PolicyFile = element.TryGetProperty("policy", out var named) && named.ValueKind == JsonValueKind.String ? policySource : null,
        };
    }

    private UpstreamDefinition? ReadUpstream(JsonElement element, string path)
    {
        var type = element.TryGetProperty("type", out var typeElement) ? ReadString(typeElement, path + "/type") : null;
        var hasCommand = element.TryGetProperty("command", out var command);
        var hasUrl = element.TryGetProperty("url", out var url);
        if (hasCommand == hasUrl)
        {
            _sink.Error(DiagnosticCodes.InvalidTransport, path, hasCommand
                ? "a server has either \"command\" (a process over stdio) or \"url\" (HTTP), not both"
                : "a server needs \"command\" (a process over stdio) or \"url\" (HTTP)");
            return null;
        }

        if (type is not (null or "stdio" or "http" or "sse"))
        {
            _sink.Error(DiagnosticCodes.InvalidTransport, path + "/type", $"\"type\" must be \"stdio\", \"http\" or \"sse\", got {JsonText.Quote(type)}");
            return null;
        }

        if (type is not null && hasCommand != (type == "stdio"))
        {
            _sink.Error(DiagnosticCodes.InvalidTransport, path + "/type", $"\"type\": {JsonText.Quote(type)} does not fit a server with \"{(hasCommand ? "command" : "url")}\"");
            return null;
        }

        return hasCommand ? ReadStdio(element, command, path) : ReadHttp(element, url, path, type);
    }

    private StdioUpstreamDefinition? ReadStdio(JsonElement element, JsonElement commandElement, string path)
    {
        RefuseFields(element, path, "headers", "a process server has no HTTP headers; pass secrets through \"env\"");
        var command = ExpandedString(commandElement, path + "/command", nonEmpty: true);
        var arguments = element.TryGetProperty("args", out var args) ? ExpandedStrings(args, path + "/args") : [];
        var environment = element.TryGetProperty("env", out var env) ? ExpandedMap(env, path + "/env") : new Dictionary<string, string>();
        var directory = _directory;
        if (element.TryGetProperty("cwd", out var cwd) && FullPath(cwd, path + "/cwd", DiagnosticCodes.InvalidTransport) is { } full)
        {
            directory = full;
        }

        var shared = element.TryGetProperty("shared", out var sharedElement) && ReadShared(sharedElement, path + "/shared");
        return command is null || arguments is null || environment is null
            ? null
            : new StdioUpstreamDefinition(command, arguments, environment, directory) { Shared = shared };
    }

    private HttpUpstreamDefinition? ReadHttp(JsonElement element, JsonElement urlElement, string path, string? type)
    {
        RefuseFields(element, path, "args", "a URL server is not started by the gateway");
        RefuseFields(element, path, "env", "a URL server is not started by the gateway");
        RefuseFields(element, path, "cwd", "a URL server is not started by the gateway");
        RefuseFields(element, path, "shared", "a URL server is one server for every session already; \"shared\" is for a process the gateway starts");
        var text = ExpandedString(urlElement, path + "/url", nonEmpty: true);
        Uri? url = null;
        if (text is not null && !(Uri.TryCreate(text, UriKind.Absolute, out url) && url.Scheme is "http" or "https"))
        {
            _sink.Error(DiagnosticCodes.InvalidUrl, path + "/url", $"\"url\" must be an absolute http or https URL, got {JsonText.Quote(text)}");
            url = null;
        }

        var headers = element.TryGetProperty("headers", out var headersElement) ? ExpandedMap(headersElement, path + "/headers") : new Dictionary<string, string>();
        var kind = type switch
        {
            "http" => HttpUpstreamKind.StreamableHttp,
            "sse" => HttpUpstreamKind.Sse,
            _ => HttpUpstreamKind.AutoDetect,
        };
        return url is null || headers is null ? null : new HttpUpstreamDefinition(url, headers, kind);
    }

    private (CompiledPolicy? Policy, string Source) ReadPolicy(JsonElement element, string path)
    {
        if (!element.TryGetProperty("policy", out var policy))
        {
            _sink.Warning(DiagnosticCodes.ServerWithoutPolicy, path, $"no \"policy\": every call to this server is denied (it gets {ConfigurationLoader.DefaultPolicy})");
            return (ConfigurationLoader.LoadDefaultPolicy().Policy, "(default policy)");
        }

        var policyPath = path + "/policy";
        switch (policy.ValueKind)
        {
            case JsonValueKind.Object:
                var inline = PolicyLoader.Load(_sink.At(policyPath), policy);
                return (inline.Policy, policyPath);

            case JsonValueKind.String when FullPath(policy, policyPath, DiagnosticCodes.UnreadableFile) is { } file:
                _policyFiles.Add(file);
                var loaded = PolicyLoader.LoadFile(file, DisplayPath.Of(file));
                foreach (var diagnostic in loaded.Diagnostics)
                {
                    _sink.Add(diagnostic);
                }

                return (loaded.Policy, file);

            case JsonValueKind.String:
                return (null, policyPath);

            default:
                _sink.Error(DiagnosticCodes.WrongType, policyPath, $"\"policy\" must be a file path or an inline policy object, got {JsonText.Describe(policy)}");
                return (null, policyPath);
        }
    }

    /// <summary>
    /// Grants name servers as declared, not as read: a server whose entry has an error of its own (an unset
    /// variable, say) is still a server, and a grant naming it is right. Only its own error is reported.
    /// </summary>
    private List<GrantDefinition> ReadGrants(JsonElement element, List<string> servers)
    {
        var grants = new List<GrantDefinition>();
        if (!ExpectObject(element, "/grants", "\"grants\" must be an object of grant name to grant"))
        {
            return grants;
        }

        foreach (var property in element.EnumerateObject())
        {
            var path = JsonPointer.Append("/grants", property.Name);
            if (!NameSyntax().IsMatch(property.Name))
            {
                _sink.ErrorAtName(DiagnosticCodes.InvalidGrantName, path, $"grant name {JsonText.Quote(property.Name)} must be 1 to 64 of A-Z a-z 0-9 . _ -");
                continue;
            }

            if (!ExpectObject(property.Value, path, $"grant {JsonText.Quote(property.Name)} must be an object with \"keySha256\""))
            {
                continue;
            }

            StrictJson.CheckFields(property.Value, path, GrantFields, _sink);
            var key = ReadHash(property.Value, "keySha256", path);
            IReadOnlyList<string>? allowed = null;
            if (property.Value.TryGetProperty("servers", out var serversElement))
            {
                allowed = ReadGrantServers(serversElement, path + "/servers", servers);
            }

            if (key is not null && grants.FirstOrDefault(g => g.KeySha256.AsSpan().SequenceEqual(key)) is { } twin)
            {
                // One key, two grants: which one a caller is would depend on their order, and so would its budgets and servers.
                _sink.Error(DiagnosticCodes.DuplicateGrantKey, path + "/keySha256", $"grant {JsonText.Quote(property.Name)} has the same key as grant {JsonText.Quote(twin.Name)}; every grant needs its own key");
                continue;
            }

            if (key is not null)
            {
                grants.Add(new GrantDefinition(property.Name, key, allowed));
            }
        }

        return grants;
    }

    private List<string>? ReadGrantServers(JsonElement element, string path, List<string> servers)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            _sink.Error(DiagnosticCodes.WrongType, path, $"\"servers\" must be an array of server names, got {JsonText.Describe(element)}");
            return null;
        }

        var names = new List<string>();
        var index = 0;
        foreach (var item in element.EnumerateArray())
        {
            var itemPath = JsonPointer.Append(path, index++);
            if (ReadString(item, itemPath) is not { } name)
            {
                continue;
            }

            if (!servers.Contains(name, StringComparer.Ordinal))
            {
                _sink.Error(DiagnosticCodes.UnknownServer, itemPath, $"the configuration has no server {JsonText.Quote(name)}");
                continue;
            }

            names.Add(name);
        }

        return names;
    }

    private byte[]? ReadAdmin(JsonElement element)
    {
        if (!ExpectObject(element, "/admin", "\"admin\" must be an object with \"tokenSha256\""))
        {
            return null;
        }

        StrictJson.CheckFields(element, "/admin", AdminFields, _sink);
        return ReadHash(element, "tokenSha256", "/admin");
    }

    private Audit.AuditSettings ReadAudit(JsonElement element)
    {
        if (!ExpectObject(element, "/audit", "\"audit\" must be an object such as {\"recordArguments\": true}"))
        {
            return Audit.AuditSettings.Default;
        }

        StrictJson.CheckFields(element, "/audit", AuditFields, _sink);
        var record = false;
        if (element.TryGetProperty("recordArguments", out var recordElement))
        {
            if (recordElement.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                record = recordElement.GetBoolean();
            }
            else
            {
                _sink.Error(DiagnosticCodes.InvalidAudit, "/audit/recordArguments", $"\"recordArguments\" must be true or false, got {JsonText.Describe(recordElement)}");
            }
        }

        var redactor = Audit.ArgumentRedactor.Default;
        if (element.TryGetProperty("redact", out var redactElement))
        {
            var terms = redactElement.ValueKind == JsonValueKind.Array
                ? redactElement.EnumerateArray().Select(t => t.ValueKind == JsonValueKind.String ? t.GetString() : null).ToList()
                : null;
            if (terms is null || terms.Any(t => string.IsNullOrWhiteSpace(t) || !t.Any(char.IsLetterOrDigit)))
            {
                _sink.Error(DiagnosticCodes.InvalidAudit, "/audit/redact", $"\"redact\" must be an array of member names such as [\"password\", \"api_key\"], got {JsonText.Describe(redactElement)}");
            }
            else
            {
                redactor = new Audit.ArgumentRedactor(terms!);
            }
        }

        return new Audit.AuditSettings(record, redactor);
    }

    private StoreDefinition? ReadStore(JsonElement element)
    {
        if (!ExpectObject(element, "/store", "\"store\" must be an object with \"path\" or \"redis\""))
        {
            return null;
        }

        StrictJson.CheckFields(element, "/store", StoreFields, _sink);
        var hasPath = element.TryGetProperty("path", out var path);
        var hasRedis = element.TryGetProperty("redis", out var redis);
        if (!hasPath && !hasRedis)
        {
            _sink.Error(DiagnosticCodes.InvalidStore, "/store", "\"store\" needs \"path\" (an embedded file) or \"redis\" (HOST:PORT shared by replicas; \"path\" then names this replica's audit log)");
            return null;
        }

        var fullSync = false;
        if (element.TryGetProperty("synchronous", out var synchronous))
        {
            switch (synchronous.ValueKind == JsonValueKind.String ? synchronous.GetString() : null)
            {
                case "normal":
                    break;
                case "full":
                    fullSync = true;
                    break;
                default:
                    _sink.Error(DiagnosticCodes.InvalidStore, "/store/synchronous", $"\"synchronous\" is \"normal\" (a commit survives the process being killed) or \"full\" (it survives a power loss too), and applies to the embedded file; got {JsonText.Describe(synchronous)}");
                    break;
            }
        }

        // Beside Redis the embedded file keeps only this replica's audit log, by default where the whole store would be.
        var file = hasPath
            ? FullPath(path, "/store/path", DiagnosticCodes.InvalidStore)
            : Path.Combine(_directory, ConfigurationLoader.DefaultStoreFile);
        if (!hasRedis)
        {
            foreach (var field in RedisOnlyFields)
            {
                if (element.TryGetProperty(field, out _))
                {
                    _sink.ErrorAtName(DiagnosticCodes.InvalidStore, "/store/" + field, $"\"{field}\" applies to a \"redis\" store only");
                }
            }

            return file is null ? null : new StoreDefinition(file, null) { FullSync = fullSync };
        }

        var shared = ReadRedis(element, redis);
        return file is null || shared is null ? null : new StoreDefinition(file, shared) { FullSync = fullSync };
    }

    private RedisDefinition? ReadRedis(JsonElement store, JsonElement redis)
    {
        var endpoint = ExpandedString(redis, "/store/redis", nonEmpty: true);
        if (endpoint is not null && !IsHostAndPort(endpoint))
        {
            _sink.Error(DiagnosticCodes.InvalidStore, "/store/redis", $"\"redis\" must be HOST:PORT, got {JsonText.Quote(endpoint)}");
            return null;
        }

        var valid = endpoint is not null;
        string? password = null;
        if (store.TryGetProperty("password", out var passwordElement))
        {
            // Never quoted in a diagnostic: it is a secret, and ${NAME} keeps it out of the file.
            password = ExpandedString(passwordElement, "/store/password", nonEmpty: true);
            valid &= password is not null;
        }

        var (tls, serverName, caFile) = (false, (string?)null, (string?)null);
        if (store.TryGetProperty("tls", out var tlsElement))
        {
            (tls, serverName, caFile, var tlsValid) = ReadTls(tlsElement);
            valid &= tlsValid;
        }

        var keyPrefix = RedisDefinition.DefaultKeyPrefix;
        if (store.TryGetProperty("keyPrefix", out var prefixElement))
        {
            var prefix = ExpandedString(prefixElement, "/store/keyPrefix", nonEmpty: true);
            valid &= prefix is not null;
            keyPrefix = prefix ?? keyPrefix;
        }

        var failOpen = false;
        if (store.TryGetProperty("failOpen", out var failOpenElement))
        {
            if (failOpenElement.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                failOpen = failOpenElement.GetBoolean();
            }
            else
            {
                _sink.Error(DiagnosticCodes.WrongType, "/store/failOpen", $"\"failOpen\" must be true or false, got {JsonText.Describe(failOpenElement)}");
                valid = false;
            }
        }

        return valid
            ? new RedisDefinition(endpoint!) { Password = password, Tls = tls, TlsServerName = serverName, TlsCaFile = caFile, KeyPrefix = keyPrefix, FailOpen = failOpen }
            : null;
    }

    /// <summary><c>"tls": true</c>, <c>false</c>, or an object naming the certificate's name and a private CA.</summary>
    private (bool Tls, string? ServerName, string? CaFile, bool Valid) ReadTls(JsonElement element)
    {
        if (element.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return (element.GetBoolean(), null, null, true);
        }

        if (!ExpectObject(element, "/store/tls", "\"tls\" must be true, false or an object with \"serverName\" and/or \"caFile\""))
        {
            return (false, null, null, false);
        }

        StrictJson.CheckFields(element, "/store/tls", TlsFields, _sink);
        var valid = true;
        string? serverName = null, caFile = null;
        if (element.TryGetProperty("serverName", out var nameElement))
        {
            serverName = ExpandedString(nameElement, "/store/tls/serverName", nonEmpty: true);
            valid &= serverName is not null;
        }

        if (element.TryGetProperty("caFile", out var caElement))
        {
            caFile = FullPath(caElement, "/store/tls/caFile", DiagnosticCodes.InvalidStore);
            valid &= caFile is not null;
        }

        return (true, serverName, caFile, valid);
    }

    /// <summary>
    /// <c>HOST:PORT</c> as the Redis client reads it: a name or IPv4 address, or an IPv6 one in brackets, then a port.
    /// A URL (<c>redis://...</c>) or spaces are refused here, not when the gateway starts.
    /// </summary>
    private static bool IsHostAndPort(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is <= 0 or > 65535)
        {
            return false;
        }

        var host = endpoint[..colon];
        return host.StartsWith('[') && host.EndsWith(']')
            ? System.Net.IPAddress.TryParse(host[1..^1], out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            : HostName().IsMatch(host);
    }

    [GeneratedRegex("^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,252})$")]
    private static partial Regex HostName();

    private byte[]? ReadHash(JsonElement element, string field, string path)
    {
        var fieldPath = path + "/" + field;
        if (!element.TryGetProperty(field, out var value))
        {
            _sink.Error(DiagnosticCodes.MissingField, path, $"missing required field \"{field}\" (the SHA-256 of the secret, as 64 hexadecimal digits)");
            return null;
        }

        var text = ReadString(value, fieldPath);
        if (text is null)
        {
            return null;
        }

        if (text.Length != 64 || !text.All(char.IsAsciiHexDigit))
        {
            // The message never echoes the value: someone may have pasted the secret itself here.
            _sink.Error(DiagnosticCodes.InvalidHash, fieldPath, $"\"{field}\" must be 64 hexadecimal digits (a SHA-256), got {text.Length} characters; store the hash, never the secret");
            return null;
        }

        return Convert.FromHexString(text);
    }

    private EnforcementMode ReadMode(JsonElement element, string path)
    {
        switch (element.ValueKind == JsonValueKind.String ? element.GetString() : null)
        {
            case "enforce": return EnforcementMode.Enforce;
            case "observe": return EnforcementMode.Observe;
            default:
                _sink.Error(DiagnosticCodes.InvalidMode, path, $"\"mode\" must be \"enforce\" or \"observe\", got {JsonText.Describe(element)}");
                return EnforcementMode.Enforce;
        }
    }

    private bool ReadPin(JsonElement element, string path)
    {
        if (element.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return element.GetBoolean();
        }

        _sink.Error(DiagnosticCodes.WrongType, path, $"\"pin\" must be true or false, got {JsonText.Describe(element)}");
        return true;
    }

    private bool ReadShared(JsonElement element, string path)
    {
        if (element.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return element.GetBoolean();
        }

        _sink.Error(DiagnosticCodes.WrongType, path, $"\"shared\" must be true or false, got {JsonText.Describe(element)}");
        return false;
    }

    private ScanAction ReadScan(JsonElement element, string path)
    {
        switch (element.ValueKind == JsonValueKind.String ? element.GetString() : null)
        {
            case "hide": return ScanAction.Hide;
            case "warn": return ScanAction.Warn;
            default:
                _sink.Error(DiagnosticCodes.InvalidScanAction, path, $"\"scan\" must be \"hide\" or \"warn\", got {JsonText.Describe(element)}");
                return ScanAction.Hide;
        }
    }

    private int ReadMessageLimit(JsonElement element)
    {
        const int Smallest = 1024, Largest = 64 * 1024 * 1024;
        if (element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var bytes) && bytes is >= Smallest and <= Largest)
        {
            return bytes;
        }

        _sink.Error(DiagnosticCodes.InvalidMessageLimit, "/maxMessageBytes", $"\"maxMessageBytes\" must be a whole number from {Smallest} to {Largest}, got {JsonText.Describe(element)}");
        return Fronts.MessageScreening.DefaultMaxMessageBytes;
    }

    private TimeSpan ReadTimeout(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var seconds) && seconds is >= 1 and <= MaxTimeoutSeconds)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        _sink.Error(DiagnosticCodes.InvalidTimeout, path, $"\"timeout\" must be a number of seconds from 1 to {MaxTimeoutSeconds}, got {JsonText.Describe(element)}");
        return DefaultRequestTimeout;
    }

    private List<string>? ExpandedStrings(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            _sink.Error(DiagnosticCodes.WrongType, path, $"must be an array of strings, got {JsonText.Describe(element)}");
            return null;
        }

        var values = new List<string>();
        var index = 0;
        var valid = true;
        foreach (var item in element.EnumerateArray())
        {
            var value = ExpandedString(item, JsonPointer.Append(path, index++), nonEmpty: false);
            valid &= value is not null;
            values.Add(value ?? string.Empty);
        }

        return valid ? values : null;
    }

    private Dictionary<string, string>? ExpandedMap(JsonElement element, string path)
    {
        if (!ExpectObject(element, path, "must be an object of name to string"))
        {
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var valid = true;
        foreach (var property in element.EnumerateObject())
        {
            var value = ExpandedString(property.Value, JsonPointer.Append(path, property.Name), nonEmpty: false);
            valid &= value is not null;
            values[property.Name] = value ?? string.Empty;
        }

        return valid ? values : null;
    }

    /// <summary>A string with <c>${NAME}</c> expanded; null (with a diagnostic) when it is not a string or a variable is unset.</summary>
    private string? ExpandedString(JsonElement element, string path, bool nonEmpty)
    {
        if (ReadString(element, path) is not { } text)
        {
            return null;
        }

        var missing = new List<string>();
        var expanded = EnvironmentExpansion.Expand(text, _environment, missing);
        foreach (var name in missing)
        {
            _sink.Error(DiagnosticCodes.MissingVariable, path, $"the environment variable {name} is not set (write $${{ for a literal ${{)");
        }

        if (missing.Count > 0)
        {
            return null;
        }

        if (nonEmpty && expanded.Length == 0)
        {
            _sink.Error(DiagnosticCodes.EmptyString, path, "must not be empty");
            return null;
        }

        return expanded;
    }

    /// <summary>
    /// A file path of the document (variables expanded) made absolute against the configuration's directory;
    /// null, with a diagnostic, when it cannot be one. A NUL is refused here: no file name holds one, and the
    /// system's path functions throw on it.
    /// </summary>
    private string? FullPath(JsonElement element, string path, string code)
    {
        if (ExpandedString(element, path, nonEmpty: true) is not { } relative)
        {
            return null;
        }

        if (relative.Contains('\0', StringComparison.Ordinal))
        {
            _sink.Error(code, path, $"{JsonText.Quote(relative)} is not a file path: it holds a NUL character");
            return null;
        }

        return Path.GetFullPath(Path.Combine(_directory, relative));
    }

    private string? ReadString(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.String)
        {
            return element.GetString();
        }

        _sink.Error(DiagnosticCodes.WrongType, path, $"must be a string, got {JsonText.Describe(element)}");
        return null;
    }

    private bool ExpectObject(JsonElement element, string path, string message)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            return true;
        }

        _sink.Error(DiagnosticCodes.WrongType, path, $"{message}, got {JsonText.Describe(element)}");
        return false;
    }

    private void RefuseFields(JsonElement element, string path, string field, string why)
    {
        if (element.TryGetProperty(field, out _))
        {
            _sink.ErrorAtName(DiagnosticCodes.InvalidTransport, path + "/" + field, $"\"{field}\" does not apply here: {why}");
        }
    }
}
