package ai.dalsi.gateway.simulator;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders the simulator's OpenAI-shaped JSON straight into {@link ByteBuf}s from precomputed
 * fragments: no object mapper, no intermediate strings, because the simulator is also the
 * benchmark backend. Thread-safe (immutable after construction).
 */
final class Bodies {

    /**
     * The answer's text, one token per element, cycled for long answers. Plain ASCII with nothing
     * to escape in JSON, so fragments can be copied into bodies as they are. Each element is exactly
     * one token in both cl100k_base and o200k_base, and so is every run of them (a test checks it),
     * so an answer of n elements is n tokens to the real tokenizer: the usage the simulator reports
     * is a true count, which the gateway's own counting can be measured against.
     */
    static final List<String> TOKENS = List.of(
            "This", " is", " a", " simulated", " answer", " from", " the", " test", " model", " backend",
            ",", " written", " one", " token", " at", " a", " time", " so", " that", " streaming", ",",
            " pacing", " and", " usage", " can", " be", " measured", ".", " It", " goes", " on", ":");

    /** A 1x1 transparent PNG: what every generated image is. */
    private static final byte[] PNG = Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");
    private static final byte[] PNG_BASE64 = Base64.getEncoder().encode(PNG);

    private static final byte[] CHAT_ID = ascii("{\"id\":\"chatcmpl-");
    private static final byte[] TEXT_ID = ascii("{\"id\":\"cmpl-");
    private static final byte[] CHAT_OBJECT = ascii("\",\"object\":\"chat.completion\",\"created\":");
    private static final byte[] TEXT_OBJECT = ascii("\",\"object\":\"text_completion\",\"created\":");
    private static final byte[] CHUNK_OBJECT = ascii("\",\"object\":\"chat.completion.chunk\",\"created\":");
    private static final byte[] MODEL = ascii(",\"model\":\"");
    private static final byte[] CHAT_CONTENT = ascii(
            "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"");
    private static final byte[] CHAT_CONTENT_END = ascii(
            "\",\"refusal\":null,\"annotations\":[]},\"logprobs\":null,\"finish_reason\":\"");
    private static final byte[] TEXT_CONTENT = ascii("\",\"choices\":[{\"text\":\"");
    private static final byte[] TEXT_CONTENT_END = ascii("\",\"index\":0,\"logprobs\":null,\"finish_reason\":\"");
    private static final byte[] CHOICE_END = ascii("\"}]");
    private static final byte[] USAGE_PROMPT = ascii(",\"usage\":{\"prompt_tokens\":");
    private static final byte[] USAGE_COMPLETION = ascii(",\"completion_tokens\":");
    private static final byte[] USAGE_TOTAL = ascii(",\"total_tokens\":");
    private static final byte[] OBJECT_END = ascii("}");
    private static final byte[] USAGE_END = ascii("}}");

    private static final byte[] DATA = ascii("data: ");
    private static final byte[] CHOICES = ascii("\",\"choices\":[");
    private static final byte[] CHAT_ROLE_DELTA = ascii(
            "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},"
                    + "\"logprobs\":null,\"finish_reason\":null}");
    private static final byte[] CHAT_CONTENT_DELTA = ascii("{\"index\":0,\"delta\":{\"content\":\"");
    private static final byte[] CHAT_CONTENT_DELTA_END = ascii("\"},\"logprobs\":null,\"finish_reason\":null}");
    private static final byte[] CHAT_FINISH_DELTA = ascii("{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"");
    private static final byte[] TEXT_DELTA = ascii("{\"text\":\"");
    private static final byte[] TEXT_DELTA_END = ascii("\",\"index\":0,\"logprobs\":null,\"finish_reason\":null}");
    private static final byte[] TEXT_FINISH = ascii("{\"text\":\"\",\"index\":0,\"logprobs\":null,\"finish_reason\":\"");
    private static final byte[] FINISH_END = ascii("\"}");
    private static final byte[] CHUNK_END = ascii("]}\n\n");
    private static final byte[] CHUNK_END_NULL_USAGE = ascii("],\"usage\":null}\n\n");
    private static final byte[] DONE = ascii("data: [DONE]\n\n");

    private static final byte[] IMAGES_CREATED = ascii("{\"created\":");
    private static final byte[] IMAGES_DATA = ascii(",\"data\":[");
    private static final byte[] IMAGE_URL = ascii("{\"url\":\"");
    private static final byte[] PNG_SUFFIX = ascii(".png");
    private static final byte[] IMAGE_B64 = ascii("{\"b64_json\":\"");
    private static final byte[] IMAGE_END = ascii("\"}");
    private static final byte[] IMAGES_USAGE = ascii("],\"usage\":{\"input_tokens\":");
    private static final byte[] IMAGES_OUTPUT = ascii(",\"output_tokens\":");
    private static final byte[] IMAGES_DETAILS = ascii(",\"input_tokens_details\":{\"text_tokens\":");
    private static final byte[] IMAGES_DETAILS_END = ascii(",\"image_tokens\":0}}}");
    private static final byte[] IMAGES_END = ascii("]}");

    private static final byte[] EMBEDDINGS_HEAD = ascii("{\"object\":\"list\",\"data\":[");
    private static final byte[] EMBEDDING_INDEX = ascii("{\"object\":\"embedding\",\"index\":");
    private static final byte[] EMBEDDING_VALUES = ascii(",\"embedding\":");
    private static final byte[] EMBEDDINGS_MODEL = ascii("],\"model\":\"");
    private static final byte[] EMBEDDINGS_USAGE = ascii(",\"usage\":{\"prompt_tokens\":");

    private static final byte[] STOP = ascii("stop");
    private static final byte[] LENGTH = ascii("length");

    private final byte[][] tokens;
    /** All tokens once, back to back; {@code offsets[i]} is where token i starts (and [size] the end). */
    private final byte[] cycle;
    private final int[] offsets;
    /** Distinguishes this instance's ids from another run's. */
    private final byte[] idTag;
    private final byte[] modelList;
    private final Map<String, byte[]> modelById;
    private final ResponsesBodies responses = new ResponsesBodies(this);

    Bodies(List<String> models, long createdSeconds, long idSeed) {
        tokens = new byte[TOKENS.size()][];
        offsets = new int[TOKENS.size() + 1];
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < TOKENS.size(); i++) {
            tokens[i] = ascii(TOKENS.get(i));
            offsets[i] = all.length();
            all.append(TOKENS.get(i));
        }
        offsets[TOKENS.size()] = all.length();
        cycle = ascii(all.toString());
        idTag = ascii("sim" + Long.toString(idSeed & 0xffff_ffffL | 0x1_0000_0000L, 36).substring(1) + "-");

        Map<String, byte[]> byId = new HashMap<>();
        StringBuilder list = new StringBuilder("{\"object\":\"list\",\"data\":[");
        for (int i = 0; i < models.size(); i++) {
            String one = "{\"id\":" + quote(models.get(i)) + ",\"object\":\"model\",\"created\":" + createdSeconds
                    + ",\"owned_by\":\"dalsi\"}";
            byId.put(models.get(i), one.getBytes(UTF_8));
            list.append(i == 0 ? "" : ",").append(one);
        }
        modelList = list.append("]}").toString().getBytes(UTF_8);
        modelById = Map.copyOf(byId);
    }

    /** The model's name as the inside of a JSON string, escaped. */
    static byte[] jsonText(String s) {
        return JsonStringEncoder.getInstance().quoteAsUTF8(s);
    }

    static byte[] pngFile() {
        return PNG;
    }

    ByteBuf modelList() {
        return Unpooled.wrappedBuffer(modelList);
    }

    /** One model object, or null when the id is not listed. */
    ByteBuf model(String id) {
        byte[] body = modelById.get(id);
        return body == null ? null : Unpooled.wrappedBuffer(body);
    }

    /** A whole {@code chat.completion}, {@code text_completion} or {@code response} object. */
    ByteBuf generation(ByteBufAllocator alloc, Reply.Generation g, byte[] model, long created) {
        if (g.kind() == Reply.Kind.RESPONSES) {
            return responses.response(alloc, g, model, created);
        }
        ByteBuf buf = alloc.buffer(320 + model.length + contentLength(g.completionTokens()));
        boolean chat = g.kind() == Reply.Kind.CHAT;
        buf.writeBytes(chat ? CHAT_ID : TEXT_ID);
        writeId(buf, g.number());
        buf.writeBytes(chat ? CHAT_OBJECT : TEXT_OBJECT);
        writeLong(buf, created);
        buf.writeBytes(MODEL).writeBytes(model);
        buf.writeBytes(chat ? CHAT_CONTENT : TEXT_CONTENT);
        writeContent(buf, g.completionTokens());
        buf.writeBytes(chat ? CHAT_CONTENT_END : TEXT_CONTENT_END);
        buf.writeBytes(g.truncated() ? LENGTH : STOP).writeBytes(CHOICE_END);
        if (!g.omitUsage()) {
            writeUsage(buf, g.promptTokens(), g.completionTokens());
        }
        return buf.writeBytes(OBJECT_END);
    }

    /**
     * What every chunk of one stream starts with: {@code data: {"id":...,"model":...,"choices":[}.
     * Computed once per stream.
     */
    byte[] chunkPrefix(Reply.Generation g, byte[] model, long created) {
        if (g.kind() == Reply.Kind.RESPONSES) {
            return responses.prefix(g);
        }
        boolean chat = g.kind() == Reply.Kind.CHAT;
        ByteBuf buf = Unpooled.buffer(128 + model.length);
        buf.writeBytes(DATA).writeBytes(chat ? CHAT_ID : TEXT_ID);
        writeId(buf, g.number());
        buf.writeBytes(chat ? CHUNK_OBJECT : TEXT_OBJECT);
        writeLong(buf, created);
        buf.writeBytes(MODEL).writeBytes(model).writeBytes(CHOICES);
        byte[] out = new byte[buf.readableBytes()];
        buf.readBytes(out);
        return out;
    }

    /**
     * The chunk before the content (the assistant role, for chat; the opening events, for responses),
     * or null when there is none.
     */
    ByteBuf firstChunk(ByteBufAllocator alloc, Reply.Generation g, byte[] prefix, byte[] model, long created) {
        if (g.kind() == Reply.Kind.RESPONSES) {
            return responses.opening(alloc, g, model, created);
        }
        if (g.kind() != Reply.Kind.CHAT) {
            return null;
        }
        ByteBuf buf = alloc.buffer(prefix.length + CHAT_ROLE_DELTA.length + CHUNK_END_NULL_USAGE.length);
        return buf.writeBytes(prefix).writeBytes(CHAT_ROLE_DELTA).writeBytes(chunkEnd(g));
    }

    /** The chunk carrying content token {@code index} (0-based). */
    ByteBuf tokenChunk(ByteBufAllocator alloc, Reply.Generation g, byte[] prefix, int index) {
        byte[] token = tokens[index % tokens.length];
        if (g.kind() == Reply.Kind.RESPONSES) {
            return responses.delta(alloc, prefix, token, index);
        }
        ByteBuf buf = alloc.buffer(prefix.length + token.length + 96);
        buf.writeBytes(prefix);
        if (g.kind() == Reply.Kind.CHAT) {
            buf.writeBytes(CHAT_CONTENT_DELTA).writeBytes(token).writeBytes(CHAT_CONTENT_DELTA_END);
        } else {
            buf.writeBytes(TEXT_DELTA).writeBytes(token).writeBytes(TEXT_DELTA_END);
        }
        return buf.writeBytes(chunkEnd(g));
    }

    /**
     * The end of a stream: the chunk with the finish reason, the usage chunk ({@code "choices":[]})
     * when the request asked for it, and {@code data: [DONE]}.
     */
    ByteBuf lastChunks(ByteBufAllocator alloc, Reply.Generation g, byte[] prefix, byte[] model, long created) {
        if (g.kind() == Reply.Kind.RESPONSES) {
            return responses.closing(alloc, g, model, created);
        }
        ByteBuf buf = alloc.buffer(2 * prefix.length + 220);
        buf.writeBytes(prefix);
        buf.writeBytes(g.kind() == Reply.Kind.CHAT ? CHAT_FINISH_DELTA : TEXT_FINISH);
        buf.writeBytes(g.truncated() ? LENGTH : STOP).writeBytes(FINISH_END).writeBytes(chunkEnd(g));
        if (g.includeUsage() && !g.omitUsage()) {
            buf.writeBytes(prefix);
            buf.writeByte(']');
            writeUsage(buf, g.promptTokens(), g.completionTokens());
            buf.writeBytes(OBJECT_END).writeByte('\n').writeByte('\n');
        }
        return buf.writeBytes(DONE);
    }

    /** An image generation answer; {@code urlPrefix} is e.g. {@code http://127.0.0.1:PORT/images/}. */
    ByteBuf images(ByteBufAllocator alloc, Reply.Images r, long created, byte[] urlPrefix) {
        int each = r.base64() ? PNG_BASE64.length + 20 : urlPrefix.length + 48;
        ByteBuf buf = alloc.buffer(200 + r.n() * each);
        buf.writeBytes(IMAGES_CREATED);
        writeLong(buf, created);
        buf.writeBytes(IMAGES_DATA);
        for (int i = 0; i < r.n(); i++) {
            if (i > 0) {
                buf.writeByte(',');
            }
            if (r.base64()) {
                buf.writeBytes(IMAGE_B64).writeBytes(PNG_BASE64);
            } else {
                buf.writeBytes(IMAGE_URL).writeBytes(urlPrefix).writeBytes(idTag);
                writeLong(buf, r.number());
                buf.writeByte('-');
                writeLong(buf, i);
                buf.writeBytes(PNG_SUFFIX);
            }
            buf.writeBytes(IMAGE_END);
        }
        if (r.omitUsage()) {
            return buf.writeBytes(IMAGES_END);
        }
        long output = (long) r.n() * r.outputTokensPerImage();
        buf.writeBytes(IMAGES_USAGE);
        writeLong(buf, r.inputTokens());
        buf.writeBytes(IMAGES_OUTPUT);
        writeLong(buf, output);
        buf.writeBytes(USAGE_TOTAL);
        writeLong(buf, r.inputTokens() + output);
        buf.writeBytes(IMAGES_DETAILS);
        writeLong(buf, r.inputTokens());
        return buf.writeBytes(IMAGES_DETAILS_END);
    }

    /**
     * An embeddings answer: one vector of {@code dimensions} numbers per input (floats, or base64 of
     * little-endian float32), and the usage OpenAI reports for embeddings ({@code prompt_tokens},
     * {@code total_tokens}).
     */
    ByteBuf embeddings(ByteBufAllocator alloc, Reply.Embeddings r, byte[] model) {
        int each = r.base64() ? (r.dimensions() * 4 + 2) / 3 * 4 + 60 : r.dimensions() * 12 + 60;
        ByteBuf buf = alloc.buffer(120 + model.length + r.inputs() * each);
        buf.writeBytes(EMBEDDINGS_HEAD);
        byte[] raw = r.base64() ? new byte[r.dimensions() * 4] : null;
        for (int i = 0; i < r.inputs(); i++) {
            if (i > 0) {
                buf.writeByte(',');
            }
            buf.writeBytes(EMBEDDING_INDEX);
            writeLong(buf, i);
            buf.writeBytes(EMBEDDING_VALUES);
            if (raw != null) {
                for (int d = 0; d < r.dimensions(); d++) {
                    int bits = Float.floatToIntBits(vectorValue(r.number(), i, d));
                    raw[4 * d] = (byte) bits;
                    raw[4 * d + 1] = (byte) (bits >>> 8);
                    raw[4 * d + 2] = (byte) (bits >>> 16);
                    raw[4 * d + 3] = (byte) (bits >>> 24);
                }
                buf.writeByte('"').writeBytes(Base64.getEncoder().encode(raw)).writeByte('"');
            } else {
                buf.writeByte('[');
                for (int d = 0; d < r.dimensions(); d++) {
                    if (d > 0) {
                        buf.writeByte(',');
                    }
                    writeFraction(buf, vectorValue(r.number(), i, d));
                }
                buf.writeByte(']');
            }
            buf.writeByte('}');
        }
        buf.writeBytes(EMBEDDINGS_MODEL).writeBytes(model).writeByte('"');
        if (!r.omitUsage()) {
            buf.writeBytes(EMBEDDINGS_USAGE);
            writeLong(buf, r.promptTokens());
            buf.writeBytes(USAGE_TOTAL);
            writeLong(buf, r.promptTokens());
            buf.writeByte('}');
        }
        return buf.writeBytes(OBJECT_END);
    }

    /** A value in (-0.1, 0.1), the same for the same request, input and dimension. */
    static float vectorValue(long number, int input, int dimension) {
        long z = number * 0x9E3779B97F4A7C15L + input * 0xBF58476D1CE4E5B9L + dimension * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 31)) * 0xBF58476D1CE4E5B9L;
        z ^= z >>> 29;
        return ((z >>> 40) / (float) (1L << 24) - 0.5f) / 5f;
    }

    /** A value in (-1, 1) with six decimals, as text, without making a String. */
    private static void writeFraction(ByteBuf buf, float v) {
        long micros = Math.round(v * 1_000_000.0);
        if (micros < 0) {
            buf.writeByte('-');
            micros = -micros;
        }
        buf.writeByte('0').writeByte('.');
        for (long div = 100_000; div > 0; div /= 10) {
            buf.writeByte('0' + (int) (micros / div % 10));
        }
    }

    /** The id shared by a request's objects: the instance's tag and the request's number. */
    String idText(long number) {
        return new String(idTag, US_ASCII) + number;
    }

    /** The text of an answer of {@code n} tokens. */
    String contentText(int n) {
        ByteBuf buf = Unpooled.buffer(contentLength(n));
        writeContent(buf, n);
        return buf.toString(US_ASCII);
    }

    /** OpenAI's error object: {@code {"error":{"message":...,"type":...,"param":...,"code":...}}}. */
    ByteBuf error(ByteBufAllocator alloc, Reply.Failure f) {
        String json = "{\"error\":{\"message\":" + quote(f.message()) + ",\"type\":" + quote(f.type())
                + ",\"param\":" + quote(f.param()) + ",\"code\":" + quote(f.code()) + "}}";
        byte[] bytes = json.getBytes(UTF_8);
        return alloc.buffer(bytes.length).writeBytes(bytes);
    }

    /** Bytes of the content of an answer of {@code n} tokens. */
    int contentLength(int n) {
        int size = tokens.length;
        return (n / size) * cycle.length + offsets[n % size];
    }

    private void writeContent(ByteBuf buf, int n) {
        int size = tokens.length;
        for (int i = n / size; i > 0; i--) {
            buf.writeBytes(cycle);
        }
        buf.writeBytes(cycle, 0, offsets[n % size]);
    }

    private void writeId(ByteBuf buf, long number) {
        buf.writeBytes(idTag);
        writeLong(buf, number);
    }

    private static byte[] chunkEnd(Reply.Generation g) {
        // OpenAI sends "usage":null on every chunk but the last when usage was asked for.
        return g.includeUsage() && !g.omitUsage() ? CHUNK_END_NULL_USAGE : CHUNK_END;
    }

    private static void writeUsage(ByteBuf buf, int prompt, int completion) {
        buf.writeBytes(USAGE_PROMPT);
        writeLong(buf, prompt);
        buf.writeBytes(USAGE_COMPLETION);
        writeLong(buf, completion);
        buf.writeBytes(USAGE_TOTAL);
        writeLong(buf, (long) prompt + completion);
        buf.writeBytes(OBJECT_END);
    }

    /** Writes a non-negative number in decimal without making a String. */
    static void writeLong(ByteBuf buf, long value) {
        if (value < 0) {
            buf.writeByte('-');
            value = -value;
        }
        if (value < 10) {
            buf.writeByte('0' + (int) value);
            return;
        }
        long divisor = 1;
        while (value / divisor >= 10) {
            divisor *= 10;
        }
        for (; divisor > 0; divisor /= 10) {
            buf.writeByte('0' + (int) (value / divisor % 10));
        }
    }

    private static String quote(String s) {
        return s == null ? "null" : "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }

    static byte[] ascii(String s) {
        return s.getBytes(US_ASCII);
    }
}
