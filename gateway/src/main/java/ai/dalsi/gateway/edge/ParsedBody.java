package ai.dalsi.gateway.edge;

/** What the edge reads from a JSON request body, or why it cannot. */
sealed interface ParsedBody {

    /**
     * A body the edge can route and check.
     *
     * @param model               the {@code model} named
     * @param stream              {@code "stream": true}
     * @param clientAskedForUsage {@code stream_options.include_usage} was true
     * @param streamOptionsPresent a {@code stream_options} member exists (so adding usage means rewriting it)
     * @param maxTokens           {@code max_tokens} or {@code max_completion_tokens} (the larger), or -1
     * @param n                   {@code n}, or 1
     * @param rootEnd             byte offset of the root object's closing brace
     */
    record Fields(String model, boolean stream, boolean clientAskedForUsage, boolean streamOptionsPresent,
            long maxTokens, long n, long rootEnd) implements ParsedBody {
    }

    /**
     * Not acceptable: 400 {@code invalid_request}.
     *
     * @param message what the client reads
     * @param param   the field at fault, or null
     */
    record Invalid(String message, String param) implements ParsedBody {
    }
}
