package ai.dalsi.metering.tokens;

import java.util.HashMap;
import java.util.Map;

/**
 * Which encoding counts a model's tokens: an explicit choice per model name (configuration), else
 * the model family's ({@link TokenEncoding#forModelFamily}). Immutable.
 */
public final class ModelEncodings {

    /** No explicit choices: every model is counted with its family's encoding. */
    public static final ModelEncodings BY_FAMILY = new ModelEncodings(Map.of());

    private final Map<String, TokenEncoding> byModel;

    private ModelEncodings(Map<String, TokenEncoding> byModel) {
        this.byModel = Map.copyOf(byModel);
    }

    /**
     * Explicit encodings by model name, e.g. {@code {"dalsi-ai": "o200k_base"}}.
     *
     * @throws IllegalArgumentException naming the model when an encoding name is unknown
     */
    public static ModelEncodings of(Map<String, String> encodingByModel) {
        Map<String, TokenEncoding> parsed = new HashMap<>();
        encodingByModel.forEach((model, name) -> {
            try {
                parsed.put(model, TokenEncoding.ofName(name));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(model + ": tokenizer " + e.getMessage(), e);
            }
        });
        return new ModelEncodings(parsed);
    }

    /** The encoding of this model. */
    public TokenEncoding forModel(String model) {
        TokenEncoding chosen = model == null ? null : byModel.get(model);
        return chosen != null ? chosen : TokenEncoding.forModelFamily(model);
    }

    /** The models with an explicit choice, and their encodings. */
    public Map<String, TokenEncoding> explicit() {
        return byModel;
    }
}
