package ai.dalsi.gateway.testing;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;

/**
 * A certificate authority made for one test, and a server certificate it issued, with the JDK's
 * {@code keytool} (no private key is ever committed): {@link #caPem()} is what a client trusts,
 * {@link #serverContext()} what a TLS server presents.
 */
public final class TestCertificates {

    private static final String PASSWORD = "changeit";

    private final Path dir;
    private final Path caPem;
    private final Path serverStore;

    private TestCertificates(Path dir, Path caPem, Path serverStore) {
        this.dir = dir;
        this.caPem = caPem;
        this.serverStore = serverStore;
    }

    /** A new CA in {@code dir}, and a certificate for {@code serverNames} (DNS names) it signed. */
    public static TestCertificates issue(Path dir, String... serverNames) {
        Path ca = dir.resolve("ca.p12");
        Path caPem = dir.resolve("ca.pem");
        Path server = dir.resolve("server.p12");
        Path csr = dir.resolve("server.csr");
        Path serverPem = dir.resolve("server.pem");
        List<String> san = new ArrayList<>();
        for (String n : serverNames) {
            san.add("dns:" + n);
        }
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=Test CA " + dir.getFileName(),
                "-ext", "bc:c", "-validity", "2", "-keystore", ca.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool("-exportcert", "-alias", "ca", "-rfc", "-keystore", ca.toString(), "-storepass", PASSWORD,
                "-file", caPem.toString());
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=" + serverNames[0], "-validity", "2", "-keystore", server.toString(), "-storetype", "PKCS12",
                "-storepass", PASSWORD);
        keytool("-certreq", "-alias", "server", "-keystore", server.toString(), "-storepass", PASSWORD,
                "-file", csr.toString());
        keytool("-gencert", "-alias", "ca", "-keystore", ca.toString(), "-storepass", PASSWORD, "-infile", csr.toString(),
                "-outfile", serverPem.toString(), "-rfc", "-validity", "2", "-ext", "SAN=" + String.join(",", san),
                "-ext", "EKU=serverAuth");
        keytool("-importcert", "-alias", "ca", "-file", caPem.toString(), "-keystore", server.toString(),
                "-storepass", PASSWORD, "-noprompt");
        keytool("-importcert", "-alias", "server", "-file", serverPem.toString(), "-keystore", server.toString(),
                "-storepass", PASSWORD, "-noprompt");
        return new TestCertificates(dir, caPem, server);
    }

    /** The CA's certificate, PEM: what {@code proxy.trustedCaFile} names. */
    public Path caPem() {
        return caPem;
    }

    /** A TLS server context presenting the issued certificate (with the CA in its chain). */
    public SslContext serverContext() {
        try (InputStream in = Files.newInputStream(serverStore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD.toCharArray());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, PASSWORD.toCharArray());
            return SslContextBuilder.forServer(kmf).build();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the test server certificate from " + dir, e);
        }
    }

    private static void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool " + args[0] + " failed: " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run keytool", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
