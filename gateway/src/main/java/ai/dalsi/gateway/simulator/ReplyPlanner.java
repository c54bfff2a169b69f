package ai.dalsi.gateway.simulator;

import ai.dalsi.metering.tokens.PromptReader;
import ai.dalsi.metering.tokens.TokenCounter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;

/**
 * Decides how to answer a request: routes it, reads the {@code x-sim-*} overrides and the body,
 * and returns a {@link Reply}. Plain logic with no I/O, shared by every connection (thread-safe).
 */
final class ReplyPlanner {

    static final AsciiString LATENCY_MS = AsciiString.cached(SimHeaders.LATENCY_MS);
    static final AsciiString TTFT_MS = AsciiString.cached(SimHeaders.TTFT_MS);
    static final AsciiString TOKENS_PER_SECOND = AsciiString.cached(SimHeaders.TOKENS_PER_SECOND);
    static final AsciiString COMPLETION_TOKENS = AsciiString.cached(SimHeaders.COMPLETION_TOKENS);
    static final AsciiString STATUS = AsciiString.cached(SimHeaders.STATUS);
    static final AsciiString OMIT_USAGE = AsciiString.cached(SimHeaders.OMIT_USAGE);
    static final AsciiString ABORT_AFTER_TOKENS = AsciiString.cached(SimHeaders.ABORT_AFTER_TOKENS);

    /** Largest delay a header may ask for; a typo should not park a connection for days. */
    private static final long MAX_DELAY_MS = 600_000;
    private static final int MAX_IMAGES = 10;

    private final SimulatorConfig config;
    private final SimulatorStats stats;
    private final TokenCounter tokens;
    private final long latencyNanos;
    private final long ttftNanos;
    private final long imageLatencyNanos;

    ReplyPlanner(SimulatorConfig config, SimulatorStats stats) {
        this.config = config;
        this.stats = stats;
        // Usage is a real count: the prompt with the tokenizer of the model's family (loaded here,
        // not on an event loop, for the configured models), the answer by construction (Bodies).
        this.tokens = TokenCounter.byModelFamily().preload(config.models());
        this.latencyNanos = config.latency().toNanos();
        this.ttftNanos = config.timeToFirstToken().toNanos();
        this.imageLatencyNanos = config.imageLatency().toNanos();
    }

    /** Thrown for an unusable header or body; carries no stack trace. */
    private static final class BadRequest extends Exception {
        final String param;

        BadRequest(String param, String message) {
            super(message, null, false, false);
            this.param = param;
        }
    }

    /** Header overrides of one request; -1 (or NaN, null) where the header is absent. */
    private record Overrides(long latencyMs, long ttftMs, double tokensPerSecond, int completionTokens,
            int status, boolean omitUsage, int abortAfterTokens) {
    }

    private static final Overrides NONE = new Overrides(-1, -1, Double.NaN, -1, -1, false, -1);

    Reply plan(FullHttpRequest request) {
        String uri = request.uri();
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        Endpoint endpoint = Endpoint.of(path);
        HttpMethod method = request.method();
        boolean post = endpoint == Endpoint.CHAT_COMPLETIONS || endpoint == Endpoint.COMPLETIONS
                || endpoint == Endpoint.IMAGE_GENERATIONS || endpoint == Endpoint.EMBEDDINGS
                || endpoint == Endpoint.RESPONSES;

        RequestBody body = null;
        RequestBody.Invalid invalidBody = null;
        if (post && method.equals(HttpMethod.POST)) {
            try {
                body = RequestBody.parse(request.content());
            } catch (RequestBody.Invalid e) {
                invalidBody = e;
            }
        }
        long number = stats.received(endpoint, new RecordedRequest(method.name(), uri, request.headers(),
                body == null ? null : body.model(), body != null && body.stream(), body != null && body.includeUsage()));

        if (endpoint == Endpoint.OTHER) {
            return Reply.Failure.now(HttpResponseStatus.NOT_FOUND, "invalid_request_error", null, null,
                    "Invalid URL (" + method.name() + " " + path + ")");
        }
        HttpMethod expected = post ? HttpMethod.POST : HttpMethod.GET;
        if (!method.equals(expected)) {
            return new Reply.Failure(0, HttpResponseStatus.METHOD_NOT_ALLOWED, "invalid_request_error",
                    "method_not_allowed", null, "Method " + method.name() + " is not allowed on " + path
                    + " (expected: " + expected.name() + ")", expected.name());
        }
        switch (endpoint) {
            case MODELS:
                return new Reply.Models(null);
            case MODEL:
                return new Reply.Models(path.substring("/v1/models/".length()));
            case IMAGE_FILE:
                return new Reply.ImageFile();
            default:
                break;
        }

        try {
            Overrides o = overrides(request.headers());
            if (invalidBody != null) {
                throw new BadRequest(invalidBody.param(), invalidBody.getMessage());
            }
            ByteBuf content = request.content();
            return switch (endpoint) {
                case IMAGE_GENERATIONS -> images(number, body, o, content);
                case EMBEDDINGS -> embeddings(number, body, o, content);
                case CHAT_COMPLETIONS -> generation(number, Reply.Kind.CHAT, body, o, content);
                case RESPONSES -> generation(number, Reply.Kind.RESPONSES, body, o, content);
                default -> generation(number, Reply.Kind.TEXT, body, o, content);
            };
        } catch (BadRequest e) {
            return Reply.Failure.now(HttpResponseStatus.BAD_REQUEST, "invalid_request_error",
                    "invalid_request", e.param, e.getMessage());
        }
    }

