package ai.dalsi.gateway.config;

import ai.dalsi.gateway.auth.KeyEnvironment;
import ai.dalsi.persistence.DatabaseConfig;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads the configuration: the defaults ({@code gateway-defaults.yaml} on the classpath, which
 * lists every setting), overridden by the config file, overridden by environment variables, then
 * bound into validated records.
 *
 * <p>Every setting {@code section.someSetting} is also the environment variable
 * {@code GATEWAY_SECTION_SOME_SETTING}; {@link #ENV_ALIASES} adds the short documented names
 * ({@code GATEWAY_DB_URL}, ...). A {@code GATEWAY_*} variable that is neither a setting, an alias
 * nor one of {@link #OTHER_VARIABLES} is an error, like an unknown key in the file, with a
 * suggestion when one is close: a misspelt variable would otherwise be ignored without a word.
 * Every problem is reported at once (unknown names, and every bad value that can be told apart),
 * each naming the setting and what was expected, never showing a secret's value.
 */
public final class ConfigLoader {

    /** Classpath resource holding every setting with its default. */
    public static final String DEFAULTS_RESOURCE = "/gateway-defaults.yaml";

    /** Prefix of every environment variable the gateway reads. */
    public static final String ENV_PREFIX = "GATEWAY_";

    /**
     * Documented short names for the most used settings. An alias whose setting does not exist (its
     * section is not part of this build yet) is ignored.
     */
    public static final Map<String, String> ENV_ALIASES = Map.of(
            "GATEWAY_DB_URL", "database.url",
            "GATEWAY_DB_USER", "database.user",
            "GATEWAY_DB_PASSWORD", "database.password",
            "GATEWAY_HTTP_PORT", "edge.port",
            "GATEWAY_BACKEND_URL", "proxy.backendUrl",
            "GATEWAY_BACKEND_API_KEY", "proxy.backendApiKey");

    /** Tax rate of the {@code billing} command, a fraction (not a setting of a running node). */
    public static final String BILLING_TAX_RATE_VARIABLE = "GATEWAY_BILLING_TAX_RATE";

    /**
     * The project's other {@code GATEWAY_*} variables, read outside the configuration: the billing
     * command's tax rate, and the test server of the integration tests and the jOOQ code generator
     * ({@code TestServer} in the persistence test jar). Allowed next to the settings, so a test or CI
     * environment can start a node.
     */
    public static final Set<String> OTHER_VARIABLES = Set.of(BILLING_TAX_RATE_VARIABLE,
            "GATEWAY_TEST_DB_URL", "GATEWAY_TEST_DB_USER", "GATEWAY_TEST_DB_PASSWORD");

    /** Endings of last path segments whose values are never shown in messages ({@code backendApiKey}, ...). */
    private static final Set<String> SECRET_NAMES = Set.of("token", "password", "secret", "apikey");

    private static final ObjectMapper YAML = YAMLMapper.builder(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final ObjectMapper BINDER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .addModule(new SimpleModule("gateway-config")
                    .addDeserializer(Duration.class, new DurationDeserializer())
                    .addDeserializer(KeyEnvironment.class, new KeyEnvironmentDeserializer()))
            .addMixIn(DatabaseConfig.class, DatabaseConfigMixin.class)
            .build();

    private ConfigLoader() {
    }

    /**
     * The gateway's configuration from the defaults, the optional file and the environment.
     *
     * @param file config file (YAML or JSON), or null for none
     * @throws ConfigException listing every problem found
     */
    public static GatewayConfig load(Path file, Map<String, String> env) {
        return load(GatewayConfig.class, defaults(), file, env);
    }

    /** The defaults tree from {@link #DEFAULTS_RESOURCE}. */
    public static ObjectNode defaults() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULTS_RESOURCE + " is missing from the classpath");
            }
            return (ObjectNode) YAML.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + DEFAULTS_RESOURCE, e);
        }
    }

    /**
     * Binds {@code defaults <- file <- env} into a {@code type}: the generic core, for any root
     * record whose layout {@code defaults} describes.
     */
    public static <T> T load(Class<T> type, ObjectNode defaults, Path file, Map<String, String> env) {
        ObjectNode merged = defaults.deepCopy();
        Map<String, String> sources = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>(unknownVariables(defaults, env));
        if (file != null) {
            JsonNode fromFile = readFile(file);
            checkKnown(defaults, fromFile, "", problems);
            merge(merged, withoutUnknown(defaults, fromFile));
        }
        applyEnvironment(defaults, merged, env, sources, problems);
        T config = null;
        try {
            config = BINDER.treeToValue(merged, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            problems.addAll(badValues(type, defaults, merged, sources, e));
        }
        // After the records' own checks, which say more where they look (a line break in a key):
        // no setting takes control characters, and one that no record checks would fail later. A
        // setting a record already refused is not named twice.
        List<String> control = new ArrayList<>();
        ConfigInput.refuseControlCharacters(merged, "", path -> from(path, sources), control);
        for (String c : control) {
            String path = c.substring(0, c.indexOf(':') + 1);
            if (problems.stream().noneMatch(p -> p.startsWith(path))) {
                problems.add(c);
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return config;
    }

    /**
     * Every bad value, not only the first one binding stopped at: each setting that differs from its
     * default is bound alone, on top of the defaults. When none fails alone, the settings only
     * disagree with each other (such as a minimum above a maximum), and the first failure is it.
     */
    private static <T> List<String> badValues(Class<T> type, ObjectNode defaults, ObjectNode merged,
            Map<String, String> sources, Exception first) {
        Set<String> found = new java.util.LinkedHashSet<>();
        for (String path : leafPaths(defaults, "")) {
            JsonNode value = at(merged, path);
            if (value == null || value.equals(at(defaults, path))) {
                continue;
            }
            ObjectNode alone = defaults.deepCopy();
            put(alone, path, value);
            try {
                BINDER.treeToValue(alone, type);
            } catch (JsonProcessingException | IllegalArgumentException e) {
                found.add(describe(e, sources));
            }
        }
        return found.isEmpty() ? List.of(describe(first, sources)) : List.copyOf(found);
    }

    /**
     * One line for each {@code GATEWAY_*} variable in {@code env} that names no setting of
     * {@code defaults}, no alias and none of {@link #OTHER_VARIABLES}, with the closest known name
     * when one is close.
     */
    public static List<String> unknownVariables(ObjectNode defaults, Map<String, String> env) {
        Set<String> known = new java.util.TreeSet<>(environmentNames(defaults).keySet());
        known.addAll(ENV_ALIASES.keySet());
        known.addAll(OTHER_VARIABLES);
        List<String> problems = new ArrayList<>();
        env.keySet().stream().filter(name -> name.startsWith(ENV_PREFIX) && !known.contains(name)).sorted()
                .forEach(name -> problems.add("unknown environment variable: " + name + closest(name, known)));
        return problems;
    }

    /** {@link #unknownVariables(ObjectNode, Map)} of the gateway's own settings. */
    public static List<String> unknownVariables(Map<String, String> env) {
        return unknownVariables(defaults(), env);
    }

    /** Whether {@code env} sets the setting at {@code path} by any of its names (the systematic one or an alias). */
    public static boolean setInEnvironment(Map<String, String> env, String path) {
        return environmentNames(defaults()).entrySet().stream()
                .anyMatch(e -> e.getValue().equals(path) && env.get(e.getKey()) != null && !env.get(e.getKey()).isBlank());
    }

    private static String closest(String name, Set<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = levenshtein(name, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        int stem = name.length() - ENV_PREFIX.length();
        return best == null || bestDistance > Math.max(2, stem / 3) ? "" : " (did you mean " + best + "?)";
    }

    /** {@code given} without the keys {@code defaults} does not have (already reported by {@link #checkKnown}). */
    private static JsonNode withoutUnknown(JsonNode defaults, JsonNode given) {
        ObjectNode kept = JsonNodeFactory.instance.objectNode();
        Iterator<Map.Entry<String, JsonNode>> fields = given.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode known = defaults.get(f.getKey());
            if (known == null) {
                continue;
            }
            kept.set(f.getKey(), isSection(known) && f.getValue().isObject() ? withoutUnknown(known, f.getValue())
                    : f.getValue());
        }
        return kept;
    }

    /** Environment variable name of each setting (aliases included), in name order. */
    public static Map<String, String> environmentNames(ObjectNode defaults) {
        Map<String, String> names = new TreeMap<>();
        for (String path : leafPaths(defaults, "")) {
            names.put(envName(path), path);
        }
        ENV_ALIASES.forEach((alias, path) -> {
            if (at(defaults, path) != null) {
                names.put(alias, path);
            }
        });
        return names;
    }

    /** {@code admin.sweepInterval} to {@code GATEWAY_ADMIN_SWEEP_INTERVAL}. */
    public static String envName(String path) {
        StringBuilder sb = new StringBuilder(ENV_PREFIX);
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '.' || c == '-') {
                sb.append('_');
            } else if (Character.isUpperCase(c) && i > 0 && Character.isLowerCase(path.charAt(i - 1))) {
                sb.append('_').append(c);
            } else {
                sb.append(Character.toUpperCase(c));
            }
        }
        return sb.toString();
    }

    private static JsonNode readFile(Path file) {
        try {
            JsonNode node = ConfigInput.singleDocument(YAML, Files.readString(file), "config file " + file);
            if (node == null || node.isMissingNode() || node.isNull()) {
                return JsonNodeFactory.instance.objectNode();
            }
            if (!node.isObject()) {
                throw new ConfigException("config file " + file + ": expected a mapping of sections (admin:, database:, ...)");
            }
            return node;
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + ": not found");
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " line " + at.getLineNr() + ", column " + at.getColumnNr() + ":";
            String limit = ConfigInput.limitProblem(e);
            throw new ConfigException("config file " + file + ":" + where + " " + (limit != null ? limit
                    : e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ConfigException("config file " + file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** Reports every key of {@code given} that {@code defaults} does not have. */
    private static void checkKnown(JsonNode defaults, JsonNode given, String path, List<String> problems) {
        Iterator<Map.Entry<String, JsonNode>> fields = given.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String here = join(path, f.getKey());
            JsonNode known = defaults.get(f.getKey());
            if (known == null) {
                problems.add("unknown setting: " + here + suggestion(f.getKey(), defaults, path));
            } else if (isSection(known) && f.getValue().isObject()) {
                checkKnown(known, f.getValue(), here, problems);
            }
        }
    }

    /** An object with named settings; an empty object in the defaults is a free-form map. */
    private static boolean isSection(JsonNode node) {
        return node.isObject() && !node.isEmpty();
    }

    private static String suggestion(String name, JsonNode siblings, String path) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Iterator<String> it = siblings.fieldNames(); it.hasNext(); ) {
            String candidate = it.next();
            String a = name.toLowerCase(Locale.ROOT);
            String b = candidate.toLowerCase(Locale.ROOT);
            int d = (b.startsWith(a) || a.startsWith(b)) ? 1 : levenshtein(a, b);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        if (best == null || bestDistance > Math.max(2, name.length() / 3)) {
            return "";
        }
        return " (did you mean " + join(path, best) + "?)";
    }

    private static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** Objects merge key by key; anything else in {@code overlay} replaces what was there. */
    private static void merge(ObjectNode target, JsonNode overlay) {
        Iterator<Map.Entry<String, JsonNode>> fields = overlay.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode existing = target.get(f.getKey());
            if (existing instanceof ObjectNode obj && isSection(existing) && f.getValue().isObject()) {
                merge(obj, f.getValue());
            } else {
                target.set(f.getKey(), f.getValue());
            }
        }
    }

    private static void applyEnvironment(ObjectNode defaults, ObjectNode merged, Map<String, String> env,
            Map<String, String> sources, List<String> problems) {
        for (Map.Entry<String, String> e : environmentNames(defaults).entrySet()) {
            String value = env.get(e.getKey());
            if (value == null || value.isBlank()) {
                continue;
            }
            String path = e.getValue();
            String earlier = sources.get(path);
            if (earlier != null) {
                if (!value.equals(env.get(earlier))) {
                    problems.add(path + ": set differently by " + earlier + " and " + e.getKey()
                            + " (expected: one of them)");
                }
                continue;
            }
            JsonNode converted = fromEnvironment(value, at(defaults, path), path, e.getKey(), problems);
            if (converted != null) {
                put(merged, path, converted);
                sources.put(path, e.getKey());
            }
        }
    }

    /** Text from the environment, shaped like the setting's default (list, map or scalar). */
    private static JsonNode fromEnvironment(String value, JsonNode shape, String path, String var,
            List<String> problems) {
        String v = value.strip();
        if (shape != null && shape.isArray()) {
            if (v.startsWith("[")) {
                return parseJson(v, path, var, "a JSON list", problems);
            }
            ArrayNode list = JsonNodeFactory.instance.arrayNode();
            for (String part : v.split(",")) {
                if (!part.isBlank()) {
                    list.add(part.strip());
                }
            }
            return list;
        }
        if (shape != null && shape.isObject()) {
            JsonNode node = parseJson(v, path, var, "a JSON object", problems);
            if (node != null && !node.isObject()) {
                problems.add(path + ": " + var + " is not a JSON object (expected: a JSON object)");
                return null;
            }
            return node;
        }
        return TextNode.valueOf(v);
    }

    private static JsonNode parseJson(String v, String path, String var, String expected, List<String> problems) {
        try {
            return ConfigInput.singleValue(BINDER, v);
        } catch (IOException e) {
            problems.add(path + ": " + var + " is not valid JSON (expected: " + expected + ")");
            return null;
        }
    }

    private static List<String> leafPaths(JsonNode node, String path) {
        List<String> out = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String here = join(path, f.getKey());
            if (isSection(f.getValue())) {
                out.addAll(leafPaths(f.getValue(), here));
            } else {
                out.add(here);
            }
        }
        return out;
    }

    private static JsonNode at(JsonNode root, String path) {
        JsonNode n = root;
        for (String part : path.split("\\.")) {
            n = n == null ? null : n.get(part);
        }
        return n;
    }

    private static void put(ObjectNode root, String path, JsonNode value) {
        String[] parts = path.split("\\.");
        ObjectNode n = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = n.get(parts[i]);
            if (!(child instanceof ObjectNode)) {
                child = n.putObject(parts[i]);
            }
            n = (ObjectNode) child;
        }
        n.set(parts[parts.length - 1], value);
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** A binding failure as one line naming the setting. */
    private static String describe(Exception e, Map<String, String> sources) {
        if (e instanceof ValueInstantiationException vie && vie.getCause() != null) {
            // The records' compact constructors already name the setting.
            String msg = String.valueOf(vie.getCause().getMessage());
            int colon = msg.indexOf(':');
            return msg + from(colon > 0 ? msg.substring(0, colon) : "", sources);
        }
        if (e instanceof UnrecognizedPropertyException upe) {
            return "unknown setting: " + path(upe);
        }
        if (e instanceof InvalidFormatException ife) {
            String path = path(ife);
            String shown = isSecret(path) ? "***" : quote(ife.getValue());
            return path + ": " + shown + " (expected: " + expected(ife.getTargetType()) + ")" + from(path, sources);
        }
        if (e instanceof MismatchedInputException mie) {
            String path = path(mie);
            return path + ": wrong type (expected: " + expected(mie.getTargetType()) + ")" + from(path, sources);
        }
        String limit = ConfigInput.limitProblem(e);
        if (e instanceof JsonMappingException jme) {
            String path = path(jme);
            return (path.isEmpty() ? "config" : path) + ": " + (limit != null ? limit + from(path, sources)
                    : jme.getOriginalMessage());
        }
        return limit != null ? "config: " + limit : String.valueOf(e.getMessage());
    }

    private static String from(String path, Map<String, String> sources) {
        int index = path.indexOf('[');
        String var = sources.get(index < 0 ? path : path.substring(0, index));
        return var == null ? "" : " [from " + var + "]";
    }

    private static boolean isSecret(String path) {
        String last = path.substring(path.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        return SECRET_NAMES.stream().anyMatch(last::endsWith);
    }

    private static String quote(Object value) {
        return ConfigInput.shown(value);
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "another value";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "an integer";
        }
        if (type == double.class || type == Double.class) {
            return "a number";
        }
        if (type == Path.class) {
            return "a directory path";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == Duration.class) {
            return Durations.EXPECTED;
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == KeyEnvironment.class) {
            return "production or development";
        }
        if (List.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a mapping";
        }
        return type.getSimpleName();
    }

    /** {@link Durations#parse} as a Jackson deserializer, so config errors name the setting. */
    private static final class DurationDeserializer extends JsonDeserializer<Duration> {
        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String text = p.getValueAsString();
            Duration d = Durations.parse(text);
            if (d == null) {
                throw InvalidFormatException.from(p, "not a duration", text == null ? p.getText() : text,
                        Duration.class);
            }
            return d;
        }
    }

    /** Key environments as the database and the key prefixes name them: {@code production}, {@code development}. */
    private static final class KeyEnvironmentDeserializer extends JsonDeserializer<KeyEnvironment> {
        @Override
        public KeyEnvironment deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String text = p.getValueAsString();
            KeyEnvironment e = text == null ? null : KeyEnvironment.ofDbValue(text.strip().toLowerCase(Locale.ROOT));
            if (e == null) {
                throw InvalidFormatException.from(p, "not a key environment", text == null ? p.getText() : text,
                        KeyEnvironment.class);
            }
            return e;
        }
    }

    /** The file says {@code database.url}; the record calls it {@code jdbcUrl}. */
    abstract static class DatabaseConfigMixin {
        @JsonCreator
        DatabaseConfigMixin(
                @JsonProperty("url") String jdbcUrl,
                @JsonProperty("user") String user,
                @JsonProperty("password") String password,
                @JsonProperty("maxPoolSize") int maxPoolSize,
                @JsonProperty("connectionTimeout") Duration connectionTimeout,
                @JsonProperty("migrateOnStart") boolean migrateOnStart) {
        }
    }
}
