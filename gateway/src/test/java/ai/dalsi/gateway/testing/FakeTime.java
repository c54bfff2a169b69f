package ai.dalsi.gateway.testing;

import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One fake time for everything the edge times: a {@link Clock} (request ids, expiry), a Bucket4j
 * {@link TimeMeter} (rate limits) and a Caffeine {@link Ticker} (caches). Tests move it with
 * {@link #advance}; it never moves by itself.
 */
public final class FakeTime extends Clock implements TimeMeter, Ticker {

    private final long startEpochNanos;
    private final AtomicLong elapsed = new AtomicLong();

    public FakeTime(Instant start) {
        this.startEpochNanos = start.getEpochSecond() * 1_000_000_000L + start.getNano();
    }

    /** Starting now, truncated to the second. */
    public static FakeTime startingNow() {
        return new FakeTime(Instant.ofEpochSecond(Instant.now().getEpochSecond()));
    }

    public void advance(Duration d) {
        elapsed.addAndGet(d.toNanos());
    }

    @Override
    public long currentTimeNanos() {
        return elapsed.get();
    }

    @Override
    public boolean isWallClockBased() {
        return false;
    }

    @Override
    public long read() {
        return elapsed.get();
    }

    @Override
    public Instant instant() {
        long n = startEpochNanos + elapsed.get();
        return Instant.ofEpochSecond(Math.floorDiv(n, 1_000_000_000L), Math.floorMod(n, 1_000_000_000L));
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
