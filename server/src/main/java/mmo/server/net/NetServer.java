package mmo.server.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import mmo.server.config.ServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The network front: one port for HTTP (the browser client, the maps) and the game's
 * WebSocket at {@code /ws}, in TLS (https, wss) when {@code mmo.net.tls} names a certificate.
 * Uses the native epoll transport where available. Network threads decode and hand over; they
 * never change the world.
 */
public final class NetServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NetServer.class);
    public static final String WEBSOCKET_PATH = "/ws";

    private final ServerConfig config;
    private final GameContext game;
    private final StaticFiles files;
    private final TlsCertificates tls; // null: plain http and ws
    private EventLoopGroup boss, workers;
    private Class<? extends ServerChannel> channelType;
    private Channel serverChannel;

    /** @param tls the certificate to serve (renewals included), or null for plain http and ws */
    public NetServer(ServerConfig config, GameContext game, TlsCertificates tls) {
        this.config = config;
        this.game = game;
        this.tls = tls;
        // every world's map folder, for maps given as files
        java.util.List<java.nio.file.Path> mapDirs = new java.util.ArrayList<>();
        for (ServerConfig.WorldConfig w : config.worlds()) {
            java.nio.file.Path mapFile = java.nio.file.Path.of(w.map());
            if (!java.nio.file.Files.isRegularFile(mapFile)) continue;
            java.nio.file.Path dir = mapFile.toAbsolutePath().normalize().getParent();
            if (!mapDirs.contains(dir)) mapDirs.add(dir);
        }
        this.files = new StaticFiles(mapDirs);
    }

    /**
     * The transport to use for a setting of {@code auto}, {@code epoll}, {@code io_uring} or
     * {@code nio}: the one asked for if this machine has it, else the best it has (auto:
     * epoll, then nio), with a warning when the one asked for is missing.
     */
    static String chooseTransport(String wanted) {
        boolean epoll = Epoll.isAvailable();
        switch (wanted) {
            case "io_uring" -> {
                if (IoUring.isAvailable()) return "io_uring";
                log.warn("io_uring is not available here ({}); using {}", IoUring.unavailabilityCause(), epoll ? "epoll" : "nio");
            }
            case "epoll" -> {
                if (epoll) return "epoll";
                log.warn("epoll is not available here; using nio");
            }
            case "nio" -> {
                return "nio";
            }
            case "auto" -> { }
            default -> throw new IllegalArgumentException("mmo.net.transport must be auto, epoll, io_uring or nio, got " + wanted);
        }
        return epoll ? "epoll" : "nio";
    }

    /**
     * Binds and returns the port (useful with port 0). If it fails, {@link #close} still stops
     * the event loops it started.
     *
     * @throws BindFailed naming the setting when the address cannot be bound
     */
    public int start() throws InterruptedException {
        String transport = chooseTransport(config.transport());
        IoHandlerFactory io = switch (transport) {
            case "io_uring" -> IoUringIoHandler.newFactory();
            case "epoll" -> EpollIoHandler.newFactory();
            default -> NioIoHandler.newFactory();
        };
        channelType = switch (transport) {
            case "io_uring" -> IoUringServerSocketChannel.class;
            case "epoll" -> EpollServerSocketChannel.class;
            default -> NioServerSocketChannel.class;
        };
        boss = new MultiThreadIoEventLoopGroup(1, io);
        // One event loop per core by default (Netty's own default is two): the tick thread
        // needs a core's share too, and fewer loops mean fewer context switches per tick.
        int ioThreads = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
        workers = new MultiThreadIoEventLoopGroup(ioThreads, io);
        WebSocketServerProtocolConfig wsConfig = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(WEBSOCKET_PATH)
                .checkStartsWith(false)
                .handleCloseFrames(true)
                .dropPongFrames(true)
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(config.maxFrameBytes())
                        .allowExtensions(false)
                        .closeOnProtocolViolation(true)
                        .build())
                .build();
        StatsEndpoint stats = config.statsEndpoint() ? new StatsEndpoint(game.world(), game.sessions(), game.gateway()) : null;
        OriginCheck origins = new OriginCheck(config.netLimits().allowedOrigins());
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelType)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // past the high mark a connection is unwritable and FrameHandler closes it (slow client)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(
                        config.netLimits().maxPendingBytes() / 2, config.netLimits().maxPendingBytes()))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // TLS first: everything after it (HTTP, WebSocket, the game) sees plain
                        // bytes; a client that does not speak TLS fails the handshake and is closed.
                        // The context of the moment: a renewed certificate serves new connections.
                        if (tls != null) ch.pipeline().addLast(tls.context().newHandler(ch.alloc()));
                        ch.pipeline().addLast(
                                new IdleStateHandler(config.netLimits().idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS),
                                new HttpServerCodec(),
                                new HttpObjectAggregator(config.maxFrameBytes()),
                                origins,
                                new WebSocketServerProtocolHandler(wsConfig),
                                new WebSocketFrameAggregator(config.maxFrameBytes()),
                                new HttpHandler(files, stats),
                                new FrameHandler(game));
                    }
                });
        if (config.netLimits().socketSendBuffer() > 0) b.childOption(ChannelOption.SO_SNDBUF, config.netLimits().socketSendBuffer());
        try {
            serverChannel = b.bind(new InetSocketAddress(config.host(), config.port())).sync().channel();
        } catch (Exception e) { // Netty throws the socket's BindException undeclared
            if (e instanceof InterruptedException) throw (InterruptedException) e;
            throw new BindFailed("cannot open the game listener on " + config.host() + ":" + config.port() + " (" + e
                    + "): set another port with mmo.net.port / MMO_PORT / --port", e);
        }
        int port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        log.info("listening on {}:{} ({} transport, {})", config.host(), port, transport, tls != null ? "https and wss" : "http and ws");
        return port;
    }

    /**
     * A bootstrap on this server's event loops and transport, for another listener of the same
     * process (the management port); its channels close with these loops. After {@link #start}.
     */
    public ServerBootstrap sharedBootstrap() {
        if (workers == null) throw new IllegalStateException("not started");
        return new ServerBootstrap().group(boss, workers).channel(channelType);
    }

    /** Stops accepting new connections (existing ones stay until {@link #close}). */
    public void stopAccepting() {
        if (serverChannel != null) serverChannel.close().syncUninterruptibly();
    }

    @Override
    public void close() {
        stopAccepting();
        if (workers != null) workers.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        if (boss != null) boss.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
