package mmo.app;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * {@code --trust-cert}: the commands' HTTPS requests (the map, {@code /stats}) to a server with a
 * self-signed certificate. The game's WebSocket trusts the same file through the client library.
 */
final class TrustedCertificates {
    private TrustedCertificates() {}

    /** An SSL context trusting only the certificates (or CA) in a PEM file. */
    static SSLContext sslContext(Path pem) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int i = 0;
        try (InputStream in = Files.newInputStream(pem)) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("cert" + i++, c);
            }
        }
        if (i == 0) throw new GeneralSecurityException("no certificate in " + pem);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }
}
