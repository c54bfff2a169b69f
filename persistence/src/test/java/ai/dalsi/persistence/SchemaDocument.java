package ai.dalsi.persistence;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the portal's schema document (a copy of schema-analysis.md in the test resources) into
 * table -> column -> expected PostgreSQL type, so tests check the schema against the document
 * itself rather than against a second hand-made list.
 */
final class SchemaDocument {

    private static final Pattern TABLE = Pattern.compile("^#### `([a-z_]+)`");
    private static final Pattern COLUMN_LINE = Pattern.compile("^\\s*- ((?:`[a-z_0-9]+`(?:, )?)+)(?: \\(([^)]*)\\))?");
    private static final Pattern NAME = Pattern.compile("`([a-z_0-9]+)`");
    private static final Pattern LISTED_FIELDS = Pattern.compile("\\*\\*(?:Expected|Likely) Fields\\*\\*: (.*)$");

    private SchemaDocument() {
    }

    /** Table name -> column name -> the type the document gives (empty when it gives none). */
    static Map<String, Map<String, Optional<String>>> read() throws IOException {
        Map<String, Map<String, Optional<String>>> tables = new LinkedHashMap<>();
        String current = null;
        try (InputStream in = SchemaDocument.class.getResourceAsStream("/schema-analysis.md")) {
            if (in == null) {
                throw new IOException("schema-analysis.md is missing from the test resources");
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                Matcher t = TABLE.matcher(line);
                if (t.find()) {
                    current = t.group(1);
                    tables.put(current, new LinkedHashMap<>());
                    continue;
                }
                if (line.startsWith("## ")) {
                    current = null;
                }
                if (current == null) {
                    continue;
                }
                Matcher listed = LISTED_FIELDS.matcher(line);
                if (listed.find()) {
                    for (String field : listed.group(1).split(",")) {
                        String name = field.trim().replace(".", "");
                        if (!name.isEmpty() && !name.equals("etc")) {
                            tables.get(current).put(name, Optional.empty());
                        }
                    }
                    continue;
                }
                Matcher c = COLUMN_LINE.matcher(line);
                if (c.find()) {
                    Optional<String> type = Optional.ofNullable(c.group(2)).map(SchemaDocument::pgType);
                    Matcher n = NAME.matcher(c.group(1));
                    while (n.find()) {
                        tables.get(current).put(n.group(1), type);
                    }
                }
            }
        }
        return tables;
    }

    /** The information_schema data_type for the document's wording ("UUID, FK", "timestamp", "ARRAY"). */
    static String pgType(String documented) {
        String first = documented.split(",")[0].trim().toLowerCase(Locale.ROOT);
        return switch (first) {
            case "uuid" -> "uuid";
            case "text" -> "text";
            case "integer" -> "integer";
            case "bigint" -> "bigint";
            case "numeric" -> "numeric";
            case "boolean" -> "boolean";
            case "timestamp" -> "timestamp with time zone";
            case "date" -> "date";
            case "inet" -> "inet";
            case "array" -> "ARRAY";
            case "jsonb" -> "jsonb";
            default -> throw new IllegalArgumentException("type not understood in schema-analysis.md: " + documented);
        };
    }
}
