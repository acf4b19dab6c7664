using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mailroom.Smtp.Server;

/// <summary>Certificates for STARTTLS when the configuration gives none.</summary>
public static class SmtpCertificates
{
    /// <summary>
    /// A self-signed RSA 2048 server certificate for <paramref name="hostName"/> (CN and DNS name). Sending servers
    /// use opportunistic TLS and do not check it, so it still keeps mail encrypted in transit.
    /// </summary>
    public static X509Certificate2 CreateSelfSigned(string hostName, TimeSpan? validity = null)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={hostName}"), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(hostName);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.Add(validity ?? TimeSpan.FromDays(365)));
        // A PKCS#12 round trip gives a key SslStream can use on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
