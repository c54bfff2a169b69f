package ai.dalsi.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.testing.NettyLeakExtension;
import ai.dalsi.metering.ProductKind;
import ai.dalsi.metering.TokenUsage;
import com.fasterxml.jackson.core.JsonFactory;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The usage taps by kind and shape, with the relay they write through: what reaches the client at
 * once, what waits for the usage to be journaled, and the usage read.
 */
@ExtendWith(NettyLeakExtension.class)
class UsageTapTest {

    static final String CREATED = "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,"
            + "\"response\":{\"id\":\"resp_1\",\"status\":\"in_progress\",\"usage\":null}}\n\n";
    static final String DELTA = "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\","
            + "\"sequence_number\":1,\"delta\":\"Hi \\\"usage\\\": 5\"}\n\n";
    static final String COMPLETED = "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":2,"
            + "\"response\":{\"id\":\"resp_1\",\"status\":\"completed\",\"output\":[],\"usage\":{\"input_tokens\":12,"
            + "\"input_tokens_details\":{\"cached_tokens\":4},\"output_tokens\":3,"
            + "\"output_tokens_details\":{\"reasoning_tokens\":1},\"total_tokens\":15}}}\n\n";

    private final EmbeddedChannel client = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final ResponseRelay relay = new ResponseRelay(client);

    @AfterEach
    void close() {
        client.finishAndReleaseAll();
    }

    /** As the proxy hands the tap a chunk: with its bytes copied once, when the tap reads them. */
    private void content(UsageTap tap, HttpContent c, boolean last) {
        if (!tap.reads()) {
            tap.content(c, last, relay, null);
            return;
        }
        try (ByteScan.Copy bytes = ByteScan.copy(c.content())) {
            tap.content(c, last, relay, bytes.array());
        }
    }

    private static HttpContent chunk(String s) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
    }

    private static LastHttpContent last(String s) {
        return new DefaultLastHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
    }

    private String sent() {
        client.flush();
        StringBuilder sb = new StringBuilder();
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = client.readOutbound()) != null) {
            out.add(o);
        }
        for (Object m : out) {
            if (m instanceof HttpContent c) {
                sb.append(c.content().toString(StandardCharsets.UTF_8));
            }
            io.netty.util.ReferenceCountUtil.release(m);
        }
        return sb.toString();
    }

    private static UsageTap tap(ProductKind kind, String contentType) {
        return UsageTap.of(kind, 200, contentType, true, 1 << 20, new JsonFactory());
    }

    @Test
    void aResponsesStreamHoldsItsTerminalEventAndReadsTheUsageInside() {
        UsageTap tap = tap(ProductKind.RESPONSES, "text/event-stream; charset=utf-8");
        assertThat(tap).isInstanceOf(UsageTap.EventStream.class);
        content(tap, chunk(CREATED + DELTA), false);
        relay.flush();
        assertThat(sent()).isEqualTo(CREATED + DELTA);
        content(tap, chunk(COMPLETED.substring(0, 40)), false);
        content(tap, last(COMPLETED.substring(40)), true);
        relay.flush();
        assertThat(sent()).as("the terminal event waits").isEmpty();
        assertThat(tap.usage()).isEqualTo(TokenUsage.reported(12, 3, 0, 4, 1));
        assertThat(relay.responseBytes()).isEqualTo((CREATED + DELTA + COMPLETED).length());
        relay.release();
        assertThat(sent()).isEqualTo(COMPLETED);
    }

    @Test
    void aResponsesStreamCutBeforeItsTerminalEventHasNoUsage() {
        UsageTap tap = tap(ProductKind.RESPONSES, "text/event-stream");
        content(tap, chunk(CREATED + DELTA), false);
        assertThat(tap.usage()).isNull();
        tap.release();
        relay.discard();
        assertThat(sent()).isEqualTo(CREATED + DELTA);
    }

    @Test
    void aFailedResponseIsTerminalToo() {
        String failed = "event: response.failed\ndata: {\"type\":\"response.failed\",\"response\":{\"usage\":null}}\n\n";
        UsageTap tap = tap(ProductKind.RESPONSES, "text/event-stream");
        content(tap, chunk(CREATED + failed + "event: x\ndata: {}\n\n"), false);
        relay.flush();
        assertThat(sent()).isEqualTo(CREATED);
        content(tap, last(""), true);
        relay.release();
        assertThat(sent()).isEqualTo(failed + "event: x\ndata: {}\n\n");
    }

    @Test
    void embeddingsAreBilledByInputTokensAndTheirVectorsAreNotImages() {
        UsageTap tap = tap(ProductKind.EMBEDDING, "application/json");
        String body = "{\"object\":\"list\",\"data\":[{\"embedding\":[0.1]},{\"embedding\":[0.2]}],"
                + "\"usage\":{\"prompt_tokens\":7,\"total_tokens\":7}}";
        content(tap, chunk(body.substring(0, 30)), false);
        content(tap, chunk(body.substring(30)), false);
        content(tap, last(""), true);
        assertThat(tap.usage()).isEqualTo(TokenUsage.reported(7, 0, 0));
        relay.flush();
        assertThat(sent()).as("one chunk behind").isEqualTo(body.substring(0, 30));
        relay.release();
        assertThat(sent()).isEqualTo(body.substring(30));
    }

    @Test
    void imagesCountTheirDataEntries() {
        UsageTap tap = tap(ProductKind.IMAGE, "application/json");
        content(tap, last("{\"data\":[{\"url\":\"u1\"},{\"url\":\"u2\"},{\"url\":\"u3\"}]}"), true);
        assertThat(tap.usage()).isEqualTo(TokenUsage.reported(0, 0, 3));
        relay.release();
        sent();
    }

    @Test
    void errorsAndOtherBodiesAreRelayedWithoutReading() {
        assertThat(UsageTap.of(ProductKind.CHAT, 500, "application/json", true, 100, new JsonFactory()))
                .isInstanceOf(UsageTap.Plain.class);
        assertThat(tap(ProductKind.CHAT, "text/plain")).isInstanceOf(UsageTap.Plain.class);
        assertThat(tap(ProductKind.CHAT, "text/event-stream")).isInstanceOfSatisfying(UsageTap.EventStream.class,
                s -> assertThat(s.mode()).isEqualTo(SseUsageFilter.Mode.CHAT));
    }
}
