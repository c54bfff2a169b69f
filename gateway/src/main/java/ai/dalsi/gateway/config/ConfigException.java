package ai.dalsi.gateway.config;

import java.io.Serial;
import java.util.List;

/**
 * The configuration cannot be used: each problem names the setting and what was expected, e.g.
 * {@code admin.port: 70000 (expected: 0..65535)}. The message lists them one per line and never
 * contains a secret's value. Start-up prints it and stops.
 */
public final class ConfigException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(String.join(System.lineSeparator(), problems), null, false, false);
        this.problems = List.copyOf(problems);
    }

    public ConfigException(String problem) {
        this(List.of(problem));
    }

    /** One line per problem. */
    public List<String> problems() {
        return problems;
    }
}
