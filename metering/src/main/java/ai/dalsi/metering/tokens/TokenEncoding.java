package ai.dalsi.metering.tokens;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The byte-pair encodings OpenAI's models use, by the names OpenAI (and tiktoken) give them.
 *
 * <p>A vocabulary is some 100k to 200k entries and takes a second or more to load, so each is
 * loaded at most once per JVM, when first used, and then shared: the loaded encodings are
 * immutable and thread-safe. {@link TokenCounter#preload} loads them at start, off the request
 * path.
 */
public enum TokenEncoding {
    /** GPT-4, GPT-3.5 and the embedding models; the default for models of no known family. */
    CL100K_BASE("cl100k_base"),
    /** GPT-4o, GPT-4.1, GPT-4.5, GPT-5, the o-series (o1, o3, o4, ...) and gpt-image models. */
    O200K_BASE("o200k_base");

    private final String encodingName;

    TokenEncoding(String encodingName) {
        this.encodingName = encodingName;
    }

    /** OpenAI's name of the encoding, e.g. {@code o200k_base}. */
    public String encodingName() {
        return encodingName;
    }

    /** The encoding called {@code name} (case-insensitive). */
    public static TokenEncoding ofName(String name) {
        for (TokenEncoding e : values()) {
            if (e.encodingName.equalsIgnoreCase(name == null ? "" : name.strip())) {
                return e;
            }
        }
        throw new IllegalArgumentException(name + " (expected: " + names() + ")");
    }

    /** Every encoding's name, for messages: {@code cl100k_base or o200k_base}. */
    public static String names() {
        return Arrays.stream(values()).map(TokenEncoding::encodingName).collect(Collectors.joining(" or "));
    }

    /**
     * The encoding of a model's family, by OpenAI's naming: {@link #O200K_BASE} for
     * {@code gpt-4o*}, {@code chatgpt-4o*}, {@code gpt-4.1*}, {@code gpt-4.5*}, {@code gpt-5*},
     * {@code gpt-image*}, {@code gpt-oss*} and the o-series ({@code o1}, {@code o3-mini},
     * {@code o4-mini}, ...), {@link #CL100K_BASE} for everything else. A provider prefix
     * ({@code openai/gpt-4o}) is ignored.
     */
    public static TokenEncoding forModelFamily(String model) {
        if (model == null) {
            return CL100K_BASE;
        }
        String m = model.substring(model.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        if (m.startsWith("gpt-4o") || m.startsWith("chatgpt-4o") || m.startsWith("gpt-4.1") || m.startsWith("gpt-4.5")
                || m.startsWith("gpt-5") || m.startsWith("gpt-image") || m.startsWith("gpt-oss")
                || (m.length() >= 2 && m.charAt(0) == 'o' && Character.isDigit(m.charAt(1)))) {
            return O200K_BASE;
        }
        return CL100K_BASE;
    }

    /** The loaded encoding (loads it on first use: call {@link TokenCounter#preload} at start). */
    Encoding encoding() {
        return switch (this) {
            case CL100K_BASE -> Cl100k.ENCODING;
            case O200K_BASE -> O200k.ENCODING;
        };
    }

    // One holder per encoding: the JVM loads each vocabulary once, on first use, thread-safely.
    private static final class Cl100k {
        static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
    }

    private static final class O200k {
        static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
    }
}
