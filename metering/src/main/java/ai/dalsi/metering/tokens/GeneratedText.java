package ai.dalsi.metering.tokens;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The text a model generated for one answer, gathered from what the backend sent: a whole
 * {@code chat.completion} / {@code text_completion} / {@code response} body, or the {@code data:}
 * payloads of its stream one by one. Only generated text is kept (message or delta {@code content},
 * {@code text}, {@code refusal}, tool calls' names and arguments; a responses answer's output text
 * and a responses stream's {@code response.*.delta} pieces), per choice; ids, roles, finish reasons, the
 * JSON around them and the SSE framing are not, so counting it counts what the model produced.
 * Not thread-safe: one exchange feeds it.
 *
 * <p>Lazy: what is added is kept as bytes and read only when the text is asked for, because it
 * almost never is (a backend that reports its usage is billed by it; the text counts only when it
 * does not, or when the client left first). Kept bytes are read as soon as they pass
 * {@value #PENDING_LIMIT} bytes, so a long stream holds its text, not its framing.
 */
public final class GeneratedText {

    private static final JsonFactory JSON = new JsonFactory();

    /** The most bytes kept unread. */
    static final int PENDING_LIMIT = 64 * 1024;

    /** Text per choice index; a choice's pieces are joined before counting, as the model produced them. */
    private final List<StringBuilder> choices = new ArrayList<>(1);
    /**
     * Bytes of the pages after the first: a page once written is never copied again, where one
     * array grown by doubling would copy its bytes at every step (and allocate twice as much).
     */
    static final int PAGE = 4096;
    /** The first page's smallest size: a whole JSON answer is usually one object of about this size. */
    private static final int FIRST_PAGE = 512;

    /**
     * The page being written: JSON objects added and not read yet, each after its length (4 bytes,
     * big-endian); null while none was added.
     */
    private byte[] page;
    private int pageLength;
    /** Pages filled before {@link #page}, oldest first, and the bytes used in each; null while none. */
    private byte[][] filled;
    private int[] filledLengths;
    private int filledCount;
    /** Bytes kept unread in all pages. */
    private int pendingLength;

    /**
     * Adds what one JSON object (a whole answer, or one stream chunk's payload) generated.
     * Anything that is not such JSON (a {@code [DONE]}, a torn chunk) adds nothing. The bytes are
     * copied: the caller may reuse its array.
     */
    public GeneratedText addJson(byte[] json, int offset, int length) {
        if (length <= 0) {
            return this;
        }
        if (length + 4 > PENDING_LIMIT) {
            settle();
            read(json, offset, length);
            return this;
        }
        if (pendingLength + length + 4 > PENDING_LIMIT) {
            settle();
        }
        if (page == null) {
            page = new byte[Math.max(FIRST_PAGE, length + 4)];
        } else if (pageLength + length + 4 > page.length) {
            if (pageLength > 0) {
                putAside(page, pageLength);
            }
            page = new byte[Math.max(PAGE, length + 4)];
            pageLength = 0;
        }
        byte[] p = page;
        int at = pageLength;
        p[at] = (byte) (length >>> 24);
        p[at + 1] = (byte) (length >>> 16);
        p[at + 2] = (byte) (length >>> 8);
        p[at + 3] = (byte) length;
        System.arraycopy(json, offset, p, at + 4, length);
        pageLength = at + length + 4;
        pendingLength += length + 4;
        return this;
    }

    /** Puts a written page aside, after the ones before it. */
    private void putAside(byte[] full, int used) {
        if (filled == null) {
            filled = new byte[4][];
            filledLengths = new int[4];
        } else if (filledCount == filled.length) {
            filled = Arrays.copyOf(filled, filledCount * 2);
            filledLengths = Arrays.copyOf(filledLengths, filledCount * 2);
        }
        filled[filledCount] = full;
        filledLengths[filledCount++] = used;
    }

    /** Reads every object kept, in the order they were added; the page being written is kept for reuse. */
    private void settle() {
        for (int i = 0; i < filledCount; i++) {
            readAll(filled[i], filledLengths[i]);
            filled[i] = null;
        }
        filledCount = 0;
        if (page != null) {
            readAll(page, pageLength);
        }
        pageLength = 0;
        pendingLength = 0;
    }

    private void readAll(byte[] p, int used) {
        int i = 0;
        while (i < used) {
            int length = (p[i] & 0xff) << 24 | (p[i + 1] & 0xff) << 16 | (p[i + 2] & 0xff) << 8 | (p[i + 3] & 0xff);
            read(p, i + 4, length);
            i += length + 4;
        }
    }

    private void read(byte[] json, int offset, int length) {
        try (JsonParser p = JSON.createParser(json, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return;
            }
            String type = null;
            String delta = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if ("choices".equals(field) && t == JsonToken.START_ARRAY) {
                    readChoices(p);
                } else if ("output".equals(field) && t == JsonToken.START_ARRAY) {
                    // A whole responses answer: its output items' text and tool calls' arguments.
                    StringBuilder text = new StringBuilder();
                    JsonStrings.collect(p, t, text::append, "text", "arguments");
                    if (!text.isEmpty()) {
                        choice(0).append(text);
                    }
                } else if ("type".equals(field) && t == JsonToken.VALUE_STRING) {
                    type = p.getText();
                } else if ("delta".equals(field) && t == JsonToken.VALUE_STRING) {
                    delta = p.getText();
                } else {
                    p.skipChildren();
                }
            }
            if (delta != null && type != null && type.startsWith("response.") && type.endsWith(".delta")) {
                // A responses stream's piece of output text, refusal or tool call arguments.
                choice(0).append(delta);
            }
        } catch (IOException | RuntimeException e) {
            // Not an answer object: nothing generated in it.
        }
    }

    /** {@link #addJson(byte[], int, int)} of a whole array. */
    public GeneratedText addJson(byte[] json) {
        return addJson(json, 0, json.length);
    }

    /**
     * Adds every {@code data:} payload of a piece of an event stream that holds whole lines
     * (e.g. a whole streamed answer, for tests and tools).
     */
    public GeneratedText addEventStream(String events) {
        for (String line : events.split("\r?\n")) {
            if (line.startsWith("data:")) {
                byte[] data = line.substring(5).strip().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                addJson(data);
            }
        }
        return this;
    }

    /** The generated text of each choice, by index. */
    public List<String> choices() {
        settle();
        List<String> out = new ArrayList<>(choices.size());
        for (StringBuilder sb : choices) {
            out.add(sb.toString());
        }
        return out;
    }

    /** Whether nothing was generated. */
    public boolean isEmpty() {
        settle();
        for (StringBuilder sb : choices) {
            if (!sb.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private void readChoices(JsonParser p) throws IOException {
        JsonToken t;
        int position = 0;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.START_OBJECT) {
                p.skipChildren();
                continue;
            }
            int index = position++;
            StringBuilder text = new StringBuilder();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "index" -> index = v == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : index;
                    case "text" -> appendString(p, v, text);
                    case "message", "delta" -> readMessage(p, v, text);
                    default -> p.skipChildren();
                }
            }
            if (!text.isEmpty() && index >= 0 && index < 1024) {
                choice(index).append(text);
            }
        }
    }

    private static void readMessage(JsonParser p, JsonToken t, StringBuilder text) throws IOException {
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "content", "refusal" -> appendString(p, v, text);
                case "tool_calls", "function_call" -> JsonStrings.collect(p, v, text::append, "name", "arguments");
                default -> p.skipChildren();
            }
        }
    }

    private static void appendString(JsonParser p, JsonToken v, StringBuilder text) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            text.append(p.getText());
        } else {
            p.skipChildren();
        }
    }

    private StringBuilder choice(int index) {
        while (choices.size() <= index) {
            choices.add(new StringBuilder());
        }
        return choices.get(index);
    }
}
