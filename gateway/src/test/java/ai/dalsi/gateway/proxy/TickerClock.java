package ai.dalsi.gateway.proxy;

import io.netty.util.concurrent.Ticker;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that reads a (mock) ticker, so that circuit breakers move with the tests' fake time. */
final class TickerClock extends Clock {

    private final Ticker ticker;

    TickerClock(Ticker ticker) {
        this.ticker = ticker;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochSecond(1_000_000_000L).plusNanos(ticker.nanoTime());
    }
}
