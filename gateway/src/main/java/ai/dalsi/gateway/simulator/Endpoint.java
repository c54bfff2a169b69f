package ai.dalsi.gateway.simulator;

/** The paths the simulator serves, for routing and for counting requests by path. */
enum Endpoint {
    CHAT_COMPLETIONS("/v1/chat/completions"),
    COMPLETIONS("/v1/completions"),
    IMAGE_GENERATIONS("/v1/images/generations"),
    EMBEDDINGS("/v1/embeddings"),
    RESPONSES("/v1/responses"),
    MODELS("/v1/models"),
    /** {@code /v1/models/{id}}. */
    MODEL("/v1/models/{id}"),
    /** {@code /images/{name}.png}: the picture an image generation's url points to. */
    IMAGE_FILE("/images/{name}"),
    /** Anything else (answered with 404); grouped so that random paths cannot grow the stats. */
    OTHER("other");

    private final String path;

    Endpoint(String path) {
        this.path = path;
    }

    String path() {
        return path;
    }

    /** Routes a request path (without query string). */
    static Endpoint of(String path) {
        return switch (path) {
            case "/v1/chat/completions" -> CHAT_COMPLETIONS;
            case "/v1/completions" -> COMPLETIONS;
            case "/v1/images/generations" -> IMAGE_GENERATIONS;
            case "/v1/embeddings" -> EMBEDDINGS;
            case "/v1/responses" -> RESPONSES;
            case "/v1/models" -> MODELS;
            default -> {
                if (path.startsWith("/v1/models/") && path.length() > "/v1/models/".length()) {
                    yield MODEL;
                }
                if (path.startsWith("/images/") && path.endsWith(".png")) {
                    yield IMAGE_FILE;
                }
                yield OTHER;
            }
        };
    }
}
