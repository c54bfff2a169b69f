package ai.dalsi.loadtest.jmh;

import ai.dalsi.gateway.ratelimit.AdmissionDecision;
import ai.dalsi.gateway.ratelimit.AdmissionRequest;
import ai.dalsi.gateway.ratelimit.KeyRateLimiter;
import ai.dalsi.gateway.ratelimit.MonthlyBudgets;
import ai.dalsi.gateway.ratelimit.MonthlySpendSource;
import ai.dalsi.gateway.ratelimit.RateLimits;
import ai.dalsi.gateway.ratelimit.TokenLimits;
import ai.dalsi.gateway.ratelimit.WorstCase;
import ai.dalsi.metering.Pricing;
import ai.dalsi.metering.tokens.Prompt;
import ai.dalsi.metering.tokens.PromptReader;
import ai.dalsi.metering.tokens.TokenCounter;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.TimeMeter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
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
 * What token limits and budgets add to a request, with the limiter's and the counter's own classes:
 * counting a short chat prompt with the tokenizer, the worst case, and one admission (request
 * buckets, both token windows, the key's and the user's budgets) followed by its settlement,
 * against admission with request limits only. 1,024 keys of 64 users in rotation, limits and
 * budgets no run can exhaust, every month's spend already read from the (empty) ledger.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AdmissionBenchmark {

    private static final int KEYS = 1024;
    private static final byte[] CHAT = ("{\"model\":\"gpt-4o-mini\",\"stream\":true,\"max_tokens\":256,\"messages\":["
            + "{\"role\":\"system\",\"content\":\"You are a helpful assistant.\"},"
            + "{\"role\":\"user\",\"content\":\"Summarise the plot of Hamlet in three sentences, please.\"}]}")
            .getBytes(StandardCharsets.UTF_8);
    private static final Pricing PRICING = Pricing.of("{\"input_per_1k\": \"0.00015\", \"output_per_1k\": \"0.0006\"}",
            BigDecimal.ZERO, BigDecimal.ZERO);
    private static final RateLimits REQUESTS = new RateLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
    private static final TokenLimits TOKENS = new TokenLimits(Long.MAX_VALUE / 4, Long.MAX_VALUE / 4);
    private static final MonthlyBudgets BUDGETS = new MonthlyBudgets(new BigDecimal("1000000000"),
            new BigDecimal("1000000000"));

    private final TokenCounter counter = TokenCounter.byModelFamily().preload(List.of("gpt-4o-mini"));
    private final UUID[] keys = new UUID[KEYS];
    private final UUID[] users = new UUID[KEYS];
    private final BigDecimal settledCost = new BigDecimal("0.00012345");
    private WorstCase worstCase;
    private KeyRateLimiter limiter;
    private int next;

    @Setup
    public void setup() {
        for (int i = 0; i < KEYS; i++) {
            keys[i] = UUID.randomUUID();
            users[i] = i < 64 ? UUID.randomUUID() : users[i % 64];
        }
        worstCase = worstCase();
        limiter = KeyRateLimiter.local(TimeMeter.SYSTEM_NANOTIME, Ticker.systemTicker(), Clock.systemUTC(), 100_000,
                MonthlySpendSource.NONE, Runnable::run);
        for (int i = 0; i < KEYS; i++) {
            admitAndSettle(i);
        }
    }

    private int nextIndex() {
        int i = next;
        next = (i + 1) & (KEYS - 1);
        return i;
    }

    private Object admitAndSettle(int i) {
        AdmissionDecision d = limiter.admit(new AdmissionRequest(keys[i], users[i], REQUESTS, TOKENS, BUDGETS,
                worstCase)).getNow(null);
        if (d instanceof AdmissionDecision.Allowed a) {
            limiter.settle(a.reservation(), 80, settledCost);
        }
        return d;
    }

    private WorstCase worstCase() {
        Prompt prompt = PromptReader.read(CHAT, 0, CHAT.length);
        return WorstCase.of(counter.countPrompt("gpt-4o-mini", prompt), 256, 1, 4096, 0, PRICING);
    }

    /** Reading and counting the prompt of a short chat request, and pricing its worst case. */
    @Benchmark
    public WorstCase countPromptAndPriceWorstCase() {
        return worstCase();
    }

    /** Admission with token windows and both budgets, then settlement to the real usage. */
    @Benchmark
    public Object admitWithTokensAndBudgetsThenSettle() {
        return admitAndSettle(nextIndex());
    }

    /** Admission with request limits only (nothing to settle): the baseline. */
    @Benchmark
    public Object admitRequestsOnly() {
        int i = nextIndex();
        return limiter.admit(new AdmissionRequest(keys[i], users[i], REQUESTS, TokenLimits.UNLIMITED,
                MonthlyBudgets.NONE, WorstCase.NONE)).getNow(null);
    }
}
