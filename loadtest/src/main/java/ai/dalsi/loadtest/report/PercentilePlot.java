package ai.dalsi.loadtest.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An SVG latency-by-percentile plot in the style of HdrHistogram's percentile distribution plots:
 * the x axis spreads the tail out ({@code log10(1 / (1 - percentile))}, so 90%, 99%, 99.9% ... are
 * evenly spaced) and the y axis is logarithmic in milliseconds, so a 50 microsecond median and a
 * 50 millisecond tail are both readable. One line per series, with a legend giving p50 and p99.
 */
public final class PercentilePlot {

    /** One line: a name and [percentile, microseconds] points in ascending percentile order. */
    public record Series(String name, List<double[]> points) {
    }

    private static final String[] COLORS = {"#4c72b0", "#55a868", "#dd8452", "#c44e52", "#8172b3", "#937860"};
    private static final double MAX_NINES = 5; // 99.999%
    private static final int W = 820;
    private static final int H = 480;
    private static final int LEFT = 80;
    private static final int RIGHT = 200;
    private static final int TOP = 72;
    private static final int BOTTOM = 64;

    private PercentilePlot() {
    }

    /** The plot as a standalone SVG document. */
    public static String svg(String title, String subtitle, List<Series> series) {
        List<Series> drawn = series.stream().filter(s -> !s.points().isEmpty()).toList();
        double minUs = Double.MAX_VALUE;
        double maxUs = 1;
        double maxNines = 1;
        for (Series s : drawn) {
            for (double[] p : s.points()) {
                if (p[0] >= 100) {
                    continue;
                }
                minUs = Math.min(minUs, Math.max(1, p[1]));
                maxUs = Math.max(maxUs, p[1]);
                maxNines = Math.max(maxNines, nines(p[0]));
            }
        }
        if (minUs == Double.MAX_VALUE) {
            minUs = 1;
        }
        maxNines = Math.min(MAX_NINES, Math.ceil(maxNines));
        double lo = Math.floor(Math.log10(minUs));
        double hi = Math.ceil(Math.log10(maxUs));
        if (hi <= lo) {
            hi = lo + 1;
        }
        double plotW = W - LEFT - RIGHT;
        double plotH = H - TOP - BOTTOM;
        StringBuilder b = new StringBuilder();
        b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        b.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">%n", W, H, W, H));
        b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"16\" font-weight=\"bold\">%s</text>%n",
                LEFT, esc(title)));
        if (subtitle != null && !subtitle.isEmpty()) {
            List<String> lines = wrap(subtitle, 105);
            for (int l = 0; l < Math.min(2, lines.size()); l++) {
                b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#555\" font-size=\"11\">%s</text>%n",
                        LEFT, 42 + l * 14, esc(lines.get(l))));
            }
        }
        // Grid and y labels: one line per decade, lighter lines at 2x and 5x.
        for (double d = lo; d <= hi + 1e-9; d++) {
            for (int m : new int[] {1, 2, 5}) {
                double v = m * Math.pow(10, d);
                double lv = Math.log10(v);
                if (lv > hi + 1e-9) {
                    continue;
                }
                double y = TOP + plotH - (lv - lo) / (hi - lo) * plotH;
                b.append(String.format(Locale.ROOT,
                        "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1\"/>%n",
                        LEFT, y, LEFT + plotW, y, m == 1 ? "#ccc" : "#eee"));
                b.append(String.format(Locale.ROOT,
                        "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#333\">%s</text>%n", LEFT - 6, y + 4,
                        esc(msLabel(v))));
            }
        }
        // x ticks: 0%, 90%, 99%, ...
        for (int n = 0; n <= maxNines; n++) {
            double x = LEFT + n / maxNines * plotW;
            b.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ccc\" stroke-width=\"1\"/>%n",
                    x, TOP, x, TOP + plotH));
            b.append(String.format(Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#333\">%s</text>%n", x, TOP + plotH + 18,
                    esc(percentileLabel(n))));
        }
        b.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#333\"/>%n",
                LEFT, TOP, plotW, plotH));
        b.append(String.format(Locale.ROOT,
                "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">percentile (tail spread out: each step is 10x rarer)</text>%n",
                LEFT + plotW / 2, H - 18));
        b.append(String.format(Locale.ROOT,
                "<text x=\"18\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 18 %.1f)\">latency (ms, log scale)</text>%n",
                TOP + plotH / 2, TOP + plotH / 2));
        int i = 0;
        for (Series s : drawn) {
            String color = COLORS[i % COLORS.length];
            List<String> pts = new ArrayList<>();
            for (double[] p : s.points()) {
                double nines = Math.min(nines(p[0]), maxNines);
                double x = LEFT + nines / maxNines * plotW;
                double lv = Math.log10(Math.max(1, p[1]));
                double y = TOP + plotH - (Math.max(lo, Math.min(hi, lv)) - lo) / (hi - lo) * plotH;
                pts.add(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
            }
            b.append(String.format(Locale.ROOT,
                    "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n", color, String.join(" ", pts)));
            double ly = TOP + 10 + i * 42;
            double lx = LEFT + plotW + 16;
            b.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\"/>%n",
                    lx, ly, lx + 22, ly, color));
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-weight=\"bold\">%s</text>%n",
                    lx + 28, ly + 4, esc(s.name())));
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#555\">p50 %s  p99 %s</text>%n",
                    lx + 28, ly + 20, esc(msLabel(at(s, 50))), esc(msLabel(at(s, 99)))));
            i++;
        }
        if (drawn.isEmpty()) {
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">no data</text>%n",
                    LEFT + plotW / 2, TOP + plotH / 2));
        }
        b.append("</svg>\n");
        return b.toString();
    }

    /** The latency at the first point at or above a percentile. */
    static double at(Series s, double percentile) {
        for (double[] p : s.points()) {
            if (p[0] >= percentile) {
                return p[1];
            }
        }
        return s.points().isEmpty() ? 0 : s.points().get(s.points().size() - 1)[1];
    }

    private static double nines(double percentile) {
        double rest = 1 - percentile / 100;
        return rest <= 0 ? MAX_NINES : Math.log10(1 / rest);
    }

    private static String percentileLabel(int nines) {
        return switch (nines) {
            case 0 -> "0%";
            case 1 -> "90%";
            case 2 -> "99%";
            case 3 -> "99.9%";
            case 4 -> "99.99%";
            default -> "99.999%";
        };
    }

    /** A latency as people write it: 50 us, 1.5 ms, 200 ms, 1.2 s. */
    static String msLabel(double us) {
        if (us < 1000) {
            return String.format(Locale.ROOT, "%.0f us", us);
        }
        if (us < 1_000_000) {
            return trim(String.format(Locale.ROOT, "%.3g", us / 1000)) + " ms";
        }
        return trim(String.format(Locale.ROOT, "%.3g", us / 1e6)) + " s";
    }

    private static String trim(String number) {
        return number.contains(".") ? number.replaceAll("0+$", "").replaceAll("\\.$", "") : number;
    }

    private static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