    private Reply generation(long number, Reply.Kind kind, RequestBody body, Overrides o, ByteBuf content)
            throws BadRequest {
        if (body.model() == null) {
            throw new BadRequest("model", "you must provide a model parameter");
        }
        if (kind == Reply.Kind.RESPONSES && body.inputs() < 0) {
            throw new BadRequest("input", "Missing required parameter: 'input'.");
        }
        if (kind == Reply.Kind.CHAT && body.messages() < 1) {
            throw new BadRequest("messages", body.messages() < 0
                    ? "Missing required parameter: 'messages'."
                    : "Invalid 'messages': empty array. Expected an array with minimum length 1.");
        }
        int promptTokens = promptTokens(body.model(), content);
        boolean stream = body.stream();
        long delay = stream
                ? (o.ttftMs >= 0 ? o.ttftMs * 1_000_000 : o.latencyMs >= 0 ? o.latencyMs * 1_000_000 : ttftNanos)
                : (o.latencyMs >= 0 ? o.latencyMs * 1_000_000 : latencyNanos);
        Reply failure = failure(number, o, delay);
        if (failure != null) {
            return failure;
        }
        if (!stream && o.abortAfterTokens >= 0) {
            return new Reply.Drop(delay);
        }
        int planned = o.completionTokens >= 0 ? o.completionTokens : config.completionTokens();
        boolean truncated = body.maxTokens() >= 1 && body.maxTokens() < planned;
        int tokens = truncated ? body.maxTokens() : planned;
        double pace = Double.isNaN(o.tokensPerSecond) ? config.tokensPerSecond() : o.tokensPerSecond;
        // A responses stream always reports its usage, in its terminal event.
        boolean includeUsage = stream && (body.includeUsage() || kind == Reply.Kind.RESPONSES);
        return new Reply.Generation(delay, number, kind, body.model(), stream, includeUsage,
                o.omitUsage, promptTokens, tokens, truncated, pace, o.abortAfterTokens);
    }

    private Reply images(long number, RequestBody body, Overrides o, ByteBuf content) throws BadRequest {
        if (!body.prompt()) {
            throw new BadRequest("prompt", "Missing required parameter: 'prompt'.");
        }
        int n = body.n() == -1 ? 1 : body.n();
        if (n < 1 || n > MAX_IMAGES) {
            throw new BadRequest("n", "Invalid 'n': " + n + " (expected: 1.." + MAX_IMAGES + ").");
        }
        long delay = o.latencyMs >= 0 ? o.latencyMs * 1_000_000 : imageLatencyNanos;
        Reply failure = failure(number, o, delay);
        if (failure != null) {
            return failure;
        }
        if (o.abortAfterTokens >= 0) {
            return new Reply.Drop(delay);
        }
        return new Reply.Images(delay, number, n, body.base64(), promptTokens(body.model(), content),
                outputTokensPerImage(body.quality()), o.omitUsage);
    }

    /** Largest {@code dimensions} of an embedding: text-embedding-3-large's. */
    static final int MAX_DIMENSIONS = 3072;
    /** Dimensions of an embedding when the request names none: text-embedding-3-small's. */
    static final int DEFAULT_DIMENSIONS = 1536;
    /** Most inputs one embeddings request may have, as OpenAI's API allows. */
    private static final int MAX_INPUTS = 2048;

    private Reply embeddings(long number, RequestBody body, Overrides o, ByteBuf content) throws BadRequest {
        if (body.model() == null) {
            throw new BadRequest("model", "you must provide a model parameter");
        }
        if (body.inputs() < 1) {
            throw new BadRequest("input", body.inputs() < 0 ? "Missing required parameter: 'input'."
                    : "Invalid 'input': empty array. Expected an array with minimum length 1.");
        }
        if (body.inputs() > MAX_INPUTS) {
            throw new BadRequest("input", "Invalid 'input': " + body.inputs() + " inputs (expected: at most "
                    + MAX_INPUTS + ").");
        }
        int dimensions = body.dimensions() == -1 ? DEFAULT_DIMENSIONS : body.dimensions();
        if (dimensions > MAX_DIMENSIONS) {
            throw new BadRequest("dimensions", "Invalid 'dimensions': " + dimensions + " (expected: 1.."
                    + MAX_DIMENSIONS + ").");
        }
        long delay = o.latencyMs >= 0 ? o.latencyMs * 1_000_000 : latencyNanos;
        Reply failure = failure(number, o, delay);
        if (failure != null) {
            return failure;
        }
        if (o.abortAfterTokens >= 0) {
            return new Reply.Drop(delay);
        }
        // Text counted with the model's tokenizer; token-array inputs count their ids.
        int promptTokens = promptTokens(body.model(), content);
        return new Reply.Embeddings(delay, number, body.model(), body.inputs(), Math.max(1, promptTokens), dimensions,
                body.base64(), o.omitUsage);
    }

