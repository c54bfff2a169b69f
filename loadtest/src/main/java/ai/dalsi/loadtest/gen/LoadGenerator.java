package ai.dalsi.loadtest.gen;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The load generator: a Netty HTTP/1.1 client over a fixed number of keep-alive connections
 * (epoll when available), paced open-loop at a constant arrival rate or closed-loop as fast as
 * answers come.
 *
 * <p>Open loop: request {@code i} has the intended send time {@code start + i / rate}. It goes to
 * an idle connection of its event loop at that time, or waits in that loop's queue until one is
 * free; its latency counts from the intended time, so a stalled server shows up in every request
 * that had to wait (the correction for coordinated omission). Closed loop: each connection sends
 * the next request when the previous one was answered, and the intended time is the send time.
 *
 * <p>Threads: connections are spread over the event loops; each loop owns its connections, its
 * queue and its counters ({@link Lane}), so the hot path takes no lock. Histograms go to
 * HdrHistogram {@link Recorder}s, which a collector thread drains once a second for the progress
 * line and once at the end for the result.
 */
public final class LoadGenerator {

    private final LoadSpec spec;
    private final Consumer<LiveStats> progress;
    private final Recorder latencyRecorder = new Recorder(3);
    private final Recorder serviceRecorder = new Recorder(3);
    private final Recorder ttfbRecorder = new Recorder(3);
    private final LongAdder liveCompleted = new LongAdder();
    private final LongAdder liveNon2xx = new LongAdder();
    private final LongAdder liveFailed = new LongAdder();
    private final Histogram latency = new Histogram(3);
    private final Histogram serviceTime = new Histogram(3);
    private final Histogram ttfb = new Histogram(3);
    private final byte[] hostHeader;
    private volatile long startNanos;

