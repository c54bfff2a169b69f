package ai.dalsi.gateway.serve;

import ai.dalsi.gateway.config.GatewayConfig;
import ai.dalsi.gateway.metrics.GatewayMetrics;
import ai.dalsi.metering.UsageEvent;
import ai.dalsi.metering.UsageSink;
import ai.dalsi.persistence.Database;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's metering: the sink the edge hands usage events to, and its drain on shutdown.
 *
 * <p>TEMPORARY: until the durable ledger of the metering module is merged, this counts events and
 * drops them. It exists only so the rest of the composition can be built and tested; it is
 * replaced by the ledger before this branch is merged.
 */
final class MeteringSink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MeteringSink.class);

    private final AtomicLong events = new AtomicLong();
    private volatile boolean accepting = true;
    private final UsageSink sink = new UsageSink() {
        @Override
        public CompletionStage<Void> accept(UsageEvent event) {
            events.incrementAndGet();
            return CompletableFuture.completedStage(null);
        }

        @Override
        public boolean accepting() {
            return accepting;
        }
    };

    static MeteringSink start(GatewayConfig config, Database database, Clock clock, GatewayMetrics metrics) {
        LOG.warn("metering: TEMPORARY sink, usage events are counted and dropped");
        return new MeteringSink();
    }

    UsageSink sink() {
        return sink;
    }

    String describe() {
        return "metering: TEMPORARY in-memory sink";
    }

    @Override
    public void close() {
        accepting = false;
        LOG.info("metering: {} event(s) dropped by the temporary sink", events.get());
    }
}
