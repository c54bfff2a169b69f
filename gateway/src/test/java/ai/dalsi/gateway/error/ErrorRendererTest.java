package ai.dalsi.gateway.error;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
}