    /** A forced ({@code x-sim-status}) or injected ({@code errorRate}) error, or null for none. */
    private Reply failure(long number, Overrides o, long delay) {
        if (o.status >= 0) {
            return errorFor(HttpResponseStatus.valueOf(o.status), delay);
        }
        if (config.errorRate() > 0 && unitInterval(config.seed(), number) < config.errorRate()) {
            return errorFor(HttpResponseStatus.INTERNAL_SERVER_ERROR, delay);
        }
        return null;
    }

    /** OpenAI's error type and code for a status, as its API sends them. */
    static Reply.Failure errorFor(HttpResponseStatus status, long delay) {
        int code = status.code();
        String type;
        String errorCode = null;
        String message;
        if (code == 401) {
            type = "invalid_request_error";
            errorCode = "invalid_api_key";
            message = "Incorrect API key provided (simulated).";
        } else if (code == 403) {
            type = "permission_error";
            message = "You are not allowed to sample from this model (simulated).";
        } else if (code == 404) {
            type = "invalid_request_error";
            errorCode = "model_not_found";
            message = "The model does not exist or you do not have access to it (simulated).";
        } else if (code == 429) {
            type = "requests";
            errorCode = "rate_limit_exceeded";
            message = "Rate limit reached for requests (simulated).";
        } else if (code < 500) {
            type = "invalid_request_error";
            message = "The request was refused (simulated " + code + ").";
        } else {
            type = "server_error";
            message = "The server had an error while processing your request. Sorry about that! (simulated "
                    + code + ")";
        }
        return new Reply.Failure(delay, status, type, errorCode, null, message, null);
    }

    private static int outputTokensPerImage(String quality) {
        // gpt-image-1's token counts for a 1024x1024 image.
        if (quality == null) {
            return 1056;
        }
        return switch (quality) {
            case "low" -> 272;
            case "high", "hd" -> 4160;
            default -> 1056;
        };
    }

    private static Overrides overrides(HttpHeaders h) throws BadRequest {
        String latency = h.get(LATENCY_MS);
        String ttft = h.get(TTFT_MS);
        String pace = h.get(TOKENS_PER_SECOND);
        String tokens = h.get(COMPLETION_TOKENS);
        String status = h.get(STATUS);
        String omit = h.get(OMIT_USAGE);
        String abort = h.get(ABORT_AFTER_TOKENS);
        if (latency == null && ttft == null && pace == null && tokens == null && status == null && omit == null
                && abort == null) {
            return NONE;
        }
        double tokensPerSecond = Double.NaN;
        if (pace != null) {
            try {
                tokensPerSecond = Double.parseDouble(pace.strip());
            } catch (NumberFormatException e) {
                tokensPerSecond = -1;
            }
            if (!(tokensPerSecond >= 0) || Double.isInfinite(tokensPerSecond)) {
                throw new BadRequest(TOKENS_PER_SECOND.toString(),
                        TOKENS_PER_SECOND + ": " + pace + " (expected: a number >= 0, 0 = as fast as possible)");
            }
        }
        boolean omitUsage = false;
        if (omit != null) {
            if (!omit.equalsIgnoreCase("true") && !omit.equalsIgnoreCase("false")) {
                throw new BadRequest(OMIT_USAGE.toString(), OMIT_USAGE + ": " + omit + " (expected: true or false)");
            }
            omitUsage = omit.equalsIgnoreCase("true");
        }
        return new Overrides(
                number(LATENCY_MS, latency, 0, MAX_DELAY_MS),
                number(TTFT_MS, ttft, 0, MAX_DELAY_MS),
                tokensPerSecond,
                (int) number(COMPLETION_TOKENS, tokens, 1, SimulatorConfig.MAX_COMPLETION_TOKENS),
                (int) number(STATUS, status, 400, 599),
                omitUsage,
                (int) number(ABORT_AFTER_TOKENS, abort, 0, SimulatorConfig.MAX_COMPLETION_TOKENS));
    }

    private static long number(AsciiString header, String value, long min, long max) throws BadRequest {
        if (value == null) {
            return -1;
        }
        long v;
        try {
            v = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            v = Long.MIN_VALUE;
        }
        if (v < min || v > max) {
            throw new BadRequest(header.toString(), header + ": " + value + " (expected: " + min + ".." + max + ")");
        }
        return v;
    }

    /**
     * The prompt's tokens as OpenAI counts them: chat messages with their per-message overhead,
     * text prompts as text (see {@link TokenCounter#countPrompt}).
     */
    private int promptTokens(String model, ByteBuf content) {
        return tokens.countPrompt(model, PromptReader.read(new ByteBufInputStream(content.duplicate())));
    }

    /** A well-mixed value in [0, 1) for request {@code number}: the same seed fails the same requests. */
    static double unitInterval(long seed, long number) {
        long z = seed + number * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53;
    }
}
