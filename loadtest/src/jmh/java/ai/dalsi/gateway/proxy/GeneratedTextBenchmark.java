package ai.dalsi.gateway.proxy;

import ai.dalsi.metering.TokenUsage;
import ai.dalsi.metering.tokens.GeneratedText;
import com.fasterxml.jackson.core.JsonFactory;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the proxy does with every streamed answer besides relaying it, for a chat completion stream
 * of 32 content chunks, a usage chunk and {@code [DONE]}, each in its own direct buffer as a backend
 * sends them: {@link GeneratedTextReader} gathering the generated text ({@link #stream}), and
 * {@link SseUsageFilter} splitting the events and reading the usage ({@link #usageFilter}). In their
 * package, as neither is public. Run with the gateway's {@code --sun-misc-unsafe-memory-access=allow}
 * (see {@code bin/lib/run-jar}), or Netty reads direct buffers through slower {@code ByteBuffer} calls.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class GeneratedTextBenchmark {

    private final List<ByteBuf> chunks = new ArrayList<>();

    @Setup
    public void setUp() {
        String head = "data: {\"id\":\"chatcmpl-0193a0000000\",\"object\":\"chat.completion.chunk\",\"created\":1765000000,"
                + "\"model\":\"dalsi-chat-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"";
        String tail = "\"},\"finish_reason\":null}]}\n\n";
        for (int i = 0; i < 32; i++) {
            chunks.add(direct(head + " word" + i + tail));
        }
        chunks.add(direct("data: {\"id\":\"chatcmpl-0193a0000000\",\"object\":\"chat.completion.chunk\",\"created\":1765000000,"
                + "\"model\":\"dalsi-chat-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":32,"
                + "\"total_tokens\":44}}\n\n"));
        chunks.add(direct("data: [DONE]\n\n"));
        // In the gateway the body scanners go through ByteScan, so its calls to a processor see
        // several classes: so they do here, before the benchmark's code is compiled.
        ByteBuf sample = chunks.get(0);
        List<ByteScan.Processor> others = List.of(b -> b != '"', b -> b != '{', b -> b != ']');
        for (int i = 0; i < 20_000; i++) {
            for (ByteScan.Processor p : others) {
                ByteScan.forEachByte(sample, sample.readerIndex(), sample.readableBytes(), p);
            }
        }
    }

    private static ByteBuf direct(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return PooledByteBufAllocator.DEFAULT.directBuffer(b.length).writeBytes(b);
    }

    @TearDown
    public void tearDown() {
        chunks.forEach(ByteBuf::release);
    }

    @Benchmark
    public GeneratedText stream() {
        GeneratedText text = new GeneratedText();
        GeneratedTextReader r = GeneratedTextReader.of("text/event-stream", text, 1 << 20);
        for (ByteBuf c : chunks) {
            r.feed(c);
        }
        r.finish();
        return text;
    }

    @Benchmark
    public TokenUsage usageFilter() {
        SseUsageFilter filter = new SseUsageFilter(false, 1 << 20, JSON, RELEASE);
        for (ByteBuf c : chunks) {
            filter.accept(c); // true: the chunk is forwarded whole, which here means nothing to do
        }
        filter.finish();
        return filter.usage();
    }

    private static final JsonFactory JSON = new JsonFactory();

    /** The client's side: what the filter hands on is sent and released. */
    private static final SseUsageFilter.Sink RELEASE = new SseUsageFilter.Sink() {
        @Override
        public void forward(ByteBuf buf) {
            buf.release();
        }

        @Override
        public void hold(ByteBuf buf) {
            buf.release();
        }
    };
}
