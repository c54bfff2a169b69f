package ai.dalsi.loadtest.gen;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SseScannerTest {

    private static final String STREAM = "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\r\n\r\n"
            + ": a comment\n\n"
            + "event: message\ndata: {\"choices\":[{\"delta\":{}}],\n"
            + "data: \"usage\":{\"total_tokens\":7}}\n\n"
            + "data: [DONE]\n\n";

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 7, 13, 64, 10_000})
    void countsEventsAndSeesDoneWhereverTheChunksAreCut(int chunkSize) {
        byte[] bytes = STREAM.getBytes(StandardCharsets.US_ASCII);
        SseScanner scanner = new SseScanner();
        for (int i = 0; i < bytes.length; i += chunkSize) {
            ByteBuf chunk = Unpooled.wrappedBuffer(bytes, i, Math.min(chunkSize, bytes.length - i));
            scanner.feed(chunk);
            assertThat(chunk.readerIndex()).isZero();
        }
        assertThat(scanner.events()).isEqualTo(3);
        assertThat(scanner.done()).isTrue();
    }

    @Test
    void aStreamCutBeforeDoneIsNotDone() {
        SseScanner scanner = new SseScanner();
        scanner.feed("data: {\"a\":1}\n\ndata: [DON".getBytes(StandardCharsets.US_ASCII));
        assertThat(scanner.events()).isEqualTo(1);
        assertThat(scanner.done()).isFalse();
    }

    @Test
    void doneInsideAPayloadDoesNotCount() {
        SseScanner scanner = new SseScanner();
        scanner.feed("data: {\"text\":\"[DONE]\"}\n\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(scanner.done()).isFalse();
        scanner.reset();
        scanner.feed("data:[DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(scanner.done()).isTrue();
        assertThat(scanner.events()).isEqualTo(1);
    }
}
