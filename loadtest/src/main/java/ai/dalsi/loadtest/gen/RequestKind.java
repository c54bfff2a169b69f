package ai.dalsi.loadtest.gen;

import java.util.Locale;

/**
 * The kinds of request a load mix is made of, each with the OpenAI path it calls and the body it
 * sends. The names are what {@code --mix} accepts ({@code chat=60,stream=20,...}).
 */
public enum RequestKind {
    /** {@code POST /v1/chat/completions}, answered in one JSON body. */
    CHAT("chat", "POST", "/v1/chat/completions", false),
    /** {@code POST /v1/chat/completions} with {@code stream: true}: read the SSE stream to its end. */
    STREAM("stream", "POST", "/v1/chat/completions", true),
    /** {@code POST /v1/completions}. */
    COMPLETION("completion", "POST", "/v1/completions", false),
    /** {@code POST /v1/images/generations}. */
    IMAGE("image", "POST", "/v1/images/generations", false),
    /** {@code GET /v1/models}. */
    MODELS("models", "GET", "/v1/models", false);

    private final String label;
    private final String method;
    private final String path;
    private final boolean streaming;

    RequestKind(String label, String method, String path, boolean streaming) {
        this.label = label;
        this.method = method;
        this.path = path;
        this.streaming = streaming;
    }

    /** The name used in {@code --mix} and in reports. */
    public String label() {
        return label;
    }

    public String method() {
        return method;
    }

    /** The path below the base URL, starting with {@code /v1/}. */
    public String path() {
        return path;
    }

    /** Whether the response is a server-sent event stream. */
    public boolean streaming() {
        return streaming;
    }

    /** The JSON body this kind sends, or null for a GET. */
    public String body(String textModel, String imageModel) {
        return switch (this) {
            case CHAT -> "{\"model\":\"" + textModel + "\",\"messages\":[{\"role\":\"user\",\"content\":"
                    + "\"Say hello in one short sentence.\"}],\"max_tokens\":32}";
            case STREAM -> "{\"model\":\"" + textModel + "\",\"messages\":[{\"role\":\"user\",\"content\":"
                    + "\"Say hello in one short sentence.\"}],\"max_tokens\":32,\"stream\":true,"
                    + "\"stream_options\":{\"include_usage\":true}}";
            case COMPLETION -> "{\"model\":\"" + textModel + "\",\"prompt\":\"Once upon a time\",\"max_tokens\":32}";
            case IMAGE -> "{\"model\":\"" + imageModel + "\",\"prompt\":\"a lighthouse at dusk\",\"n\":1,"
                    + "\"size\":\"256x256\"}";
            case MODELS -> null;
        };
    }

    /** The kind named {@code label} (case-insensitive). */
    public static RequestKind ofLabel(String label) {
        String l = label.trim().toLowerCase(Locale.ROOT);
        for (RequestKind k : values()) {
            if (k.label.equals(l)) {
                return k;
            }
        }
        throw new IllegalArgumentException("--mix: unknown request kind '" + label + "' (expected one of: "
                + "chat, stream, completion, image, models)");
    }
}
