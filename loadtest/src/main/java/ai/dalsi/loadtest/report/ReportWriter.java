package ai.dalsi.loadtest.report;

import ai.dalsi.loadtest.report.BenchReport.Arm;
import ai.dalsi.loadtest.report.BenchReport.SideRound;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a report into a directory: {@code report.md}, {@code report.json} (the same data), an
 * overlaid percentile plot of the main rounds ({@code latency.svg}), one per arm
 * ({@code latency-<arm>.svg}) and one of the one-connection rounds ({@code latency-one-connection.svg}).
 */
public final class ReportWriter {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReportWriter() {
    }

    /** Writes every file and returns their paths. */
    public static List<Path> write(Path dir, BenchReport report) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        List<String> plots = new ArrayList<>();
        List<PercentilePlot.Series> main = new ArrayList<>();
        for (Arm a : report.arms()) {
            if (a.ran()) {
                main.add(new PercentilePlot.Series(a.name(), a.percentiles()));
            }
        }
        String sub = report.meta().load();
        written.add(write(dir, "latency.svg",
                PercentilePlot.svg("Latency by percentile, all arms (main rounds)", sub, main), plots));
        for (PercentilePlot.Series s : main) {
            written.add(write(dir, "latency-" + s.name() + ".svg",
                    PercentilePlot.svg("Latency by percentile: " + s.name(), sub, List.of(s)), plots));
        }
        List<PercentilePlot.Series> one = new ArrayList<>();
        for (SideRound s : report.oneConnection()) {
            one.add(new PercentilePlot.Series(s.arm(), s.percentiles()));
        }
        if (!one.isEmpty()) {
            written.add(write(dir, "latency-one-connection.svg", PercentilePlot.svg(
                    "Latency by percentile at one connection", "closed loop, one request at a time", one), plots));
        }
        Path md = dir.resolve("report.md");
        Files.writeString(md, MarkdownReport.render(report, plots));
        written.add(md);
        Path json = dir.resolve("report.json");
        Files.writeString(json, toJson(report));
        written.add(json);
        return written;
    }

    /** The report as JSON. */
    public static String toJson(BenchReport report) throws IOException {
        return JSON.writeValueAsString(report);
    }

    private static Path write(Path dir, String name, String content, List<String> names) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        names.add(name);
        return p;
    }
}
