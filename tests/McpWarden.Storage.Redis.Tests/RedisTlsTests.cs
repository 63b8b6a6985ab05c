using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using McpWarden.Gateway.Storage;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Storage.Redis.Tests;

/// <summary>
/// TLS to a real redis-server that speaks only TLS, with a certificate from a private authority made here: the store
/// connects only when the certificate chains to the configured CA and carries the expected name.
/// </summary>
public sealed class RedisTlsTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-redis-tls-").FullName;
    private RedisServer? _server;

    private string CaFile => Path.Combine(_directory, "ca.pem");

    private string OtherCaFile => Path.Combine(_directory, "other-ca.pem");

    private RedisServer Server => _server!;

    public async ValueTask InitializeAsync()
    {
        using var ca = Authority("McpWarden test CA", CaFile);
        using var other = Authority("Somebody else's CA", OtherCaFile);
        var (certificate, key) = (Path.Combine(_directory, "redis.pem"), Path.Combine(_directory, "redis.key"));
        using var serverKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=redis.test", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("redis.test");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var issued = request.Create(ca, DateTimeOffset.UnixEpoch.AddYears(50), DateTimeOffset.UnixEpoch.AddYears(90), [1, 2, 3, 4]);
        await File.WriteAllTextAsync(certificate, issued.ExportCertificatePem());
        await File.WriteAllTextAsync(key, serverKey.ExportPkcs8PrivateKeyPem());
        _server = await RedisServer.StartTlsAsync(certificate, key);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Tls_CertificateFromTheConfiguredCaWithTheExpectedName_Serves()
    {
        using var connection = await OpenAsync(tls: true, serverName: "redis.test", caFile: CaFile);
        Assert.True(await connection.RunAsync(db => db.StringSetAsync(connection.Key("k"), "v")));
    }

    [Theory]
    [InlineData("another CA", "redis.test")]
    [InlineData("no CA (the system's roots)", "redis.test")]
    [InlineData("the right CA", "not-redis.test")]
    public async Task Tls_CertificateNotTrusted_IsUnavailable(string trust, string serverName)
    {
        var caFile = trust switch
        {
            "another CA" => OtherCaFile,
            "the right CA" => CaFile,
            _ => null,
        };
        using var connection = await OpenAsync(tls: true, serverName, caFile);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => connection.RunAsync(db => db.StringSetAsync(connection.Key("k"), "v")));
    }

    [Fact]
    public async Task Plaintext_ToATlsOnlyServer_IsUnavailable()
    {
        using var connection = await OpenAsync(tls: false, serverName: null, caFile: null);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => connection.RunAsync(db => db.StringSetAsync(connection.Key("k"), "v")));
    }

    private Task<RedisConnection> OpenAsync(bool tls, string? serverName, string? caFile) =>
        RedisConnection.OpenAsync(new RedisStoreOptions
        {
            Endpoint = Server.Endpoint,
            Tls = tls,
            TlsServerName = serverName,
            TlsCaFile = caFile,
            OperationTimeout = TimeSpan.FromMilliseconds(1000),
        });

    /// <summary>A self-signed certificate authority; its certificate (not its key) is written to <paramref name="pemFile"/>.</summary>
    private static X509Certificate2 Authority(string name, string pemFile)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        var authority = request.CreateSelfSigned(DateTimeOffset.UnixEpoch.AddYears(50), DateTimeOffset.UnixEpoch.AddYears(100));
        File.WriteAllText(pemFile, authority.ExportCertificatePem());
        return authority;
    }
}
