package ai.dalsi.gateway.simulator;

/**
 * Names of the request headers that shape one answer of the {@link SimulatedBackend}, for tests
 * that send them (directly or through the gateway). What each does is described on
 * {@link SimulatedBackend}.
 */
public final class SimHeaders {

    /** Milliseconds before a whole answer (and a stream's first token unless {@link #TTFT_MS}). */
    public static final String LATENCY_MS = "x-sim-latency-ms";
    /** Milliseconds before a stream's first token. */
    public static final String TTFT_MS = "x-sim-ttft-ms";
    /** Stream pace; 0 = as fast as the connection takes it. */
    public static final String TOKENS_PER_SECOND = "x-sim-tokens-per-second";
    /** Answer size in tokens, still capped by the request's max_tokens. */
    public static final String COMPLETION_TOKENS = "x-sim-completion-tokens";
    /** Answer with this status (400..599) and OpenAI's error JSON. */
    public static final String STATUS = "x-sim-status";
    /** {@code true}: no usage object and no usage chunk. */
    public static final String OMIT_USAGE = "x-sim-omit-usage";
    /** Close the connection after this many streamed tokens (or, not streaming, instead of answering). */
    public static final String ABORT_AFTER_TOKENS = "x-sim-abort-after-tokens";

    private SimHeaders() {
    }
}
