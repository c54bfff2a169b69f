package ai.dalsi.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.testing.NettyLeakExtension;
import ai.dalsi.metering.TokenUsage;
import com.fasterxml.jackson.core.JsonFactory;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NettyLeakExtension.class)
class JsonUsageScannerTest {

    static final String CHAT = """
            {"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant",
            "content":"the \\"usage\\": {\\"prompt_tokens\\": 999}","usage":{"prompt_tokens":777}}}],
            "usage":{"prompt_tokens":11,"completion_tokens":22,"total_tokens":33,"prompt_tokens_details":{"cached_tokens":5}}}""";

    private static TokenUsage scan(String body, long limit, int chunk) {
        return scan(body, limit, chunk, true);
    }

    private static TokenUsage scan(String body, long limit, int chunk, boolean countData) {
        JsonUsageScanner scanner = new JsonUsageScanner(new JsonFactory(), limit, countData);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        for (int from = 0; from < bytes.length; from += chunk) {
            ByteBuf buf = Unpooled.directBuffer().writeBytes(bytes, from, Math.min(chunk, bytes.length - from));
            try (ByteScan.Copy copy = ByteScan.copy(buf)) {
                scanner.feed(copy.array(), copy.length());
            }
            assertThat(buf.readerIndex()).isZero();
            buf.release();
        }
        return scanner.finish();
    }

    @Test
    void chatUsageIsTheTopLevelOneWhateverTheChunking() {
        for (int chunk = 1; chunk <= CHAT.length(); chunk += 7) {
            assertThat(scan(CHAT, 1 << 20, chunk)).as("chunks of %d", chunk).isEqualTo(TokenUsage.reported(11, 22, 0, 5, 0));
        }
    }

    @Test
    void imagesCountDataEntriesAndReadInputOutputTokens() {
        String body = """
                {"created":1,"data":[{"b64_json":"QUJD"},{"b64_json":"REVG"}],
                 "usage":{"total_tokens":300,"input_tokens":50,"output_tokens":250,"input_tokens_details":{"text_tokens":50}}}""";
        assertThat(scan(body, 1 << 20, 16)).isEqualTo(TokenUsage.reported(50, 250, 2));
    }

    @Test
    void imagesWithoutUsageReportTheirCount() {
        assertThat(scan("{\"created\":1,\"data\":[{\"url\":\"http://x/1.png\"}]}", 1 << 20, 5))
                .isEqualTo(TokenUsage.reported(0, 0, 1));
    }

    @Test
    void totalWithoutCompletionMeansTheRest() {
        assertThat(scan("{\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}", 1 << 20, 100))
                .isEqualTo(TokenUsage.reported(8, 0, 0));
    }

    @Test
    void anEmbeddingsDataArrayIsVectorsNotImages() {
        String body = """
                {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,-0.2]},
                 {"object":"embedding","index":1,"embedding":"AAAA"}],"model":"m","usage":{"prompt_tokens":9,"total_tokens":9}}""";
        for (int chunk = 1; chunk <= body.length(); chunk += 11) {
            assertThat(scan(body, 1 << 20, chunk, false)).isEqualTo(TokenUsage.reported(9, 0, 0));
        }
    }

    @Test
    void aResponsesObjectReportsInputAndOutputTokensWithTheirDetails() {
        String body = """
                {"id":"resp_1","object":"response","output":[{"type":"message","content":[{"type":"output_text",
                 "text":"\\"usage\\":{\\"input_tokens\\":1} [ { ] }","annotations":[]}]}],
                 "usage":{"input_tokens":30,"input_tokens_details":{"cached_tokens":12},"output_tokens":40,
                 "output_tokens_details":{"reasoning_tokens":25},"total_tokens":70},"metadata":{}}""";
        for (int chunk = 1; chunk <= body.length(); chunk += 13) {
            assertThat(scan(body, 1 << 20, chunk, false)).as("chunks of %d", chunk)
                    .isEqualTo(TokenUsage.reported(30, 40, 0, 12, 25));
        }
    }

    @Test
    void noUsageOverTheLimitOrNotJson() {
        assertThat(scan("{\"id\":\"x\",\"choices\":[]}", 1 << 20, 4)).isNull();
        assertThat(scan(CHAT, 100, 50)).isNull();
        assertThat(scan("<html>bad gateway</html>", 1 << 20, 4)).isNull();
        assertThat(scan("{\"usage\":{\"prompt_tokens\":1", 1 << 20, 4)).isNull();
    }

    private static final String[] JSON_PIECES = {"{", "}", "[", "]", ",", ":", " ", "\"", "\\\"", "\\\\", "\"usage\"",
        "\"data\"", "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}", "\"data\":[{},{}]", "\"text \u00e9t\u00e9\"",
        "12", "null", "\"prompt_tokens\"", "\"a long string of words with no quote in it at all\""};

    @Test
    void theBlockScanFindsWhatTheByteScanFinds() {
        Random random = new Random(20261204);
        int found = 0;
        for (int round = 0; round < 3000; round++) {
            StringBuilder body = new StringBuilder("{");
            for (int n = random.nextInt(30); n >= 0; n--) {
                body.append(JSON_PIECES[random.nextInt(JSON_PIECES.length)]);
            }
            byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            JsonUsageScanner perByte = new JsonUsageScanner(new JsonFactory(), 1 << 20, true);
            for (byte b : bytes) {
                perByte.process(b);
            }
            JsonUsageScanner blocks = new JsonUsageScanner(new JsonFactory(), 1 << 20, true);
            Random cuts = new Random(round);
            for (int from = 0; from < bytes.length; ) {
                int to = Math.min(bytes.length, from + 1 + cuts.nextInt(40));
                assertThat(blocks.process(bytes, from, to)).isEqualTo(-1);
                from = to;
            }
            TokenUsage expected = perByte.finish();
            assertThat(blocks.finish()).as("%s", body).isEqualTo(expected);
            found += expected != null ? 1 : 0;
        }
        assertThat(found).as("bodies where a usage or images were found").isGreaterThan(300);
    }
}
