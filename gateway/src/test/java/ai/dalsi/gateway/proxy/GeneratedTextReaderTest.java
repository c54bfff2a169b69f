package ai.dalsi.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.metering.tokens.GeneratedText;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The proxy's reading of generated text: across chunk boundaries, without touching the chunks. */
class GeneratedTextReaderTest {

    private static ByteBuf chunk(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    /** As the proxy feeds it: the chunk's bytes copied once, into its thread's array (which holds older bytes after them). */
    private static void feed(GeneratedTextReader r, String s) {
        ByteBuf b = chunk(s);
        int reader = b.readerIndex();
        try (ByteScan.Copy bytes = ByteScan.copy(b)) {
            r.feed(bytes.array(), bytes.length());
        }
        assertThat(b.readerIndex()).as("indexes untouched").isEqualTo(reader);
        assertThat(b.refCnt()).isEqualTo(1);
        b.release();
    }

    @Test
    void aStreamIsReadLineByLineAcrossChunksAndATornLastLineAddsNothing() {
        GeneratedText text = new GeneratedText();
        GeneratedTextReader r = GeneratedTextReader.of("text/event-stream; charset=utf-8", text, 1 << 20);
        feed(r, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel");
        feed(r, "lo\"}}]}\r\n\r\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" world\"}}]}\n\n");
        feed(r, ": keep-alive\n\ndata: [DONE]\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" cut");
        r.finish();
        assertThat(text.choices()).containsExactly("Hello world");
    }

    @Test
    void everyKindOfLineEndEndsALineWhereverItFallsAndHoweverTheStreamIsCut() {
        // Lines longer than the scanner's block put their ends in a later block than their starts.
        String longWord = "w".repeat(1500);
        String stream = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\r"
                + "\r"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + longWord + "\"}}]}\n\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"}}]}\r\n\r\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + longWord + "c\"}}]}\r\r"
                + "data: [DONE]\n\n";
        String expected = "a" + longWord + "b" + longWord + "c";
        for (int piece : new int[] {1, 7, 511, 512, 513, stream.length()}) {
            GeneratedText text = new GeneratedText();
            GeneratedTextReader r = GeneratedTextReader.of("text/event-stream", text, 1 << 20);
            for (int at = 0; at < stream.length(); at += piece) {
                feed(r, stream.substring(at, Math.min(stream.length(), at + piece)));
            }
            r.finish();
            assertThat(text.choices()).as("pieces of %d", piece).containsExactly(expected);
        }
    }

    @Test
    void aStreamLineLongerThanTheBoundAddsNothingAndTheLinesAfterItCount() {
        String head = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"";
        String tail = "\"}}]}";
        int bound = 200;
        String atBound = head + "k".repeat(bound - head.length() - tail.length()) + tail; // kept: exactly the bound
        String overBound = head + "x".repeat(bound + 1 - head.length() - tail.length()) + tail; // one byte over
        String huge = head + "y".repeat(3 * 16 * 1024) + tail; // over several of the largest chunks
        String stream = overBound + "\n\n" + atBound + "\r\n" + huge + "\n" + head + "after" + tail + "\n\n" + overBound;
        String expected = atBound.substring(head.length(), atBound.length() - tail.length()) + "after";
        for (int piece : new int[] {1, 13, 199, 200, 201, stream.length()}) {
            GeneratedText text = new GeneratedText();
            GeneratedTextReader r = GeneratedTextReader.of("text/event-stream", text, bound);
            for (int at = 0; at < stream.length(); at += piece) {
                feed(r, stream.substring(at, Math.min(stream.length(), at + piece)));
            }
            r.finish(); // the last line, over the bound and not ended, adds nothing either
            assertThat(text.choices()).as("pieces of %d", piece).containsExactly(expected);
        }
    }

    @Test
    void theLineEndSearchFindsTheFirstLfOrCrAtEveryPositionAndNothingElse() {
        // Bytes one bit away from LF or CR, or only in the high bit, and zero, around them.
        byte[] near = {'a', 0x0B, 0x0C, 0x0E, 0x08, 0x02, 0x09, (byte) 0x8A, (byte) 0x8D, (byte) 0xFF, 0x00, 0x1A, 0x2D};
        for (int length = 0; length <= 40; length++) {
            byte[] b = new byte[length];
            for (int i = 0; i < length; i++) {
                b[i] = near[i % near.length];
            }
            for (int from = 0; from <= Math.min(length, 9); from++) {
                assertThat(ByteScan.lineEnd(b, from, length)).as("none in %d from %d", length, from)
                        .isEqualTo(-1);
                for (int at = from; at < length; at++) {
                    for (byte end : new byte[] {'\n', '\r'}) {
                        byte[] c = b.clone();
                        c[at] = end;
                        if (at + 3 < length) {
                            c[at + 3] = end == '\n' ? (byte) '\r' : (byte) '\n'; // a later end of the other kind
                        }
                        assertThat(ByteScan.lineEnd(c, from, length))
                                .as("%d at %d in %d from %d", end, at, length, from).isEqualTo(at);
                        assertThat(ByteScan.lineEnd(c, from, at)).as("the range ends before it")
                                .isEqualTo(-1);
                    }
                }
            }
        }
    }

    @Test
    void aWholeAnswerIsReadAtItsEndAndAnOversizedOneNotAtAll() {
        GeneratedText text = new GeneratedText();
        GeneratedTextReader r = GeneratedTextReader.of("application/json", text, 1 << 20);
        feed(r, "{\"choices\":[{\"index\":0,\"message\":{\"content\":");
        feed(r, "\"Hi there\"}}]}");
        assertThat(text.isEmpty()).isTrue();
        r.finish();
        assertThat(text.choices()).containsExactly("Hi there");

        GeneratedText big = new GeneratedText();
        GeneratedTextReader small = GeneratedTextReader.of("application/json", big, 10);
        feed(small, "{\"choices\":[{\"index\":0,\"message\":{\"content\":\"Hi there\"}}]}");
        small.finish();
        assertThat(big.isEmpty()).isTrue();
        assertThat(GeneratedTextReader.of("text/plain", new GeneratedText(), 10)).isNull();
    }
}
