package mmo.server.net;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import mmo.server.config.ServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The listener's certificate and key ({@code mmo.net.tls}) as a Netty {@link SslContext}, read
 * again when the files change: Let's Encrypt renews every 60 to 90 days, and a renewal must not
 * need a restart. {@link #context()} is what a new connection handshakes with; a connection
 * keeps the context it started with. {@link #reloadIfChanged()} (the housekeeping thread, every
 * {@code mmo.net.tls.check-interval}) loads a new one when either file's modification time, size
 * or link target changed; a pair that does not load (half written, a key that is not the
 * certificate's) is logged as an error and counted, the old context stays, and the next check
 * tries again.
 */
public final class TlsCertificates {
    private static final Logger log = LoggerFactory.getLogger(TlsCertificates.class);

    /** What a check did. */
    public enum Outcome { UNCHANGED, RELOADED, FAILED }

    /** What was loaded, and the files' state it was loaded from. */
    private record Loaded(SslContext context, X509Certificate leaf, Stamp stamp) {}

    /** A file's state, as cheap to read as a stat: a change means a renewal to load. */
    private record FileStamp(Path target, FileTime modified, long size) {
        static FileStamp of(Path file) throws IOException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class); // follows links
            // certbot's live/ names are links to archive/ files, replaced at each renewal
            return new FileStamp(file.toRealPath(), a.lastModifiedTime(), a.size());
        }
    }

    private record Stamp(FileStamp cert, FileStamp key) {}

    private final Path cert, key;
    private volatile Loaded current;
    private final AtomicLong reloads = new AtomicLong(), failures = new AtomicLong();

    private TlsCertificates(Path cert, Path key, Loaded first) {
        this.cert = cert;
        this.key = key;
        this.current = first;
    }

    /**
     * Loads the certificate and key of {@code mmo.net.tls}, or returns null when TLS is off. A
     * missing or unreadable file, or a pair that does not load, is an
     * {@link IllegalArgumentException} naming the files, so the server does not start
     * half-configured.
     */
    public static TlsCertificates load(ServerConfig.Tls tls) {
        if (!tls.enabled()) return null;
        Path cert = Path.of(tls.cert()), key = Path.of(tls.key());
        try {
            return new TlsCertificates(cert, key, read(cert, key));
        } catch (InvalidPair e) {
            throw new IllegalArgumentException(e.getMessage(), e.getCause());
        }
    }

    /** The context a new connection handshakes with. Any thread. */
    public SslContext context() {
        return current.context;
    }

    /**
     * Loads the files again if either changed since the last load. On failure the current
     * context stays and so does the state it was loaded from, so the next call tries again.
     * One check at a time; never throws.
     */
    public synchronized Outcome reloadIfChanged() {
        try {
            Stamp now = new Stamp(FileStamp.of(cert), FileStamp.of(key));
            if (now.equals(current.stamp)) return Outcome.UNCHANGED;
        } catch (IOException | RuntimeException e) {
            // mid-renewal a file can be missing for a moment: the next check looks again
            return failed("mmo.net.tls: cannot read " + cert + " or " + key + " (" + e + ")");
        }
        try {
            Loaded next = read(cert, key);
            current = next;
            reloads.incrementAndGet();
            log.info("TLS certificate reloaded from {}: {}, valid until {}; new connections use it",
                    cert, next.leaf.getSubjectX500Principal().getName(), next.leaf.getNotAfter().toInstant());
            return Outcome.RELOADED;
        } catch (InvalidPair e) {
            return failed(e.getMessage());
        } catch (RuntimeException e) { // a scheduled task that throws is never run again
            return failed("mmo.net.tls: cannot load " + cert + " and " + key + " (" + e + ")");
        }
    }

    private Outcome failed(String why) {
        failures.incrementAndGet();
        log.error("{}; still serving the certificate loaded before ({}, valid until {}); trying again at the next check",
                why, current.leaf.getSubjectX500Principal().getName(), current.leaf.getNotAfter().toInstant());
        return Outcome.FAILED;
    }

    /** Certificate pairs loaded after the first. */
    public long reloads() {
        return reloads.get();
    }

    /** Checks that found changed files that did not load. */
    public long failures() {
        return failures.get();
    }

    /** When the served certificate (the chain's first) expires. */
    public Instant expires() {
        return current.leaf.getNotAfter().toInstant();
    }

    /** A certificate and key that do not make a context, with the reason. */
    private static final class InvalidPair extends Exception {
        InvalidPair(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Reads both files once (what is checked is what is served), with their state taken before
     * the read: a file that changes during the read has a newer state than the one recorded, so
     * the next check loads it again.
     */
    private static Loaded read(Path cert, Path key) throws InvalidPair {
        Stamp stamp;
        byte[] certBytes, keyBytes;
        for (Path f : new Path[] {cert, key}) {
            if (!Files.isReadable(f)) throw new InvalidPair("mmo.net.tls: cannot read " + f + " (no such file, or not readable)", null);
        }
        try {
            stamp = new Stamp(FileStamp.of(cert), FileStamp.of(key));
            certBytes = Files.readAllBytes(cert);
            keyBytes = Files.readAllBytes(key);
        } catch (IOException e) {
            throw new InvalidPair("mmo.net.tls: cannot read " + cert + " or " + key + " (" + e + ")", e);
        }
        X509Certificate[] chain;
        PrivateKey privateKey;
        SslContext context;
        try {
            chain = Pem.certificates(certBytes);
            privateKey = Pem.privateKey(keyBytes);
            context = SslContextBuilder.forServer(privateKey, chain).sslProvider(SslProvider.JDK).build();
        } catch (Exception e) { // Netty's readers throw checked and unchecked exceptions of several kinds
            throw new InvalidPair("mmo.net.tls: certificate " + cert + " and key " + key
                    + " are not a PEM certificate chain and its PEM (PKCS#8) private key: " + e.getMessage(), e);
        }
        if (!belongTogether(privateKey, chain[0])) {
            // the JDK would take the pair and fail every handshake: a renewal half copied, or the wrong key
            throw new InvalidPair("mmo.net.tls: key " + key + " is not the private key of the certificate in " + cert
                    + " (" + chain[0].getSubjectX500Principal().getName() + ")", null);
        }
        return new Loaded(context, chain[0], stamp);
    }

    /**
     * Whether the key signs what the certificate's public key verifies. A key type this does
     * not know (none that Let's Encrypt issues) is let through: the handshake is its test.
     */
    static boolean belongTogether(PrivateKey key, X509Certificate cert) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) return true;
        try {
            byte[] probe = "mmo.net.tls key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // e.g. an RSA key with an EC certificate
        }
    }

    /** Netty's PEM readers (the ones {@code SslContextBuilder.forServer(File, File)} uses), which it keeps for subclasses. */
    private abstract static class Pem extends SslContext {
        static X509Certificate[] certificates(byte[] pem) throws GeneralSecurityException {
            return toX509Certificates(new ByteArrayInputStream(pem));
        }

        static PrivateKey privateKey(byte[] pem) throws GeneralSecurityException, IOException {
            return toPrivateKey(new ByteArrayInputStream(pem), null);
        }
    }
}
