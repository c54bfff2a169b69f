package ai.dalsi.gateway.simulator;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * What to answer one request with, and after how long: decided by {@link ReplyPlanner} from the
 * request and the settings, carried out by {@link SimulatorHandler}.
 */
sealed interface Reply {

    /** Delay before the answer (or, for a stream, before its first chunk), in nanoseconds. */
    long delayNanos();

    /**
     * An OpenAI error JSON body.
     *
     * @param param  the request field at fault, or null
     * @param code   OpenAI's {@code error.code}, or null
     * @param allow  value of the {@code Allow} header (405 only), or null
     */
    record Failure(long delayNanos, HttpResponseStatus status, String type, String code, String param,
            String message, String allow) implements Reply {

        static Failure now(HttpResponseStatus status, String type, String code, String param, String message) {
            return new Failure(0, status, type, code, param, message, null);
        }
    }

    /** Close the connection without an answer (the {@code x-sim-abort-after-tokens} fault). */
    record Drop(long delayNanos) implements Reply {
    }

    /** The model list, or one model of it. */
    record Models(String modelId) implements Reply {
        @Override
        public long delayNanos() {
            return 0;
        }
    }

    /** The tiny picture behind every generated image's url. */
    record ImageFile() implements Reply {
        @Override
        public long delayNanos() {
            return 0;
        }
    }

    /** An image generation answer with {@code n} images; {@code number} numbers the request. */
    record Images(long delayNanos, long number, int n, boolean base64, int inputTokens, int outputTokensPerImage,
            boolean omitUsage) implements Reply {
    }

    /**
     * Embedding vectors, one per input.
     *
     * @param promptTokens the inputs' tokens, all of them billed
     * @param dimensions   numbers per vector
     * @param base64       vectors as base64 of little-endian float32 ({@code encoding_format: base64})
     */
    record Embeddings(long delayNanos, long number, String model, int inputs, int promptTokens, int dimensions,
            boolean base64, boolean omitUsage) implements Reply {
    }

    /**
     * Chat ({@code chat.completion}), text ({@code text_completion}) or Responses API ({@code response})
     * generation.
     */
    enum Kind { CHAT, TEXT, RESPONSES }

    /**
     * A generated answer, whole or streamed.
     *
     * @param number            the request's number, part of the answer's id
     * @param completionTokens  tokens to generate
     * @param truncated         the request's max_tokens cut the answer short ({@code finish_reason: length})
     * @param tokensPerSecond   pace of a stream's tokens after the first; 0 = unpaced
     * @param abortAfterTokens  close the connection after this many content tokens; -1 = never
     */
    record Generation(long delayNanos, long number, Kind kind, String model, boolean stream, boolean includeUsage,
            boolean omitUsage, int promptTokens, int completionTokens, boolean truncated,
            double tokensPerSecond, int abortAfterTokens) implements Reply {

        String finishReason() {
            return truncated ? "length" : "stop";
        }
    }
}
