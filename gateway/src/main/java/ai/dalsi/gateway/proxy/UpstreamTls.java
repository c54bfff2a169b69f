package ai.dalsi.gateway.proxy;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS client side of https backends, built once per proxy: the JDK's trust store, plus the CA
 * certificates of {@link ProxyConfig#trustedCaFile()} when set (for backends whose certificates a
 * private CA issued); the server name sent (SNI) and verified against the certificate (hostname
 * verification is always on); ALPN offering HTTP/1.1, the protocol the proxy speaks.
 */
final class UpstreamTls {

    private UpstreamTls() {
    }

    /**
     * The client context.
     *
     * @throws IllegalArgumentException naming {@code proxy.trustedCaFile} when that file cannot be read or
     *                                  holds no certificate
     */
    static SslContext clientContext(ProxyConfig config) {
        try {
            return SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .trustManager(trustManager(config.trustedCaFile()))
                    .endpointIdentificationAlgorithm("HTTPS")
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_1_1))
                    .build();
        } catch (IOException e) {
            throw new IllegalStateException("cannot build the TLS context for https backends: " + e.getMessage(), e);
        }
    }

    /** The JDK's trust anchors, and the file's certificates when there is a file. */
    static TrustManagerFactory trustManager(Path caFile) {
        try {
            TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            jdk.init((KeyStore) null);
            if (caFile == null) {
                return jdk;
            }
            KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
            anchors.load(null, null);
            int n = 0;
            for (TrustManager tm : jdk.getTrustManagers()) {
                if (tm instanceof X509TrustManager x509) {
                    for (X509Certificate c : x509.getAcceptedIssuers()) {
                        anchors.setCertificateEntry("jdk-" + n++, c);
                    }
                }
            }
            Collection<? extends Certificate> extra = readCertificates(caFile);
            int i = 0;
            for (Certificate c : extra) {
                anchors.setCertificateEntry("trusted-ca-" + i++, c);
            }
            TrustManagerFactory all = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            all.init(anchors);
            return all;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up the trust store for https backends: " + e.getMessage(), e);
        }
    }

    private static Collection<? extends Certificate> readCertificates(Path caFile) {
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(caFile)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("proxy.trustedCaFile: cannot read " + caFile + " ("
                    + e.getClass().getSimpleName() + ")");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("proxy.trustedCaFile: " + caFile
                    + " is not a PEM file of certificates (" + e.getMessage() + ")");
        }
        if (certs.isEmpty()) {
            throw new IllegalArgumentException("proxy.trustedCaFile: " + caFile
                    + " holds no certificate (expected: PEM, -----BEGIN CERTIFICATE-----)");
        }
        return certs;
    }
}
