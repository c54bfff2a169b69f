package ai.dalsi.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dalsi.gateway.testing.NettyLeakExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The include_usage rewrite edits bytes: everything the client sent stays as it was, but the one member. */
@ExtendWith(NettyLeakExtension.class)
class StreamOptionsTest {

    private StreamOptions.Rewritten rewrite(String json) throws IOException {
        return StreamOptions.ensureIncludeUsage(Unpooled.copiedBuffer(json, StandardCharsets.UTF_8), ByteBufAllocator.DEFAULT);
    }

    private String rewritten(String json) throws IOException {
        StreamOptions.Rewritten r = rewrite(json);
        try {
            assertThat(r.clientAskedForUsage()).isFalse();
            return r.body().toString(StandardCharsets.UTF_8);
        } finally {
            r.body().release();
        }
    }

    @Test
    void addsIncludeUsageKeepingOtherOptions() throws IOException {
        assertThat(rewritten("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"x\":1}}"))
                .isEqualTo("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true,\"x\":1}}");
    }

    @Test
    void leavesABodyThatAskedAlone() throws IOException {
        String json = "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
        StreamOptions.Rewritten r = rewrite(json);
        try {
            assertThat(r.clientAskedForUsage()).isTrue();
            assertThat(r.body().toString(StandardCharsets.UTF_8)).isEqualTo(json);
        } finally {
            r.body().release();
        }
    }

    @Test
    void includeUsageFalseIsOverridden() throws IOException {
        assertThat(rewritten("{\"stream_options\":{\"include_usage\":false}}"))
                .isEqualTo("{\"stream_options\":{\"include_usage\":true}}");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // what the client sent | what the backend gets
            "{\"stream\":true} | {\"stream\":true,\"stream_options\":{\"include_usage\":true}}",
            "{ } | { \"stream_options\":{\"include_usage\":true}}",
            "{\"stream_options\":null,\"n\":1.50} | {\"stream_options\":{\"include_usage\":true},\"n\":1.50}",
            "{\"stream_options\":{ },\"a\":[1,2]} | {\"stream_options\":{\"include_usage\":true },\"a\":[1,2]}",
            "{\"stream_options\":{\"include_usage\":0, \"z\":\"\\\"}\"}} | {\"stream_options\":{\"include_usage\":true, \"z\":\"\\\"}\"}}",
            "{\"messages\":[{\"content\":\"stream_options\"}],\"stream_options\":{\"a\":{\"include_usage\":false}}}"
                    + " | {\"messages\":[{\"content\":\"stream_options\"}],\"stream_options\":{\"include_usage\":true,\"a\":{\"include_usage\":false}}}",
            "{\"stream_options\":\"yes\"} | {\"stream_options\":{\"include_usage\":true}}"})
    void onlyTheMemberThatMustChangeChanges(String sent, String forwarded) throws IOException {
        assertThat(rewritten(sent.strip())).isEqualTo(forwarded.strip());
    }

    @Test
    void aPooledCompositeBodyIsEditedWithoutLeaks() throws IOException {
        ByteBuf body = ByteBufAllocator.DEFAULT.compositeBuffer()
                .addComponent(true, Unpooled.copiedBuffer("{\"model\":\"m\",\"stream_", StandardCharsets.UTF_8))
                .addComponent(true, Unpooled.copiedBuffer("options\":{\"x\":true}}", StandardCharsets.UTF_8));
        StreamOptions.Rewritten r = StreamOptions.ensureIncludeUsage(body, ByteBufAllocator.DEFAULT);
        try {
            assertThat(r.body().toString(StandardCharsets.UTF_8))
                    .isEqualTo("{\"model\":\"m\",\"stream_options\":{\"include_usage\":true,\"x\":true}}");
        } finally {
            r.body().release();
        }
    }

    @Test
    void notAnObjectFailsAndReleases() {
        ByteBuf body = Unpooled.copiedBuffer("[1]", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> StreamOptions.ensureIncludeUsage(body, ByteBufAllocator.DEFAULT))
                .isInstanceOf(IOException.class);
        assertThat(body.refCnt()).isZero();
    }
}