    private LoadGenerator(LoadSpec spec, Consumer<LiveStats> progress) {
        this.spec = spec;
        this.progress = progress;
        this.hostHeader = (spec.host() + ":" + spec.port()).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Runs the spec to its end (duration or request count, then at most the drain timeout) and
     * returns what it measured.
     *
     * @param progress called about once a second with the numbers so far (on a collector thread)
     * @throws java.io.IOException when the target cannot be connected to at all
     */
    public static RunResult run(LoadSpec spec, Consumer<LiveStats> progress) throws java.io.IOException, InterruptedException {
        return new LoadGenerator(spec, progress).execute();
    }

    /** {@link #run(LoadSpec, Consumer)} without progress reports. */
    public static RunResult run(LoadSpec spec) throws java.io.IOException, InterruptedException {
        return run(spec, s -> { });
    }

    private RunResult execute() throws java.io.IOException, InterruptedException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends SocketChannel> channelType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(spec.ioThreads(),
                new DefaultThreadFactory("loadgen", true), factory);
        ScheduledExecutorService collector = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "loadgen-progress");
            t.setDaemon(true);
            return t;
        });
        try {
            Bootstrap bootstrap = new Bootstrap()
                    .channel(channelType)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.SO_KEEPALIVE, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) spec.connectTimeout().toMillis());
            List<Lane> lanes = new ArrayList<>();
            for (int i = 0; i < spec.ioThreads(); i++) {
                lanes.add(new Lane(i, (EventLoop) group.next(), bootstrap));
            }
            for (int c = 0; c < spec.connections(); c++) {
                lanes.get(c % lanes.size()).plannedConnections++;
            }
            List<ChannelFuture> connects = new ArrayList<>();
            for (Lane lane : lanes) {
                connects.addAll(lane.connectAll());
            }
            for (ChannelFuture f : connects) {
                if (!f.await(spec.connectTimeout().toMillis() + 1000)) {
                    throw new java.io.IOException("cannot connect to " + spec.baseUrl() + ": timed out");
                }
                if (!f.isSuccess()) {
                    throw new java.io.IOException("cannot connect to " + spec.baseUrl() + ": " + f.cause().getMessage(), f.cause());
                }
            }
            startNanos = System.nanoTime();
            collector.scheduleAtFixedRate(this::report, 1, 1, TimeUnit.SECONDS);
            for (Lane lane : lanes) {
                lane.loop.execute(lane::begin);
            }
            long waitMillis = spec.duration().toMillis() + spec.drainTimeout().toMillis() + 10_000;
            CompletableFuture<Void> all = CompletableFuture.allOf(lanes.stream().map(l -> l.done).toArray(CompletableFuture[]::new));
            try {
                all.get(waitMillis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException("the run did not end within " + waitMillis + " ms", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("the run failed: " + e.getCause(), e.getCause());
            }
            collector.shutdownNow();
            collector.awaitTermination(5, TimeUnit.SECONDS);
            synchronized (this) {
                drainRecorders();
            }
            return merge(lanes);
        } finally {
            collector.shutdownNow();
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    private Histogram latencyScratch;
    private Histogram serviceScratch;
    private Histogram ttfbScratch;

    private synchronized void report() {
        long before = latency.getTotalCount();
        drainRecorders();
        long elapsed = System.nanoTime() - startNanos;
        long p99 = latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(99.0);
        progress.accept(new LiveStats(Duration.ofNanos(elapsed), liveCompleted.sum(),
                latency.getTotalCount() - before, liveNon2xx.sum(), liveFailed.sum(), p99));
    }

    private void drainRecorders() {
        // Each recorder only takes back the histogram it handed out.
        latencyScratch = latencyRecorder.getIntervalHistogram(latencyScratch);
        latency.add(latencyScratch);
        serviceScratch = serviceRecorder.getIntervalHistogram(serviceScratch);
        serviceTime.add(serviceScratch);
        ttfbScratch = ttfbRecorder.getIntervalHistogram(ttfbScratch);
        ttfb.add(ttfbScratch);
    }

    private RunResult merge(List<Lane> lanes) {
        long[] status = new long[600];
        long[][] perKey = new long[spec.keys().size()][StatusClass.values().length];
        long sent = 0;
        long completed = 0;
        long failed = 0;
        long unfinished = 0;
        long incomplete = 0;
        long lastAnswer = startNanos;
        long firstIntended = Long.MAX_VALUE;
        long lastIntended = Long.MIN_VALUE;
        long waited = 0;
        Map<RequestKind, Histogram> byKind = new EnumMap<>(RequestKind.class);
        for (Lane l : lanes) {
            for (RequestKind k : RequestKind.values()) {
                if (l.latencyByKind[k.ordinal()].getTotalCount() > 0) {
                    byKind.computeIfAbsent(k, x -> new Histogram(3)).add(l.latencyByKind[k.ordinal()]);
                }
            }
            waited = waited < 0 || l.runQueueWaitNanos < 0 ? -1 : waited + l.runQueueWaitNanos;
            for (int i = 0; i < status.length; i++) {
                status[i] += l.statusCounts[i];
            }
            for (int k = 0; k < perKey.length; k++) {
                for (int c = 0; c < perKey[k].length; c++) {
                    perKey[k][c] += l.perKey[k][c];
                }
            }
            sent += l.sent;
            completed += l.completed;
            failed += l.failed;
            unfinished += l.unfinished;
            incomplete += l.incompleteStreams;
            lastAnswer = Math.max(lastAnswer, l.lastAnswerNanos);
            if (l.sent > 0) {
                firstIntended = Math.min(firstIntended, l.firstIntendedNanos);
                lastIntended = Math.max(lastIntended, l.lastIntendedNanos);
            }
        }
        long span = firstIntended == Long.MAX_VALUE ? 0 : lastIntended - firstIntended;
        return new RunResult(spec, Duration.ofNanos(lastAnswer - startNanos), sent, completed, failed, unfinished,
                incomplete, latency, serviceTime, ttfb, status, perKey, span, waited, byKind);
    }

    /** A request issued but not yet answered: its intended send time, kind and key. */
    private record Pending(long intendedNanos, RequestKind kind, int key) {
    }

    /**
     * The connections, queue and counters of one event loop. Every method runs on {@link #loop}.
     */
    private final class Lane {
        final int index;
        final EventLoop loop;
        final Bootstrap bootstrap;
        final SplittableRandom random;
        final ArrayDeque<Conn> idle = new ArrayDeque<>();
        final ArrayDeque<Pending> queue = new ArrayDeque<>();
        final List<Conn> connections = new ArrayList<>();
        final long[] statusCounts = new long[600];
        final long[][] perKey;
        final byte[][][] requestBytes = new byte[RequestKind.values().length][][];
        final CompletableFuture<Void> done = new CompletableFuture<>();
        int plannedConnections;
        long nextSequence;
        boolean generating = true;
        boolean finished;
        int inFlight;
        long sent;
        long completed;
        long failed;
        long unfinished;
        long incompleteStreams;
        long lastAnswerNanos;
        /** Latency from the intended send time by {@link RequestKind} ordinal, in microseconds. */
        final Histogram[] latencyByKind = new Histogram[RequestKind.values().length];
        /** This loop thread's run-queue wait when the run began, then its wait during the run; -1 unknown. */
        long runQueueWaitNanos = -1;
        long firstIntendedNanos;
        long lastIntendedNanos;
        long issued;
        long limit;

        Lane(int index, EventLoop loop, Bootstrap bootstrap) {
            this.index = index;
            this.loop = loop;
            this.bootstrap = bootstrap.clone(loop);
            this.random = new SplittableRandom(spec.seed() * 31 + index);
            this.perKey = new long[spec.keys().size()][StatusClass.values().length];
            this.nextSequence = index;
            for (int k = 0; k < latencyByKind.length; k++) {
                latencyByKind[k] = new Histogram(3);
            }
        }

        List<ChannelFuture> connectAll() {
            List<ChannelFuture> out = new ArrayList<>();
            for (int i = 0; i < plannedConnections; i++) {
                out.add(connect());
            }
            return out;
        }

        ChannelFuture connect() {
            Conn conn = new Conn(this);
            ChannelFuture f = bootstrap.clone(loop).handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast("decoder", new HttpResponseDecoder());
                    ch.pipeline().addLast("conn", conn);
                }
            }).connect(spec.host(), spec.port());
            conn.channel = f.channel();
            connections.add(conn);
            return f;
        }

        void begin() {
            runQueueWaitNanos = RunQueueWait.ofCurrentThread();
            int lanes = spec.ioThreads();
            long total = spec.maxRequests();
            limit = total == 0 ? Long.MAX_VALUE : total / lanes + (index < total % lanes ? 1 : 0);
            loop.schedule(this::stopGenerating, spec.duration().toNanos() - (System.nanoTime() - startNanos),
                    TimeUnit.NANOSECONDS);
            loop.schedule(this::drainTimedOut,
                    spec.duration().toNanos() + spec.drainTimeout().toNanos() - (System.nanoTime() - startNanos),
                    TimeUnit.NANOSECONDS);
            for (Conn c : connections) {
                if (c.channel.isActive()) {
                    idle.add(c);
                }
            }
            if (spec.mode() == LoadSpec.Mode.OPEN) {
                tick();
            } else {
                Conn c;
                while (generating && (c = idle.poll()) != null) {
                    issueClosed(c);
                }
            }
            checkFinished();
        }

        long intendedOf(long sequence) {
            return startNanos + (long) (sequence * 1e9 / spec.rate());
        }

        /** Open loop: issues every request whose intended time has come, then sleeps until the next one. */
        void tick() {
            if (!generating) {
                return;
            }
            long now = System.nanoTime();
            long end = startNanos + spec.duration().toNanos();
            while (generating) {
                long intended = intendedOf(nextSequence);
                if (intended >= end || issued >= limit) {
                    stopGenerating();
                    return;
                }
                if (intended > now) {
                    loop.schedule(this::tick, intended - now, TimeUnit.NANOSECONDS);
                    return;
                }
                nextSequence += spec.ioThreads();
                issued++;
                Pending p = new Pending(intended, spec.mix().pick(random), spec.keys().pick(random));
                Conn c = idle.poll();
                if (c != null) {
                    c.send(p);
                } else {
                    queue.add(p);
                }
            }
        }

        /** Closed loop: the connection sends its next request now, if the run goes on. */
        void issueClosed(Conn c) {
            if (!generating || issued >= limit) {
                stopGenerating();
                idle.add(c);
                return;
            }
            issued++;
            c.send(new Pending(System.nanoTime(), spec.mix().pick(random), spec.keys().pick(random)));
        }

        void stopGenerating() {
            generating = false;
            checkFinished();
        }

        void drainTimedOut() {
            if (!finished) {
                unfinished += queue.size() + inFlight;
                queue.clear();
                finish();
            }
        }

        void checkFinished() {
            if (!generating && !finished && inFlight == 0 && queue.isEmpty()) {
                finish();
            }
        }

        void finish() {
            finished = true;
            long waited = RunQueueWait.ofCurrentThread();
            runQueueWaitNanos = runQueueWaitNanos < 0 || waited < 0 ? -1 : waited - runQueueWaitNanos;
            for (Conn c : List.copyOf(connections)) {
                c.channel.close();
            }
            done.complete(null);
        }

        byte[] bytesOf(RequestKind kind, int key) {
            byte[][] byKey = requestBytes[kind.ordinal()];
            if (byKey == null) {
                byKey = new byte[spec.keys().size()][];
                requestBytes[kind.ordinal()] = byKey;
            }
            byte[] b = byKey[key];
            if (b == null) {
                b = encode(kind, spec.keys().key(key));
                byKey[key] = b;
            }
            return b;
        }

        void onSent(Pending p) {
            if (sent == 0) {
                firstIntendedNanos = p.intendedNanos;
            }
            lastIntendedNanos = p.intendedNanos;
            sent++;
            inFlight++;
        }

        void onAnswer(Conn c, Pending p, int status, long sentNanos, long firstByteNanos, boolean streamComplete,
                boolean keepAlive) {
            long now = System.nanoTime();
            inFlight--;
            if (finished) {
                return;
            }
            completed++;
            lastAnswerNanos = now;
            statusCounts[status < 600 ? status : 0]++;
            perKey[p.key][StatusClass.of(status).ordinal()]++;
            long latencyMicros = Math.max(0, (now - p.intendedNanos) / 1000);
            latencyRecorder.recordValue(latencyMicros);
            latencyByKind[p.kind.ordinal()].recordValue(latencyMicros);
            serviceRecorder.recordValue(Math.max(0, (now - sentNanos) / 1000));
            if (p.kind.streaming() && firstByteNanos != 0) {
                ttfbRecorder.recordValue(Math.max(0, (firstByteNanos - p.intendedNanos) / 1000));
            }
            boolean ok = status >= 200 && status < 300;
            if (p.kind.streaming() && ok && !streamComplete) {
                incompleteStreams++;
            }
            liveCompleted.increment();
            if (!ok) {
                liveNon2xx.increment();
            }
            if (keepAlive) {
                next(c);
            } else {
                c.retire();
            }
            checkFinished();
        }

        void onFailure(Pending p) {
            inFlight--;
            if (finished) {
                return;
            }
            failed++;
            statusCounts[0]++;
            perKey[p.key][StatusClass.OTHER.ordinal()]++;
            liveFailed.increment();
            checkFinished();
        }

        /** The connection is free: give it the next queued request (open) or a new one (closed). */
        void next(Conn c) {
            if (spec.mode() == LoadSpec.Mode.OPEN) {
                Pending p = queue.poll();
                if (p != null) {
                    c.send(p);
                } else {
                    idle.add(c);
                }
            } else {
                issueClosed(c);
            }
        }

        /** A connection went away: replace it while there is work to do, so the connection count holds. */
        void lost(Conn c) {
            idle.remove(c);
            connections.remove(c);
            if (finished || (!generating && queue.isEmpty())) {
                return;
            }
            ChannelFuture f = connect();
            Conn fresh = connections.get(connections.size() - 1);
            f.addListener(done -> {
                if (done.isSuccess()) {
                    next(fresh);
                    checkFinished();
                } else if (!finished) {
                    connections.remove(fresh);
                    // The target refuses connections: retry a little later rather than spinning.
                    loop.schedule(() -> lost(fresh), 10, TimeUnit.MILLISECONDS);
                }
            });
        }
    }

    private byte[] encode(RequestKind kind, String key) {
        String body = kind.body(spec.textModel(), spec.imageModel());
        byte[] bodyBytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(256)
                .append(kind.method()).append(' ').append(spec.pathPrefix()).append(kind.path()).append(" HTTP/1.1\r\n")
                .append("host: ").append(new String(hostHeader, StandardCharsets.US_ASCII)).append("\r\n")
                .append("authorization: Bearer ").append(key).append("\r\n")
                .append("user-agent: dalsi-loadtest\r\n")
                .append("accept: ").append(kind.streaming() ? "text/event-stream" : "application/json").append("\r\n");
        if (body != null) {
            head.append("content-type: application/json\r\n").append("content-length: ").append(bodyBytes.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[headBytes.length + bodyBytes.length];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        System.arraycopy(bodyBytes, 0, all, headBytes.length, bodyBytes.length);
        return all;
    }

    /** One keep-alive connection: sends one request at a time and reads its response to the end. */
    private final class Conn extends ChannelInboundHandlerAdapter {
        final Lane lane;
        final SseScanner sse = new SseScanner();
        Channel channel;
        Pending current;
        long sentNanos;
        long firstByteNanos;
        int status;
        boolean keepAlive;

        Conn(Lane lane) {
            this.lane = lane;
        }

        void send(Pending p) {
            current = p;
            status = 0;
            firstByteNanos = 0;
            sse.reset();
            lane.onSent(p);
            sentNanos = System.nanoTime();
            // A heap buffer wrapping the shared bytes: no copy here, nothing to leak.
            channel.writeAndFlush(Unpooled.wrappedBuffer(lane.bytesOf(p.kind, p.key))).addListener(f -> {
                if (!f.isSuccess()) {
                    fail();
                    channel.close();
                }
            });
        }

        void fail() {
            Pending p = current;
            if (p != null) {
                current = null;
                lane.onFailure(p);
            }
        }

        void retire() {
            channel.close();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (current == null || !(msg instanceof HttpObject http)) {
                    return;
                }
                if (http.decoderResult().isFailure()) {
                    fail();
                    ctx.close();
                    return;
                }
                if (msg instanceof HttpResponse response) {
                    status = response.status().code();
                    keepAlive = HttpUtil.isKeepAlive(response);
                }
                if (msg instanceof HttpContent content) {
                    if (content.content().isReadable()) {
                        if (firstByteNanos == 0) {
                            firstByteNanos = System.nanoTime();
                        }
                        if (current.kind.streaming()) {
                            sse.feed(content.content());
                        }
                    }
                    if (msg instanceof LastHttpContent) {
                        Pending p = current;
                        current = null;
                        lane.onAnswer(this, p, status, sentNanos, firstByteNanos, sse.done(), keepAlive);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            fail();
            lane.lost(this);
            lane.checkFinished();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
