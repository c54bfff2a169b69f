package ai.dalsi.metering.ledger;

import ai.dalsi.metering.TokenUsage;
import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.UuidV7;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link EventCodec#encode}, which the event loop runs for every request with a known key, for the
 * two events it sees most: a proxied answer and a 429 refusal (whose event carries its message);
 * and the refusal journaled as only counted ({@link EventCodec#encodeCounted}), and decoded by the
 * writer either way.
 * In the codec's package, as the codec is not public.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EventCodecBenchmark {

    private final EventCodec.Scratch scratch = new EventCodec.Scratch();
    private UsageEvent answered;
    private UsageEvent refused;
    private final EventCodec.DecodeBuffers buffers = new EventCodec.DecodeBuffers();
    private ByteBuffer wholeRecord;
    private ByteBuffer countedRecord;

    @Setup
    public void setUp() {
        Instant at = Instant.parse("2026-12-06T10:00:00.123Z");
        UUID user = UUID.fromString("0193a000-0000-7000-8000-000000000001");
        UUID key = UUID.fromString("0193a000-0000-7000-8000-000000000002");
        answered = UsageEvent.builder(UuidV7.at(at), user, key).endpoint("/v1/chat/completions").method("POST")
                .statusCode(200).responseTimeMs(12).requestSizeBytes(412).responseSizeBytes(1830)
                .clientIp("127.0.0.1").usage(new TokenUsage(57, 113, 0, false, 0, 0))
                .costUsd(new BigDecimal("0.00021300")).subscriptionTier("pro").userAgent("OpenAI/Python 1.54.3")
                .rateLimitRemaining(998).rateLimitReset(at.plusSeconds(60)).model("dalsi-chat-mini")
                .product("ai.chat").stream(true).backendLatencyMs(9).backend("http://127.0.0.1:18080")
                .attempts(1).build();
        refused = UsageEvent.builder(UuidV7.at(at), user, key).endpoint("/v1/chat/completions").method("POST")
                .statusCode(429).responseTimeMs(0).requestSizeBytes(412).responseSizeBytes(310)
                .clientIp("127.0.0.1").costUsd(new BigDecimal("0E-8")).subscriptionTier("pro")
                .userAgent("OpenAI/Python 1.54.3")
                .errorMessage("Rate limit reached for requests per min (RPM): limit 1000. Please try again in 1.2s.")
                .rateLimitRemaining(0).rateLimitReset(at.plusSeconds(60)).model("dalsi-chat-mini")
                .product("ai.chat").refused(true).build();
        EventCodec.Scratch s = new EventCodec.Scratch();
        wholeRecord = ByteBuffer.wrap(Arrays.copyOf(s.bytes(), EventCodec.encode(refused, 1_765_000_000_000L, s)));
        countedRecord = ByteBuffer.wrap(Arrays.copyOf(s.bytes(), EventCodec.encodeCounted(refused, 1_765_000_000_000L, s)));
    }

    @Benchmark
    public int encodeAnswered() {
        return EventCodec.encode(answered, 1_765_000_000_000L, scratch);
    }

    @Benchmark
    public int encodeRefused() {
        return EventCodec.encode(refused, 1_765_000_000_000L, scratch);
    }

    /** The same refusal journaled as only counted, as the edge journals all but a key's first few each minute. */
    @Benchmark
    public int encodeRefusedCounted() {
        return EventCodec.encodeCounted(refused, 1_765_000_000_000L, scratch);
    }

    /** The writer's side of {@link #encodeRefused}. */
    @Benchmark
    public EventCodec.Journaled decodeRefused() {
        return EventCodec.decode(wholeRecord, buffers);
    }

    /** The writer's side of {@link #encodeRefusedCounted}. */
    @Benchmark
    public EventCodec.Journaled decodeRefusedCounted() {
        return EventCodec.decode(countedRecord, buffers);
    }
}
