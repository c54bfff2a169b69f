package ai.dalsi.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.testing.NettyLeakExtension;
import ai.dalsi.metering.TokenUsage;
import com.fasterxml.jackson.core.JsonFactory;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(NettyLeakExtension.class)
class SseUsageFilterTest {

    static final String CHUNK_1 = "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}],\"usage\":null}\n\n";
    static final String CHUNK_2 = "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo \\\"usage\\\": 1\"}}],\"usage\": null}\n\n";
    static final String USAGE = "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":34,\"total_tokens\":46}}\n\n";
    static final String DONE = "data: [DONE]\n\n";
    static final String STREAM = CHUNK_1 + CHUNK_2 + USAGE + DONE;

    /** Collects what the filter forwards and holds, and releases it. */
    static final class Recorder implements SseUsageFilter.Sink {
        final ByteArrayOutputStream forwarded = new ByteArrayOutputStream();
        final ByteArrayOutputStream held = new ByteArrayOutputStream();

        @Override
        public void forward(ByteBuf buf) {
            copy(buf, forwarded);
        }

        @Override
        public void hold(ByteBuf buf) {
            copy(buf, held);
        }

        private static void copy(ByteBuf buf, ByteArrayOutputStream out) {
            byte[] b = new byte[buf.readableBytes()];
            buf.readBytes(b);
            buf.release();
            out.writeBytes(b);
        }

        String forwarded() {
            return forwarded.toString(StandardCharsets.UTF_8);
        }

        String held() {
            return held.toString(StandardCharsets.UTF_8);
        }
    }

    /** As the proxy hands it a chunk: with the chunk's bytes copied once, into its thread's array. */
    private static boolean accept(SseUsageFilter filter, ByteBuf chunk) {
        try (ByteScan.Copy bytes = ByteScan.copy(chunk)) {
            return filter.accept(chunk, bytes.array());
        }
    }

    private static Recorder run(String stream, boolean drop, int... cuts) {
        Recorder out = new Recorder();
        SseUsageFilter filter = new SseUsageFilter(drop, 1 << 20, new JsonFactory(), out);
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        int from = 0;
        int[] ends = new int[cuts.length + 1];
        System.arraycopy(cuts, 0, ends, 0, cuts.length);
        ends[cuts.length] = bytes.length;
        for (int end : ends) {
            ByteBuf chunk = Unpooled.directBuffer().writeBytes(bytes, from, end - from);
            if (accept(filter, chunk)) {
                out.forward(chunk.retain());
            }
            chunk.release();
            from = end;
        }
        filter.finish();
        filter.release();
        lastUsage = filter.usage();
        return out;
    }

    private static TokenUsage lastUsage;

    @Test
    void aClientThatDidNotAskDoesNotGetTheUsageChunkAndDoneIsHeld() {
        Recorder out = run(STREAM, true);
        assertThat(out.forwarded()).isEqualTo(CHUNK_1 + CHUNK_2);
        assertThat(out.held()).isEqualTo(DONE);
        assertThat(lastUsage).isEqualTo(TokenUsage.reported(12, 34, 0));
    }

