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
import org.openjdk.jmh.infra.Blackhole;

/**
 * What the proxy does with every streamed answer besides relaying it, for a chat completion stream
 * of 32 content chunks, a usage chunk and {@code [DONE]}, each in its own direct buffer as a backend
 * sends them, each copied once out of its buffer ({@link ByteScan#copy}): {@link GeneratedTextReader}
 * gathering the generated text ({@link #stream}), {@link SseUsageFilter} splitting the events and
 * reading the usage ({@link #usageFilter}), and both on one copy, as the proxy reads a stream
 * ({@link #proxied}); and a whole JSON answer's usage scan and kept text ({@link #jsonAnswer}). In
 * their package, as none is public. Run with the gateway's {@code --sun-misc-unsafe-memory-access=allow}
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
    }

    /** A whole chat answer of 32 words, in one chunk, as a backend sends it. */
    private ByteBuf answer;

    @Setup
    public void setUpAnswer() {
        StringBuilder words = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            words.append(" word").append(i);
        }
        answer = direct("{\"id\":\"chatcmpl-0193a0000000\",\"object\":\"chat.completion\",\"created\":1765000000,"
                + "\"model\":\"dalsi-chat-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\""
                + words + "\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,"
                + "\"completion_tokens\":32,\"total_tokens\":44,\"prompt_tokens_details\":{\"cached_tokens\":0}},"
                + "\"system_fingerprint\":\"fp_0193a0\"}");
    }

    /** What the proxy does with a whole JSON answer: its usage scanned, and its text kept, on one copy. */
    @Benchmark
    public TokenUsage jsonAnswer(Blackhole hole) {
        GeneratedText text = new GeneratedText();
        GeneratedTextReader r = GeneratedTextReader.of("application/json", text, 1 << 20);
        JsonUsageScanner scanner = new JsonUsageScanner(JSON, 1 << 20, false);
        try (ByteScan.Copy bytes = ByteScan.copy(answer)) {
            r.feed(bytes.array(), bytes.length());
            scanner.feed(bytes.array(), bytes.length());
        }
        r.finish();
        hole.consume(text);
        return scanner.finish();
    }

    private static ByteBuf direct(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return PooledByteBufAllocator.DEFAULT.directBuffer(b.length).writeBytes(b);
    }

    @TearDown
    public void tearDown() {
        chunks.forEach(ByteBuf::release);
        answer.release();
    }

    @Benchmark
    public GeneratedText stream() {
        GeneratedText text = new GeneratedText();
        GeneratedTextReader r = GeneratedTextReader.of("text/event-stream", text, 1 << 20);
        for (ByteBuf c : chunks) {
            try (ByteScan.Copy bytes = ByteScan.copy(c)) {
                r.feed(bytes.array(), bytes.length());
            }
        }
        r.finish();
        return text;
    }

    @Benchmark
    public TokenUsage usageFilter() {
        SseUsageFilter filter = new SseUsageFilter(false, 1 << 20, JSON, RELEASE);
        for (ByteBuf c : chunks) {
            try (ByteScan.Copy bytes = ByteScan.copy(c)) {
                filter.accept(c, bytes.array()); // true: the chunk is forwarded whole, which here means nothing to do
            }
        }
        filter.finish();
        return filter.usage();
    }

    /** Both, chunk by chunk, as the proxy reads every streamed chunk it relays. */
    @Benchmark
    public TokenUsage proxied(Blackhole hole) {
        GeneratedText text = new GeneratedText();
        GeneratedTextReader r = GeneratedTextReader.of("text/event-stream", text, 1 << 20);
        SseUsageFilter filter = new SseUsageFilter(false, 1 << 20, JSON, RELEASE);
        for (ByteBuf c : chunks) {
            try (ByteScan.Copy bytes = ByteScan.copy(c)) {
                r.feed(bytes.array(), bytes.length());
                filter.accept(c, bytes.array());
            }
        }
        r.finish();
        filter.finish();
        hole.consume(text);
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
