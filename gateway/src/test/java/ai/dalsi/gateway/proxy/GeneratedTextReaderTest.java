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

    private static void feed(GeneratedTextReader r, String s) {
        ByteBuf b = chunk(s);
        int reader = b.readerIndex();
        r.feed(b);
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
