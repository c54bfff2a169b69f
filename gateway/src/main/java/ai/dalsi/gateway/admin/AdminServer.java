package ai.dalsi.gateway.admin;

import ai.dalsi.gateway.config.AdminConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin port: its own Netty server (one event loop, NIO: it carries little traffic) bound to
 * {@code admin.host:admin.port}, a small worker pool for the admin work (JDBC, never on the event
 * loop) and, apart from it, the password threads ({@code admin.login.threads}) that run bcrypt for
 * HTTP Basic logins, so that password checks never hold up authenticated requests. Requests beyond
 * what the workers' queue holds get 503, and so do logins beyond the password threads' queue.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final int QUEUE = 256;
    /** Password checks that may wait for a password thread; the failed-login budgets keep it short. */
    static final int LOGIN_QUEUE = 32;

    private final AdminConfig config;
    private final AdminApi api;
    private EventLoopGroup group;
    private ThreadPoolExecutor workers;
    private ThreadPoolExecutor passwordThreads;
    private Channel channel;

    public AdminServer(AdminConfig config, AdminApi api) {
        this.config = config;
        this.api = api;
    }

    /**
     * Binds the port and starts serving.
     *
     * @throws IllegalStateException naming {@code admin.host:admin.port} when it cannot be bound
     */
    public AdminServer start() {
        workers = new ThreadPoolExecutor(config.workerThreads(), config.workerThreads(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE), new DefaultThreadFactory("admin-worker", true));
        passwordThreads = new ThreadPoolExecutor(config.login().threads(), config.login().threads(), 60,
                TimeUnit.SECONDS, new ArrayBlockingQueue<>(LOGIN_QUEUE), new DefaultThreadFactory("admin-login", true));
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("admin-loop", true),
                NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new AdminServerInitializer(api.dispatcher(workers, passwordThreads, group.next()),
                        config.maxRequestBytes()));
        try {
            channel = b.bind(config.host(), config.port()).syncUninterruptibly().channel();
        } catch (Exception e) { // Netty rethrows the bind's BindException (checked) as is
            close();
            throw new IllegalStateException("admin.port: cannot listen on " + config.host() + ":" + config.port()
                    + " (" + e.getMessage() + ")", e);
        }
        LOG.info("admin API, /metrics and /health listening on {}:{}", config.host(), port());
        return this;
    }

    /** The bound port (useful when configured as 0). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Stops accepting, lets running admin requests finish (a few seconds at most), and frees the threads. */
    @Override
    public void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        for (ThreadPoolExecutor pool : new ThreadPoolExecutor[] {passwordThreads, workers}) {
            if (pool != null) {
                pool.shutdown();
                try {
                    pool.awaitTermination(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
