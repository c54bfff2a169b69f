package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.proxy.StreamOptions;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.CompositeByteBuf;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads the few members of an OpenAI request body the edge needs, in one streaming pass that skips
 * everything else ({@code messages}, {@code prompt}, ...), and adds
 * {@code stream_options.include_usage} to streams whose client did not ask for it, so that every
 * stream ends with its usage.
 */
final class RequestBodyParser {

    static final String NOT_JSON = "We could not parse the JSON body of your request. (HINT: This likely means you"
            + " aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)";

    /** Longest model name read; the catalog's names are at most 128 characters. */
    static final int MAX_MODEL_LENGTH = 256;
    static final String BAD_MODEL = "'model' must be a model name: at most " + MAX_MODEL_LENGTH
            + " characters, without control characters.";

    private static final JsonFactory FACTORY = new JsonFactory();
    private static final byte[] INCLUDE_USAGE =
            ",\"stream_options\":{\"include_usage\":true}".getBytes(StandardCharsets.US_ASCII);

    ParsedBody parse(ByteBuf body) {
        if (!body.isReadable()) {
            return new ParsedBody.Invalid("The request body is empty; expected a JSON object.", null);
        }
        try (JsonParser p = parser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return new ParsedBody.Invalid(NOT_JSON, null);
            }
            String model = null;
            boolean stream = false;
            boolean includeUsage = false;
            boolean streamOptions = false;
            long maxTokens = -1;
            long n = 1;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "model" -> {
                        if (v != JsonToken.VALUE_STRING) {
                            return new ParsedBody.Invalid("'model' must be a string naming a model.", "model");
                        }
                        model = p.getText();
                        if (!plausibleModel(model)) {
                            // No such model can exist; saying so keeps the message, the usage row and
                            // the rollup's key short whatever was sent.
                            return new ParsedBody.Invalid(BAD_MODEL, "model");
                        }
                    }
                    case "stream" -> stream = v == JsonToken.VALUE_TRUE;
                    case "stream_options" -> {
                        streamOptions = true;
                        if (v == JsonToken.START_OBJECT) {
                            includeUsage = readIncludeUsage(p);
                        } else {
                            p.skipChildren();
                        }
                    }
                    case "max_tokens", "max_completion_tokens", "max_output_tokens" -> {
                        if (v == JsonToken.VALUE_NULL) {
                            break;
                        }
                        if (v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                                || p.getLongValue() < 0) {
                            return new ParsedBody.Invalid("'" + name + "' must be a non-negative integer.", name);
                        }
                        maxTokens = Math.max(maxTokens, p.getLongValue());
                    }
                    case "n" -> {
                        if (v == JsonToken.VALUE_NULL) {
                            break;
                        }
                        if (v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                                || p.getLongValue() < 1) {
                            return new ParsedBody.Invalid("'n' must be a positive integer.", "n");
                        }
                        n = p.getLongValue();
                    }
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                return new ParsedBody.Invalid(NOT_JSON, null);
            }
            long rootEnd = p.currentTokenLocation().getByteOffset();
            if (p.nextToken() != null) {
                return new ParsedBody.Invalid(NOT_JSON, null);
            }
            if (model == null || model.isEmpty()) {
                return new ParsedBody.Invalid("you must provide a model parameter", "model");
            }
            return new ParsedBody.Fields(model, stream, includeUsage, streamOptions, maxTokens, n, rootEnd);
        } catch (IOException | RuntimeException e) {
            // Jackson's parse errors (and its nesting/length limits) all mean: not the JSON we accept.
            return new ParsedBody.Invalid(NOT_JSON, null);
        }
    }

    private static boolean plausibleModel(String model) {
        if (model.length() > MAX_MODEL_LENGTH) {
            return false;
        }
        for (int i = 0; i < model.length(); i++) {
            if (Character.isISOControl(model.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean readIncludeUsage(JsonParser p) throws IOException {
        boolean include = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if ("include_usage".equals(name)) {
                include = v == JsonToken.VALUE_TRUE;
            } else {
                p.skipChildren();
            }
        }
        return include;
    }

    private static JsonParser parser(ByteBuf body) throws IOException {
        if (body.hasArray()) {
            return FACTORY.createParser(body.array(), body.arrayOffset() + body.readerIndex(), body.readableBytes());
        }
        return FACTORY.createParser((java.io.InputStream) new ByteBufInputStream(body.duplicate(), false));
    }

    /**
     * The body with {@code stream_options.include_usage=true}. Takes ownership of {@code body}
     * (releases it or hands it on inside the result). Without a {@code stream_options} member the
     * member is spliced in before the closing brace, with no copy of the rest; otherwise only the
     * member is edited, as bytes ({@link StreamOptions}).
     */
    ByteBuf withIncludeUsage(ByteBuf body, ParsedBody.Fields fields, ByteBufAllocator alloc) {
        if (!fields.streamOptionsPresent()) {
            int end = body.readerIndex() + (int) fields.rootEnd();
            CompositeByteBuf out = alloc.compositeBuffer(3);
            out.addComponent(true, body.retainedSlice(body.readerIndex(), end - body.readerIndex()));
            out.addComponent(true, io.netty.buffer.Unpooled.wrappedBuffer(INCLUDE_USAGE));
            out.addComponent(true, body.retainedSlice(end, body.writerIndex() - end));
            body.release();
            return out;
        }
        try {
            return StreamOptions.ensureIncludeUsage(body, alloc).body();
        } catch (IOException e) {
            throw new IllegalStateException("body parsed once already", e);
        }
    }
}
