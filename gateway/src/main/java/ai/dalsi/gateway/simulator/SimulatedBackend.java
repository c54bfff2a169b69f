package ai.dalsi.gateway.simulator;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * A simulated OpenAI-compatible model backend: an HTTP/1.1 server (keep-alive, Netty, its own
 * event loops) that answers like OpenAI's API with generated text, realistic {@code usage} and
 * configurable timing. It stands in for the real models in the gateway's integration tests, in
 * the {@code demo} command and as the load test's backend.
 *
 * <pre>{@code
 * try (SimulatedBackend backend = SimulatedBackend.start(SimulatorConfig.defaults())) {
 *     URI url = backend.baseUrl();   // http://127.0.0.1:PORT; the API is under /v1
 * }
 * }</pre>
 *
 * <h2>Endpoints</h2>
 * <ul>
 * <li>{@code POST /v1/chat/completions}: a {@code chat.completion}, or with {@code "stream": true}
 *     server-sent events: a role chunk, one {@code chat.completion.chunk} per content token, a chunk
 *     with the {@code finish_reason}, a usage chunk ({@code "choices":[]}) only when
 *     {@code stream_options.include_usage} is true, then {@code data: [DONE]}.
 *     {@code max_tokens} / {@code max_completion_tokens} cap the answer ({@code finish_reason:
 *     length}). {@code usage} is a real count: {@code prompt_tokens} counts the messages with the
 *     tokenizer of the model's family as OpenAI does (three tokens per message plus its role,
 *     content and name, three for the reply, 85 per image part; {@code TokenCounter}), and every
 *     token of the answer's text is one token of that tokenizer.</li>
 * <li>{@code POST /v1/completions}: a {@code text_completion}, streamed the same way (without the
 *     role chunk).</li>
 * <li>{@code POST /v1/images/generations}: {@code n} (1..10) image urls, or {@code b64_json} when
 *     {@code response_format} asks for it, with {@code usage} as OpenAI's image API reports it
 *     ({@code input_tokens}, {@code output_tokens}, {@code total_tokens}).</li>
 * <li>{@code POST /v1/embeddings}: one vector per {@code input} (a string, an array of strings, of
 *     token ids or of token arrays), {@code dimensions} numbers each (default 1536, at most 3072),
 *     as floats or, with {@code encoding_format: base64}, as base64 of little-endian float32;
 *     {@code usage} with {@code prompt_tokens} (about one per four characters, plus the token ids)
 *     and {@code total_tokens}.</li>
 * <li>{@code POST /v1/responses}: a {@code response} object with one output message and
 *     {@code usage} ({@code input_tokens}, {@code output_tokens}, with their details); with
 *     {@code "stream": true}, typed events ({@code response.created}, ...,
 *     {@code response.output_text.delta} per token, ..., {@code response.completed} with the usage,
 *     or {@code response.incomplete} when {@code max_output_tokens} cut it short), no {@code [DONE]}.</li>
 * <li>{@code GET /v1/models}, {@code GET /v1/models/{id}}: the configured models.</li>
 * <li>{@code GET /images/{name}.png}: the (one-pixel) picture behind every image url.</li>
 * </ul>
 * Any model name is accepted and echoed. Bad JSON or a missing required field gets 400, an unknown
 * path 404, a wrong method 405, all with OpenAI's error JSON. Errors (forced or injected) are sent
 * after the same delay a success would have had.
 *
 * <h2>Per-request overrides (request headers)</h2>
 * <ul>
 * <li>{@code x-sim-latency-ms}: delay before a whole answer or an image answer; also the time to
 *     first token of a stream unless {@code x-sim-ttft-ms} is given.</li>
 * <li>{@code x-sim-ttft-ms}: time to first token of a stream.</li>
 * <li>{@code x-sim-tokens-per-second}: stream pace; 0 = as fast as the connection takes it.</li>
 * <li>{@code x-sim-completion-tokens}: answer size in tokens (still capped by {@code max_tokens}).</li>
 * <li>{@code x-sim-status}: answer with this status (400..599) and OpenAI's error JSON for it,
 *     e.g. 429 {@code rate_limit_exceeded}, 500 {@code server_error}.</li>
 * <li>{@code x-sim-omit-usage: true}: no {@code usage} object (nor usage chunk), to exercise a
 *     proxy's estimate path.</li>
 * <li>{@code x-sim-abort-after-tokens: N}: a stream closes the connection after N content tokens,
 *     before its end (no finish chunk, no usage, no {@code [DONE]}); a non-stream request, or an
 *     image request, gets the connection closed after the delay without any answer.</li>
 * </ul>
 * A malformed override value gets 400 naming the header.
 *
 * <h2>Threads</h2>
 * Delays and the stream pace are timers on the connection's event loop, which never sleeps. A
 * stream pauses while the connection is not writable, and stops when the client goes away (counted
 * in {@link SimulatorStats#streamsCancelled()}).
 */
public final class SimulatedBackend implements AutoCloseable {

    private final SimulatorConfig config;
    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final SimulatorStats stats;
    private final int port;
    private final URI baseUrl;

    private SimulatedBackend(SimulatorConfig config, EventLoopGroup group, Channel serverChannel,
            SimulatorStats stats, boolean tls) {
        this.config = config;
        this.group = group;
        this.serverChannel = serverChannel;
        this.stats = stats;
        this.port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        String host = config.host();
        if (host.equals("0.0.0.0") || host.equals("::")) {
            host = "127.0.0.1";
        } else if (host.indexOf(':') >= 0) {
            host = "[" + host + "]";
        }
        this.baseUrl = URI.create((tls ? "https://" : "http://") + host + ":" + port);
    }

    /**
     * Binds and starts serving; returns once the port is bound.
     *
     * @throws IllegalStateException when the address cannot be bound
     */
    public static SimulatedBackend start(SimulatorConfig config) {
        return start(config, Clock.systemUTC(), null);
    }

    /**
     * Binds and starts serving HTTPS with this server context (its certificate and key); the base URL
     * is {@code https://...}.
     */
    public static SimulatedBackend startTls(SimulatorConfig config, io.netty.handler.ssl.SslContext tls) {
        return start(config, Clock.systemUTC(), java.util.Objects.requireNonNull(tls, "tls"));
    }

    static SimulatedBackend start(SimulatorConfig config, Clock clock) {
        return start(config, clock, null);
    }

    private static SimulatedBackend start(SimulatorConfig config, Clock clock, io.netty.handler.ssl.SslContext tls) {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(config.ioThreads(),
                new DefaultThreadFactory("sim-backend"), io);
        SimulatorStats stats = new SimulatorStats();
        Bodies bodies = new Bodies(config.models(), clock.millis() / 1000, System.nanoTime());
        ReplyPlanner planner = new ReplyPlanner(config, stats);
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(channelType)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new SimulatorInitializer(planner, bodies, stats, clock, tls))
                    .bind(config.host(), config.port())
                    .sync()
                    .channel();
            return new SimulatedBackend(config, group, channel, stats, tls != null);
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("simulated backend: cannot listen on " + config.host() + ":"
                    + config.port() + ": " + e.getMessage(), e);
        }
    }

    /** The bound port. */
    public int port() {
        return port;
    }

    /** Where it answers, e.g. {@code http://127.0.0.1:PORT}; OpenAI SDKs want this plus {@code /v1}. */
    public URI baseUrl() {
        return baseUrl;
    }

    public SimulatorConfig config() {
        return config;
    }

    /** Live counters: requests by path, open connections, cancelled streams, the last request. */
    public SimulatorStats stats() {
        return stats;
    }

    /** Stops listening and closes every connection; returns when the event loops have stopped. */
    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Override
    public String toString() {
        return "SimulatedBackend[" + baseUrl + ", " + config.summary() + "]";
    }
}
