package ai.dalsi.gateway.ratelimit;

/**
 * A key's tightest token window, for {@code x-ratelimit-limit-tokens},
 * {@code x-ratelimit-remaining-tokens} and {@code x-ratelimit-reset-tokens}.
 *
 * @param window     the limited window with the fewest tokens left
 * @param limit      its limit
 * @param remaining  tokens left in it (after this request's reservation, when one was made)
 * @param resetNanos until it is empty again (OpenAI: "resets to its initial state")
 */
public record TokenStatus(TokenWindow window, long limit, long remaining, long resetNanos) {
}
