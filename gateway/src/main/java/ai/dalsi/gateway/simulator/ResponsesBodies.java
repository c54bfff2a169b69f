package ai.dalsi.gateway.simulator;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * The Responses API's bodies ({@code POST /v1/responses}): a whole {@code response} object, and a
 * stream of typed server-sent events as OpenAI sends them: {@code response.created},
 * {@code response.in_progress}, {@code response.output_item.added},
 * {@code response.content_part.added}, one {@code response.output_text.delta} per token, then
 * {@code response.output_text.done}, {@code response.content_part.done},
 * {@code response.output_item.done} and the terminal {@code response.completed} (or
 * {@code response.incomplete} when {@code max_output_tokens} cut the answer short) carrying the
 * usage. There is no {@code [DONE]}. Each event has its {@code event:} line and a
 * {@code sequence_number} counting from 0.
 *
 * <p>The per-token event is written from fragments; the few events of a stream's start and end
 * are built as text.
 */
final class ResponsesBodies {

    private static final byte[] DELTA_HEAD = ascii("event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":");
    private static final byte[] DELTA_ITEM = ascii(",\"item_id\":\"");
    private static final byte[] DELTA_TEXT = ascii("\",\"output_index\":0,\"content_index\":0,\"delta\":\"");
    private static final byte[] DELTA_END = ascii("\",\"logprobs\":[]}\n\n");
    /** Events before the first delta: created, in_progress, output_item.added, content_part.added. */
    private static final int OPENING_EVENTS = 4;

    private final Bodies bodies;

    ResponsesBodies(Bodies bodies) {
        this.bodies = bodies;
    }

    /** What every event of one stream shares: {@code resp_<tag><n>}; the message is {@code msg_<tag><n>}. */
    byte[] prefix(Reply.Generation g) {
        return ascii(bodies.idText(g.number()));
    }

    /** A whole response object. */
    ByteBuf response(ByteBufAllocator alloc, Reply.Generation g, byte[] model, long created) {
        String json = response(g, model, created, true, Bodies.ascii(bodies.contentText(g.completionTokens())));
        return alloc.buffer(json.length()).writeBytes(ascii(json));
    }

    /** The four events before the first token. */
    ByteBuf opening(ByteBufAllocator alloc, Reply.Generation g, byte[] model, long created) {
        String id = bodies.idText(g.number());
        String inProgress = response(g, model, created, false, null);
        StringBuilder sb = new StringBuilder(2 * inProgress.length() + 600);
        event(sb, "response.created", 0).append(",\"response\":").append(inProgress).append("}\n\n");
        event(sb, "response.in_progress", 1).append(",\"response\":").append(inProgress).append("}\n\n");
        event(sb, "response.output_item.added", 2).append(",\"output_index\":0,\"item\":")
                .append(message(id, "in_progress", null)).append("}\n\n");
        event(sb, "response.content_part.added", 3).append(",\"item_id\":\"msg_").append(id)
                .append("\",\"output_index\":0,\"content_index\":0,\"part\":").append(part("")).append("}\n\n");
        return Unpooled.wrappedBuffer(ascii(sb.toString()));
    }

    /** The delta event of content token {@code index} (0-based). */
    ByteBuf delta(ByteBufAllocator alloc, byte[] prefix, byte[] token, int index) {
        ByteBuf buf = alloc.buffer(DELTA_HEAD.length + prefix.length + token.length + 120);
        buf.writeBytes(DELTA_HEAD);
        Bodies.writeLong(buf, OPENING_EVENTS + index);
        buf.writeBytes(DELTA_ITEM).writeBytes(ascii("msg_")).writeBytes(prefix).writeBytes(DELTA_TEXT).writeBytes(token);
        return buf.writeBytes(DELTA_END);
    }

    /** The events after the last token, ending with the terminal one (with the usage, unless omitted). */
    ByteBuf closing(ByteBufAllocator alloc, Reply.Generation g, byte[] model, long created) {
        String id = bodies.idText(g.number());
        String text = bodies.contentText(g.completionTokens());
        int seq = OPENING_EVENTS + g.completionTokens();
        StringBuilder sb = new StringBuilder(3 * text.length() + 1500);
        event(sb, "response.output_text.done", seq).append(",\"item_id\":\"msg_").append(id)
                .append("\",\"output_index\":0,\"content_index\":0,\"text\":\"").append(text)
                .append("\",\"logprobs\":[]}\n\n");
        event(sb, "response.content_part.done", seq + 1).append(",\"item_id\":\"msg_").append(id)
                .append("\",\"output_index\":0,\"content_index\":0,\"part\":").append(part(text)).append("}\n\n");
        event(sb, "response.output_item.done", seq + 2).append(",\"output_index\":0,\"item\":")
                .append(message(id, "completed", text)).append("}\n\n");
        String terminal = g.truncated() ? "response.incomplete" : "response.completed";
        event(sb, terminal, seq + 3).append(",\"response\":").append(response(g, model, created, true, ascii(text)))
                .append("}\n\n");
        return Unpooled.wrappedBuffer(ascii(sb.toString()));
    }

    private static StringBuilder event(StringBuilder sb, String type, int sequence) {
        return sb.append("event: ").append(type).append("\ndata: {\"type\":\"").append(type)
                .append("\",\"sequence_number\":").append(sequence);
    }

    /** The response object; {@code done} with its output and usage, else in progress. */
    private String response(Reply.Generation g, byte[] model, long created, boolean done, byte[] text) {
        String id = bodies.idText(g.number());
        String status = !done ? "in_progress" : g.truncated() ? "incomplete" : "completed";
        StringBuilder sb = new StringBuilder(700 + (text == null ? 0 : text.length));
        sb.append("{\"id\":\"resp_").append(id).append("\",\"object\":\"response\",\"created_at\":").append(created)
                .append(",\"status\":\"").append(status).append("\",\"background\":false,\"error\":null")
                .append(",\"incomplete_details\":")
                .append(done && g.truncated() ? "{\"reason\":\"max_output_tokens\"}" : "null")
                .append(",\"instructions\":null,\"max_output_tokens\":null,\"model\":\"")
                .append(new String(model, UTF_8)).append("\",\"output\":[");
        if (done) {
            sb.append(message(id, g.truncated() ? "incomplete" : "completed", new String(text, UTF_8)));
        }
        sb.append("],\"parallel_tool_calls\":true,\"previous_response_id\":null,")
                .append("\"reasoning\":{\"effort\":null,\"summary\":null},\"service_tier\":\"default\",\"store\":false,")
                .append("\"temperature\":1.0,\"text\":{\"format\":{\"type\":\"text\"}},\"tool_choice\":\"auto\",")
                .append("\"tools\":[],\"top_p\":1.0,\"truncation\":\"disabled\",\"usage\":");
        if (done && !g.omitUsage()) {
            int p = g.promptTokens();
            int c = g.completionTokens();
            sb.append("{\"input_tokens\":").append(p).append(",\"input_tokens_details\":{\"cached_tokens\":0}")
                    .append(",\"output_tokens\":").append(c).append(",\"output_tokens_details\":{\"reasoning_tokens\":0}")
                    .append(",\"total_tokens\":").append((long) p + c).append('}');
        } else {
            sb.append("null");
        }
        return sb.append(",\"user\":null,\"metadata\":{}}").toString();
    }

    private static String message(String id, String status, String text) {
        return "{\"id\":\"msg_" + id + "\",\"type\":\"message\",\"status\":\"" + status
                + "\",\"role\":\"assistant\",\"content\":[" + (text == null ? "" : part(text)) + "]}";
    }

    private static String part(String text) {
        return "{\"type\":\"output_text\",\"annotations\":[],\"logprobs\":[],\"text\":\"" + text + "\"}";
    }

    private static byte[] ascii(String s) {
        return s.getBytes(UTF_8);
    }
}
