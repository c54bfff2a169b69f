package ai.dalsi.metering;

import java.math.BigDecimal;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The two prices the event loop works out for every proxied request: the worst case a request may
 * cost, checked before it is served ({@link CostCalculator#upperBound}), and what its answer cost,
 * written to its usage event ({@link CostCalculator#cost}); under a model's input and output prices.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CostBenchmark {

    private final Pricing pricing = Pricing.of("{\"input_per_1k\": 0.00015, \"output_per_1k\": 0.0006}",
            new BigDecimal("0.002"), new BigDecimal("0.0001"));
    private final TokenUsage usage = TokenUsage.reported(57, 113, 0);
    private final BigDecimal requestBytes = BigDecimal.valueOf(412);
    private final BigDecimal maxCompletion = BigDecimal.valueOf(4096);

    @Benchmark
    public BigDecimal costOfAnAnswer() {
        return CostCalculator.cost(200, usage, pricing);
    }

    @Benchmark
    public BigDecimal upperBoundOfARequest() {
        return CostCalculator.upperBound(pricing, requestBytes, maxCompletion, BigDecimal.ONE);
    }
}
