package ai.dalsi.gateway.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests: it refuses anything
 * Prometheus or {@code promtool check metrics} would refuse (bad names, labels, escapes or values;
 * a TYPE after samples, a family split in two, duplicate series; histogram buckets out of order,
 * decreasing, or disagreeing with {@code _count}), and returns the samples for assertions.
 */
final class PrometheusText {

    record Sample(String name, Map<String, String> labels, double value) {
    }

    record Family(String name, String type, String help, List<Sample> samples) {
    }

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME.pattern() + ") (.*)");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME.pattern()
            + ") (counter|gauge|histogram|summary|untyped)");
    private static final Pattern VALUE = Pattern.compile(
            "[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|[+-]?Inf|NaN");

    private PrometheusText() {
    }

    /** Every family by name, or an AssertionError naming the line at fault. */
    static Map<String, Family> parse(String text) {
        Map<String, Family> families = new LinkedHashMap<>();
        Set<String> series = new HashSet<>();
        Set<String> closed = new HashSet<>();
        String current = null;
        String[] lines = text.split("\n", -1);
        if (!text.endsWith("\n")) {
            throw new AssertionError("exposition must end with a newline");
        }
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            String at = "line " + (i + 1) + ": " + line;
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                Matcher help = HELP.matcher(line);
                Matcher type = TYPE.matcher(line);
                if (line.startsWith("# HELP ")) {
                    if (!help.matches()) {
                        throw new AssertionError("bad HELP, " + at);
                    }
                    current = open(families, closed, current, help.group(1), at);
                    Family f = families.get(current);
                    if (f.help() != null) {
                        throw new AssertionError("second HELP, " + at);
                    }
                    families.put(current, new Family(f.name(), f.type(), help.group(2), f.samples()));
                } else if (line.startsWith("# TYPE ")) {
                    if (!type.matches()) {
                        throw new AssertionError("bad TYPE, " + at);
                    }
                    current = open(families, closed, current, type.group(1), at);
                    Family f = families.get(current);
                    if (f.type() != null || !f.samples().isEmpty()) {
                        throw new AssertionError("TYPE after samples or twice, " + at);
                    }
                    families.put(current, new Family(f.name(), type.group(2), f.help(), f.samples()));
                }
                continue;
            }
            Sample s = sample(line, at);
            String family = familyOf(s.name(), families);
            current = open(families, closed, current, family, at);
            if (!series.add(s.name() + s.labels())) {
                throw new AssertionError("duplicate series, " + at);
            }
            families.get(family).samples().add(s);
        }
        for (Family f : families.values()) {
            if ("histogram".equals(f.type())) {
                checkHistogram(f);
            }
        }
        return families;
    }

    private static String open(Map<String, Family> families, Set<String> closed, String current, String name,
            String at) {
        if (name.equals(current)) {
            return current;
        }
        if (current != null) {
            closed.add(current);
        }
        if (closed.contains(name)) {
            throw new AssertionError("family " + name + " split in two, " + at);
        }
        families.computeIfAbsent(name, n -> new Family(n, null, null, new ArrayList<>()));
        return name;
    }

    /** The family a sample belongs to: histogram/summary suffixes map to their declared family. */
    private static String familyOf(String sample, Map<String, Family> families) {
        for (String suffix : List.of("_bucket", "_sum", "_count", "_created")) {
            if (sample.endsWith(suffix)) {
                String base = sample.substring(0, sample.length() - suffix.length());
                Family f = families.get(base);
                if (f != null && ("histogram".equals(f.type()) || "summary".equals(f.type()))) {
                    return base;
                }
            }
        }
        return sample;
    }

    private static Sample sample(String line, String at) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        if (!NAME.matcher(name).matches()) {
            throw new AssertionError("bad metric name, " + at);
        }
        Map<String, String> labels = new TreeMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                if (eq < 0) {
                    throw new AssertionError("bad label, " + at);
                }
                String label = line.substring(i, eq);
                if (!LABEL_NAME.matcher(label).matches() || label.startsWith("__")) {
                    throw new AssertionError("bad label name '" + label + "', " + at);
                }
                if (line.charAt(eq + 1) != '"') {
                    throw new AssertionError("label value not quoted, " + at);
                }
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                while (line.charAt(j) != '"') {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char e = line.charAt(++j);
                        switch (e) {
                            case '\\' -> value.append('\\');
                            case '"' -> value.append('"');
                            case 'n' -> value.append('\n');
                            default -> throw new AssertionError("bad escape \\" + e + ", " + at);
                        }
                    } else {
                        value.append(c);
                    }
                    j++;
                }
                if (labels.put(label, value.toString()) != null) {
                    throw new AssertionError("label " + label + " twice, " + at);
                }
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                } else if (line.charAt(i) != '}') {
                    throw new AssertionError("expected , or } after a label, " + at);
                }
            }
            i++;
        }
        if (i >= line.length() || line.charAt(i) != ' ') {
            throw new AssertionError("expected a space before the value, " + at);
        }
        String[] rest = line.substring(i + 1).split(" ", -1);
        if (rest.length > 2 || !VALUE.matcher(rest[0]).matches()
                || (rest.length == 2 && !rest[1].matches("-?\\d+"))) {
            throw new AssertionError("bad value or timestamp, " + at);
        }
        return new Sample(name, labels, parseValue(rest[0]));
    }

    private static double parseValue(String v) {
        return switch (v) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(v);
        };
    }

    private static void checkHistogram(Family f) {
        Map<Map<String, String>, TreeMap<Double, Double>> buckets = new HashMap<>();
        Map<Map<String, String>, Double> counts = new HashMap<>();
        for (Sample s : f.samples()) {
            Map<String, String> rest = new TreeMap<>(s.labels());
            if (s.name().equals(f.name() + "_bucket")) {
                String le = rest.remove("le");
                if (le == null) {
                    throw new AssertionError(f.name() + ": bucket without le");
                }
                buckets.computeIfAbsent(rest, k -> new TreeMap<>()).put(parseValue(le), s.value());
            } else if (s.name().equals(f.name() + "_count")) {
                counts.put(rest, s.value());
            } else if (!s.name().equals(f.name() + "_sum") && !s.name().equals(f.name() + "_created")) {
                throw new AssertionError(f.name() + ": unexpected sample " + s.name() + " in a histogram");
            }
        }
        buckets.forEach((labels, byLe) -> {
            if (!byLe.containsKey(Double.POSITIVE_INFINITY)) {
                throw new AssertionError(f.name() + labels + ": no +Inf bucket");
            }
            double previous = 0;
            for (double count : byLe.values()) {
                if (count < previous) {
                    throw new AssertionError(f.name() + labels + ": bucket counts decrease");
                }
                previous = count;
            }
            Double count = counts.get(labels);
            if (count == null || count.doubleValue() != byLe.get(Double.POSITIVE_INFINITY).doubleValue()) {
                throw new AssertionError(f.name() + labels + ": _count " + count + " differs from the +Inf bucket");
            }
        });
    }
}
