package mmo.client;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.util.Objects;
import mmo.protocol.Constants;

/**
 * How {@link MmoClient#connect} connects: event loop, identification, listener, timeouts, TLS.
 *
 * <p>Immutable; any thread. Build with {@link #builder()}.
 */
public final class ClientOptions {
    /** The client name sent in {@code Hello} unless another is set. */
    public static final String DEFAULT_CLIENT_NAME = "java-client/0.1";

    private final EventLoopGroup eventLoopGroup;
    private final Class<? extends SocketChannel> channelType;
    private final String clientName;
    private final int protocolVersion;
    private final ClientListener listener;
    private final Duration connectTimeout;
    private final SslContext sslContext;
    private final boolean trackWorld;

    private ClientOptions(Builder b) {
        eventLoopGroup = b.eventLoopGroup;
        channelType = b.channelType;
        clientName = b.clientName;
        protocolVersion = b.protocolVersion;
        listener = b.listener;
        connectTimeout = b.connectTimeout;
        sslContext = b.sslContext;
        trackWorld = b.trackWorld;
    }

    /** @return options with every default: own event loop, default name, current protocol */
    public static ClientOptions defaults() {
        return builder().build();
    }

    /** @return a builder holding the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding these options */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.eventLoopGroup = eventLoopGroup;
        b.channelType = channelType;
        b.clientName = clientName;
        b.protocolVersion = protocolVersion;
        b.listener = listener;
        b.connectTimeout = connectTimeout;
        b.sslContext = sslContext;
        b.trackWorld = trackWorld;
        return b;
    }

    /** @return the shared event loop group, or {@code null} if the client creates and owns one */
    public EventLoopGroup eventLoopGroup() {
        return eventLoopGroup;
    }

    /** @return the socket channel class, matching the event loop group's transport */
    public Class<? extends SocketChannel> channelType() {
        return channelType;
    }

    /** @return the name sent in {@code Hello} */
    public String clientName() {
        return clientName;
    }

    /** @return the protocol version sent in {@code Hello} */
    public int protocolVersion() {
        return protocolVersion;
    }

    /** @return the listener receiving server messages */
    public ClientListener listener() {
        return listener;
    }

    /** @return the longest wait from connecting until {@code Welcome} */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** @return the TLS context for {@code wss} URIs, or {@code null} for the JDK's default trust */
    public SslContext sslContext() {
        return sslContext;
    }

    /** @return whether world updates are decoded in full into the {@link WorldView} (the default) */
    public boolean trackWorld() {
        return trackWorld;
    }

    /** Builds {@link ClientOptions}. Not thread-safe: use from one thread. */
    public static final class Builder {
        private EventLoopGroup eventLoopGroup;
        private Class<? extends SocketChannel> channelType = NioSocketChannel.class;
        private String clientName = DEFAULT_CLIENT_NAME;
        private int protocolVersion = Constants.PROTOCOL_VERSION_VALUE;
        private ClientListener listener = ClientListener.NONE;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private SslContext sslContext;
        private boolean trackWorld = true;

        private Builder() {
        }

        /**
         * Runs the client on a shared event loop group, which the client never shuts down. Share
         * one group of one or two threads among many clients (e.g. bots): each client then costs
         * a socket and some memory, not a thread. Without this, every client creates and owns a
         * one-thread group, shut down when the client closes.
         *
         * @param group a group whose transport matches {@link #channelType}; {@code null} for an owned one
         * @return this builder
         */
        public Builder eventLoopGroup(EventLoopGroup group) {
            this.eventLoopGroup = group;
            return this;
        }

        /**
         * Sets the socket channel class; needed only when the shared group is not NIO (e.g. an
         * epoll group needs {@code EpollSocketChannel}).
         *
         * @param type the channel class; default {@link NioSocketChannel}
         * @return this builder
         */
        public Builder channelType(Class<? extends SocketChannel> type) {
            this.channelType = Objects.requireNonNull(type, "type");
            return this;
        }

        /**
         * @param name free text sent in {@code Hello}, e.g. "bot"
         * @return this builder
         */
        public Builder clientName(String name) {
            this.clientName = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Overrides the protocol version sent in {@code Hello}; only useful to test how a server
         * treats an incompatible client.
         *
         * @param version the version to claim
         * @return this builder
         */
        public Builder protocolVersion(int version) {
            this.protocolVersion = version;
            return this;
        }

        /**
         * @param listener receives server messages on the event-loop thread
         * @return this builder
         */
        public Builder listener(ClientListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * @param timeout the longest wait from connecting until {@code Welcome}; default 10 s
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("connect timeout must be positive: " + timeout);
            }
            this.connectTimeout = timeout;
            return this;
        }

        /**
         * @param context TLS context for {@code wss} URIs (e.g. trusting a test certificate);
         *                {@code null} for the JDK's default trust. Host names are verified
         *                either way.
         * @return this builder
         */
        public Builder sslContext(SslContext context) {
            this.sslContext = context;
            return this;
        }

        /**
         * Trusts the certificates in a PEM file, and only those, for {@code wss} URIs: a
         * self-signed server certificate, or the private CA that signed it. Host names are still
         * verified (the certificate must name the host connected to). The default, without this
         * or {@link #sslContext}, is the JDK's trust store (public CAs such as Let's Encrypt).
         *
         * @param pemFile one or more PEM certificates ({@code -----BEGIN CERTIFICATE-----})
         * @return this builder
         * @throws IllegalArgumentException if the file cannot be read or holds no certificate
         */
        public Builder trustCertificates(java.nio.file.Path pemFile) {
            Objects.requireNonNull(pemFile, "pemFile");
            try {
                this.sslContext = io.netty.handler.ssl.SslContextBuilder.forClient()
                        .trustManager(pemFile.toFile())
                        .endpointIdentificationAlgorithm("HTTPS")
                        .build();
            } catch (javax.net.ssl.SSLException | RuntimeException e) {
                throw new IllegalArgumentException("cannot trust the certificates in " + pemFile + ": " + e.getMessage(), e);
            }
            return this;
        }

        /**
         * Full or lean mode. Full (the default) decodes every world update into messages and keeps
         * the whole {@link WorldView}. Lean ({@code false}), for load bots, reads from each world
         * update only the tick, the acknowledged input, the own position, the time dilation and
         * which entity ids enter and leave, into the client's {@link LeanView}, and reports it to
         * {@link ClientListener#onLeanUpdate}; {@link ClientListener#onWorldUpdate} is then not
         * called, and the {@link WorldView} holds only the own state (tick, ack, position), no
         * entities. Every other message is decoded as in full mode.
         *
         * @param track {@code false} for the lean mode
         * @return this builder
         */
        public Builder trackWorld(boolean track) {
            this.trackWorld = track;
            return this;
        }

        /** @return the options */
        public ClientOptions build() {
            return new ClientOptions(this);
        }
    }
}
