package ai.dalsi.metering.tokens;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;

/**
 * Counts tokens as OpenAI's models do, with the real tokenizer (jtokkit) and the encoding of each
 * model ({@link ModelEncodings}). Thread-safe and cheap to share: the encodings are loaded once
 * per JVM ({@link TokenEncoding}); counting allocates only what jtokkit does.
 *
 * <p>Chat prompts are counted the way OpenAI's cookbook ("How to count tokens with tiktoken")
 * counts them for current models: {@value #TOKENS_PER_MESSAGE} tokens per message, plus its role,
 * its content (a string, or the text of its text parts) and its name, with
 * {@value #TOKENS_PER_NAME} more for a name, plus {@value #TOKENS_PER_REPLY} tokens that prime the
 * reply. An image part counts {@value #TOKENS_PER_IMAGE} tokens (OpenAI's figure for an image at low
 * detail; more detailed images cost more, which only the backend's own usage can tell). Text
 * prompts count their text and one token per token id. Generated text is counted per choice.
 * Special-token text such as {@code <|endoftext|>} in a prompt counts as ordinary text, as a user
 * sending it would be charged.
 */
public final class TokenCounter {

    /** Tokens around every chat message ({@code <|start|>role<|message|>...<|end|>}). */
    public static final int TOKENS_PER_MESSAGE = 3;
    /** Extra tokens for a message's {@code name}. */
    public static final int TOKENS_PER_NAME = 1;
    /** Tokens that prime every reply ({@code <|start|>assistant<|message|>}). */
    public static final int TOKENS_PER_REPLY = 3;
    /** Tokens of one image part at low detail. */
    public static final int TOKENS_PER_IMAGE = 85;

    private final ModelEncodings encodings;

    public TokenCounter(ModelEncodings encodings) {
        this.encodings = encodings;
    }

    /** Counts every model with its family's encoding. */
    public static TokenCounter byModelFamily() {
        return new TokenCounter(ModelEncodings.BY_FAMILY);
    }

    /** The encoding this counter uses for a model. */
    public TokenEncoding encodingOf(String model) {
        return encodings.forModel(model);
    }

    /**
     * Loads the encodings these models (and the explicitly configured ones) need, now: a
     * vocabulary takes a second or more to load, which must happen at start and never on an event
     * loop. Models not named here load their encoding on first use.
     */
    public TokenCounter preload(Collection<String> models) {
        Set<TokenEncoding> needed = EnumSet.noneOf(TokenEncoding.class);
        needed.addAll(encodings.explicit().values());
        for (String m : models) {
            needed.add(encodings.forModel(m));
        }
        for (TokenEncoding e : needed) {
            e.encoding().countTokensOrdinary("");
        }
        return this;
    }

    /** Tokens of a text, for this model. */
    public int countText(String model, String text) {
        if (text == null || text.isEmpty()) {
            return 0;
        }
        return encodings.forModel(model).encoding().countTokensOrdinary(text);
    }

    /** Tokens of a request's prompt, for this model (see the class comment for chat overheads). */
    public int countPrompt(String model, Prompt prompt) {
        long total = 0;
        switch (prompt) {
            case Prompt.Chat chat -> {
                var encoding = encodings.forModel(model).encoding();
                for (Prompt.Message m : chat.messages()) {
                    total += TOKENS_PER_MESSAGE + encoding.countTokensOrdinary(m.role());
                    for (String t : m.texts()) {
                        total += encoding.countTokensOrdinary(t);
                    }
                    if (m.name() != null) {
                        total += encoding.countTokensOrdinary(m.name()) + TOKENS_PER_NAME;
                    }
                    total += (long) TOKENS_PER_IMAGE * m.images();
                }
                total += TOKENS_PER_REPLY;
            }
            case Prompt.Text text -> {
                for (String t : text.texts()) {
                    total += countText(model, t);
                }
                total += text.tokenIds();
            }
        }
        return (int) Math.min(total, Integer.MAX_VALUE);
    }

    /** Tokens of what a model generated, for this model: each choice counted on its own. */
    public int countGenerated(String model, GeneratedText generated) {
        long total = 0;
        for (String choice : generated.choices()) {
            total += countText(model, choice);
        }
        return (int) Math.min(total, Integer.MAX_VALUE);
    }
}