    @Test
    void aClientThatAskedGetsTheUsageChunk() {
        Recorder out = run(STREAM, false);
        assertThat(out.forwarded()).isEqualTo(CHUNK_1 + CHUNK_2 + USAGE);
        assertThat(out.held()).isEqualTo(DONE);
        assertThat(lastUsage).isEqualTo(TokenUsage.reported(12, 34, 0));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void everyCutIntoTwoOrThreeChunksGivesTheSameResult(boolean drop) {
        int n = STREAM.getBytes(StandardCharsets.UTF_8).length;
        String expected = drop ? CHUNK_1 + CHUNK_2 : CHUNK_1 + CHUNK_2 + USAGE;
        for (int cut = 1; cut < n; cut++) {
            Recorder out = run(STREAM, drop, cut);
            assertThat(out.forwarded()).as("cut at %d", cut).isEqualTo(expected);
            assertThat(out.held()).as("cut at %d", cut).isEqualTo(DONE);
            assertThat(lastUsage).as("cut at %d", cut).isEqualTo(TokenUsage.reported(12, 34, 0));
            if (cut + 7 < n) {
                Recorder three = run(STREAM, drop, cut, cut + 7);
                assertThat(three.forwarded() + three.held()).as("cuts at %d, %d", cut, cut + 7).isEqualTo(expected + DONE);
            }
        }
    }

    @Test
    void oneByteChunks() {
        int n = STREAM.getBytes(StandardCharsets.UTF_8).length;
        int[] cuts = new int[n - 1];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        Recorder out = run(STREAM, true, cuts);
        assertThat(out.forwarded()).isEqualTo(CHUNK_1 + CHUNK_2);
        assertThat(out.held()).isEqualTo(DONE);
        assertThat(lastUsage).isEqualTo(TokenUsage.reported(12, 34, 0));
    }

    @Test
    void crlfLineEndsWhereverTheCut() {
        String stream = (CHUNK_1 + USAGE + DONE).replace("\n", "\r\n");
        for (int cut = 1; cut < stream.length(); cut++) {
            Recorder out = run(stream, true, cut);
            assertThat(out.forwarded()).as("cut at %d", cut).isEqualTo(CHUNK_1.replace("\n", "\r\n"));
            assertThat(out.held()).as("cut at %d", cut).isEqualTo(DONE.replace("\n", "\r\n"));
            assertThat(lastUsage).isEqualTo(TokenUsage.reported(12, 34, 0));
        }
    }

    @Test
    void usageInEveryChunkWithContentIsForwardedAndTheLastCounts() {
        String a = "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}\n\n";
        String b = "data: {\"choices\":[{\"delta\":{\"content\":\"b\"}}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}\n\n";
        Recorder out = run(a + b + DONE, true);
        assertThat(out.forwarded()).isEqualTo(a + b);
        assertThat(lastUsage).isEqualTo(TokenUsage.reported(5, 2, 0));
    }

    @Test
    void aStreamWithoutUsageReportsNoneAndCommentsPassThrough() {
        String ping = ": keep-alive\n\n";
        Recorder out = run(ping + CHUNK_1 + DONE, true, 5);
        assertThat(out.forwarded()).isEqualTo(ping + CHUNK_1);
        assertThat(out.held()).isEqualTo(DONE);
        assertThat(lastUsage).isNull();
    }

    @Test
    void anUnterminatedLastEventIsHeld() {
        Recorder out = run(CHUNK_1 + "data: {\"partial\":", true);
        assertThat(out.forwarded()).isEqualTo(CHUNK_1);
        assertThat(out.held()).isEqualTo("data: {\"partial\":");
    }

    @Test
    void aWholeChunkOfCompleteEventsIsForwardedUntouched() {
        Recorder out = new Recorder();
        SseUsageFilter filter = new SseUsageFilter(true, 1 << 20, new JsonFactory(), out);
        ByteBuf chunk = Unpooled.copiedBuffer(CHUNK_1 + CHUNK_2, StandardCharsets.UTF_8);
        assertThat(accept(filter, chunk)).isTrue();
        assertThat(out.forwarded()).isEmpty();
        chunk.release();
    }

    @Test
    void anOversizedEventIsForwardedAsItComes() {
        String big = "data: " + "x".repeat(3000) + "\n\n";
        Recorder out = new Recorder();
        SseUsageFilter filter = new SseUsageFilter(true, 1000, new JsonFactory(), out);
        byte[] bytes = (big + DONE).getBytes(StandardCharsets.UTF_8);
        for (int from = 0; from < bytes.length; from += 500) {
            ByteBuf chunk = Unpooled.wrappedBuffer(bytes, from, Math.min(500, bytes.length - from));
            if (accept(filter, chunk)) {
                out.forward(chunk.retain());
            }
            chunk.release();
        }
        filter.finish();
        assertThat(out.forwarded()).isEqualTo(big);
        assertThat(out.held()).isEqualTo(DONE);
    }

    /** Pieces a random stream is made of: every branch of the scanner, and text that only its fast path sees. */
    private static final String[] PIECES = {"data: ", "data:", "event: ", "event:", "response.completed", "response.failed",
        "response.incomplete", "[DONE]", "\"usage\"", "\"usage\":null", "\"usage\": {\"prompt_tokens\":1}", "\"usa",
        "ge\"", ":", " ", "\t", "\"", "\\\"", "{\"id\":\"chatcmpl-1\",\"choices\":[]}", "plain text", "\u00e9t\u00e9 \u2014 ok",
        "\n", "\n", "\n\n", "\r", "\r\n", "\r\n\r\n", ": comment\n", "x", "\"user\"", "\"\"", "\"\"usage\"", "u"};

    /** Where each event of {@code bytes} ends and what the scanner saw in it, per byte or a block at a time. */
    private static List<String> events(byte[] bytes, boolean responses, Random cuts) {
        SseUsageFilter.Scanner scanner = new SseUsageFilter.Scanner(responses);
        List<String> seen = new ArrayList<>();
        int i = 0;
        while (i < bytes.length) {
            int boundary = -1;
            if (cuts == null) {
                for (int j = i; j < bytes.length && boundary < 0; j++) {
                    boundary = scanner.process(bytes[j]) ? -1 : j;
                }
            } else {
                for (int from = i; from < bytes.length && boundary < 0; ) {
                    int to = Math.min(bytes.length, from + 1 + cuts.nextInt(40));
                    boundary = scanner.process(bytes, from, to);
                    from = to;
                }
            }
            if (boundary < 0) {
                seen.add("open");
                break;
            }
            seen.add(boundary + (scanner.done ? " done" : "") + (scanner.usage ? " usage" : "") + (scanner.terminal ? " terminal" : ""));
            scanner.reset();
            i = boundary + 1;
        }
        return seen;
    }

    @Test
    void theBlockScanFindsWhatTheByteScanFinds() {
        Random random = new Random(20261204);
        int withUsage = 0;
        for (int round = 0; round < 3000; round++) {
            StringBuilder stream = new StringBuilder();
            for (int n = random.nextInt(40); n >= 0; n--) {
                stream.append(PIECES[random.nextInt(PIECES.length)]);
            }
            byte[] bytes = stream.toString().getBytes(StandardCharsets.UTF_8);
            for (boolean responses : new boolean[] {false, true}) {
                List<String> perByte = events(bytes, responses, null);
                assertThat(events(bytes, responses, new Random(round))).as("%s", stream).isEqualTo(perByte);
                withUsage += perByte.stream().anyMatch(e -> e.contains("usage")) ? 1 : 0;
            }
        }
        assertThat(withUsage).as("streams where a usage was seen").isGreaterThan(500);
    }
}
