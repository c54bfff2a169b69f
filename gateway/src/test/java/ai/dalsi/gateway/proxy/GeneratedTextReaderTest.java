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
