package ai.dalsi.gateway.error;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ErrorRendererTest {

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void everyCodeRendersOpenAisShape(ErrorCode code) throws Exception {
        String json = ErrorRenderer.renderString(code, "a \"quoted\" message\nwith ünïcode", null);
        JsonNode error = new ObjectMapper().readTree(json).get("error");
        assertThat(error.get("message").asText()).isEqualTo("a \"quoted\" message\nwith ünïcode");
        assertThat(error.get("type").asText()).isEqualTo(code.type());
        assertThat(error.get("code").asText()).isEqualTo(code.code());
        assertThat(error.get("param").isNull()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = ErrorCode.class, names = {"INVALID_REQUEST", "MODEL_NOT_FOUND"})
    void param(ErrorCode code) throws Exception {
        JsonNode error = new ObjectMapper().readTree(ErrorRenderer.renderString(code, "m", "max_tokens")).get("error");
        assertThat(error.get("param").asText()).isEqualTo("max_tokens");
    }

    @Test
    void aRepeatedErrorIsTheSameBodyInABufferOfItsOwn() {
        ByteBuf first = ErrorRenderer.render(ErrorCode.INVALID_API_KEY, "bad key", null);
        ByteBuf second = ErrorRenderer.render(ErrorCode.INVALID_API_KEY, "bad key", null);
        try {
            assertThat(second).isNotSameAs(first);
            first.skipBytes(first.readableBytes());
            first.release();
            assertThat(second.toString(StandardCharsets.UTF_8))
                    .isEqualTo(ErrorRenderer.renderString(ErrorCode.INVALID_API_KEY, "bad key", null));
        } finally {
            second.release();
        }
    }

    @Test
    void eachPartOfAnErrorChangesItsBody() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        String[][] asked = {{"one", null}, {"one", "model"}, {"two", "model"}, {"two", null}, {"one", null}};
        for (ErrorCode code : new ErrorCode[] {ErrorCode.INVALID_REQUEST, ErrorCode.MODEL_NOT_FOUND}) {
            for (String[] a : asked) {
                JsonNode error = mapper.readTree(ErrorRenderer.renderString(code, a[0], a[1])).get("error");
                assertThat(error.get("message").asText()).isEqualTo(a[0]);
                assertThat(error.get("code").asText()).isEqualTo(code.code());
                assertThat(error.get("param").isNull() ? null : error.get("param").asText()).isEqualTo(a[1]);
            }
        }
    }
}
