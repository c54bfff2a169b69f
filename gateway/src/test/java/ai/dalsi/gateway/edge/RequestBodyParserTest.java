package ai.dalsi.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestBodyParserTest {

    private final RequestBodyParser parser = new RequestBodyParser();

    private static ByteBuf direct(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        ByteBuf buf = ByteBufAllocator.DEFAULT.directBuffer(b.length);
        buf.writeBytes(b);
        return buf;
    }

    private static ByteBuf heapWithOffset(String s) {
        byte[] b = ("xxxx" + s + "yy").getBytes(StandardCharsets.UTF_8);
        return Unpooled.wrappedBuffer(b, 4, b.length - 6);
    }

    private ParsedBody parse(String s) {
        ByteBuf buf = direct(s);
        try {
            return parser.parse(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void readsTheFieldsTheEdgeNeeds() {
        ParsedBody.Fields f = (ParsedBody.Fields) parse("{\"messages\":[{\"role\":\"user\",\"content\":\"{\\\"model\\\":1}\"}],"
                + "\"model\":\"m1\",\"stream\":true,\"max_tokens\":10,\"max_completion_tokens\":20,\"n\":3,"
                + "\"tools\":[{\"x\":{\"y\":[1,2,{}]}}]}");
        assertThat(f.model()).isEqualTo("m1");
        assertThat(f.stream()).isTrue();
        assertThat(f.clientAskedForUsage()).isFalse();
        assertThat(f.streamOptionsPresent()).isFalse();
        assertThat(f.maxTokens()).isEqualTo(20);
        assertThat(f.n()).isEqualTo(3);
    }

    @Test
    void defaults() {
        ParsedBody.Fields f = (ParsedBody.Fields) parse("{\"model\":\"m\"}");
        assertThat(f.stream()).isFalse();
        assertThat(f.maxTokens()).isEqualTo(-1);
        assertThat(f.n()).isEqualTo(1);
        assertThat(((ParsedBody.Fields) parse("{\"model\":\"m\",\"max_tokens\":null,\"n\":null}")).maxTokens())
                .isEqualTo(-1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "[]", "\"x\"", "{", "{\"model\":\"m\"", "{\"model\":\"m\"} {}", "nul",
            "{\"model\":\"m\",}", "\u0000"})
    void notAJsonObjectIsInvalid(String body) {
        assertThat(parse(body)).isInstanceOf(ParsedBody.Invalid.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"model\":\"\"}", "{\"model\":null}", "{\"model\":5}", "{\"model\":{\"a\":1}}"})
    void aMissingOrNonStringModelNamesModel(String body) {
        assertThat(((ParsedBody.Invalid) parse(body)).param()).isEqualTo("model");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"model\":\"m\",\"max_tokens\":-1}", "{\"model\":\"m\",\"max_tokens\":1.5}",
            "{\"model\":\"m\",\"max_tokens\":\"10\"}", "{\"model\":\"m\",\"max_tokens\":99999999999999999999999}"})
    void badMaxTokens(String body) {
        assertThat(((ParsedBody.Invalid) parse(body)).param()).isEqualTo("max_tokens");
    }

    @Test
    void deepNestingIsInvalidNotACrash() {
        assertThat(parse("{\"model\":\"m\",\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}"))
                .isInstanceOf(ParsedBody.Invalid.class);
    }

    @Test
    void includeUsageIsSplicedInBeforeTheClosingBrace() throws Exception {
        for (ByteBuf body : new ByteBuf[] {direct("{\"model\":\"m\",\"stream\":true}  \n"),
                heapWithOffset("{\"model\":\"m\",\"stream\":true}  \n")}) {
            ParsedBody.Fields f = (ParsedBody.Fields) parser.parse(body);
            ByteBuf out = parser.withIncludeUsage(body, f, ByteBufAllocator.DEFAULT);
            try {
                assertThat(body.refCnt()).as("the original is released (or only held inside the result)").isLessThanOrEqualTo(2);
                String s = out.toString(StandardCharsets.UTF_8);
                assertThat(s).isEqualTo("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}  \n");
                assertThat(new ObjectMapper().readTree(s).at("/stream_options/include_usage").asBoolean()).isTrue();
            } finally {
                out.release();
            }
            assertThat(body.refCnt()).isZero();
        }
    }

    @Test
    void existingStreamOptionsAreRewritten() throws Exception {
        ByteBuf body = direct("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":false,\"k\":[1]}}");
        ParsedBody.Fields f = (ParsedBody.Fields) parser.parse(body);
        assertThat(f.streamOptionsPresent()).isTrue();
        ByteBuf out = parser.withIncludeUsage(body, f, ByteBufAllocator.DEFAULT);
        try {
            var node = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
            assertThat(node.at("/stream_options/include_usage").asBoolean()).isTrue();
            assertThat(node.at("/stream_options/k/0").asInt()).isEqualTo(1);
        } finally {
            out.release();
        }
        assertThat(body.refCnt()).isZero();
    }

    @Test
    void clientAskedForUsage() {
        ParsedBody.Fields f = (ParsedBody.Fields) parse(
                "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertThat(f.clientAskedForUsage()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"model\":\"a\\u0000b\"}", "{\"model\":\"tab\\there\"}", "{\"model\":\"del\u007f\"}",
            "{\"model\":\"LONG\"}"})
    void aModelNameNoModelCanHaveIs400WithoutEchoingIt(String body) {
        ParsedBody.Invalid invalid = (ParsedBody.Invalid) parse(body.replace("LONG", "m".repeat(257)));
        assertThat(invalid.param()).isEqualTo("model");
        assertThat(invalid.message()).isEqualTo(RequestBodyParser.BAD_MODEL);
    }

    @Test
    void aModelNameOfTheLongestLengthIsRead() {
        assertThat(((ParsedBody.Fields) parse("{\"model\":\"" + "m".repeat(256) + "\"}")).model()).hasSize(256);
    }
}
