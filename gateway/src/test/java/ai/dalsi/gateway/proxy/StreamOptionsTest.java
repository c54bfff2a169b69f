package ai.dalsi.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dalsi.gateway.testing.NettyLeakExtension;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NettyLeakExtension.class)
class StreamOptionsTest {

    private final ObjectMapper mapper = new ObjectMapper();

    private StreamOptions.Rewritten rewrite(String json) throws IOException {
        return StreamOptions.ensureIncludeUsage(mapper, Unpooled.copiedBuffer(json, StandardCharsets.UTF_8), ByteBufAllocator.DEFAULT);
    }

    @Test
    void addsIncludeUsageKeepingOtherOptions() throws IOException {
        StreamOptions.Rewritten r = rewrite("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"x\":1}}");
        try {
            assertThat(r.clientAskedForUsage()).isFalse();
            assertThat(mapper.readTree(r.body().toString(StandardCharsets.UTF_8)).toString())
                    .isEqualTo("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"x\":1,\"include_usage\":true}}");
        } finally {
            r.body().release();
        }
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
        StreamOptions.Rewritten r = rewrite("{\"stream_options\":{\"include_usage\":false}}");
        try {
            assertThat(r.clientAskedForUsage()).isFalse();
            assertThat(r.body().toString(StandardCharsets.UTF_8)).isEqualTo("{\"stream_options\":{\"include_usage\":true}}");
        } finally {
            r.body().release();
        }
    }

    @Test
    void notAnObjectFailsAndReleases() {
        ByteBuf body = Unpooled.copiedBuffer("[1]", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> StreamOptions.ensureIncludeUsage(mapper, body, ByteBufAllocator.DEFAULT))
                .isInstanceOf(IOException.class);
        assertThat(body.refCnt()).isZero();
    }
}
