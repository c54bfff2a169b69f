package ai.dalsi.gateway.proxy;

import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * All backend connections of one proxy, kept per event loop and backend so that a connection is
 * only ever used by the loop that owns it. Only the map of loops is shared between threads; each
 * loop's pools are touched by that loop alone.
 */
final class BackendPool {

    private final BackendConnector connector;
    private final ProxyConfig config;
    private final SslContext tls;
    private final ConcurrentHashMap<EventLoop, Map<BackendTarget, TargetPool>> loops = new ConcurrentHashMap<>();
    private volatile boolean closed;

    BackendPool(BackendConnector connector, ProxyConfig config, SslContext tls) {
        this.connector = connector;
        this.config = config;
        this.tls = tls;
    }

    /** The pool for {@code target} on {@code loop}; call on that loop. */
    TargetPool forTarget(EventLoop loop, BackendTarget target) {
        Map<BackendTarget, TargetPool> pools = loops.get(loop);
        if (pools == null) {
            pools = loops.computeIfAbsent(loop, l -> new HashMap<>());
        }
        TargetPool pool = pools.get(target);
        if (pool == null) {
            pool = new TargetPool(loop, target, connector, config, tls);
            pools.put(target, pool);
            if (closed) {
                pool.close();
            }
        }
        return pool;
    }

    boolean isClosed() {
        return closed;
    }

    /** Closes every loop's idle connections, each on its own loop. */
    void close() {
        closed = true;
        loops.forEach((loop, pools) -> {
            if (!loop.isShuttingDown()) {
                loop.execute(() -> pools.values().forEach(TargetPool::close));
            }
        });
    }
}
