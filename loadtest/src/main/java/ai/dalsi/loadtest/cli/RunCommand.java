package ai.dalsi.loadtest.cli;

import ai.dalsi.gateway.auth.ApiKeyFormat;
import ai.dalsi.gateway.cli.Cli;
import ai.dalsi.loadtest.gen.KeySet;
import ai.dalsi.loadtest.gen.LoadGenerator;
import ai.dalsi.loadtest.gen.LoadSpec;
import ai.dalsi.loadtest.gen.RequestMix;
import ai.dalsi.loadtest.gen.RunResult;
import ai.dalsi.loadtest.gen.StatusClass;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code loadtest.jar run}: one load run against one URL, with a summary at the end.
 *
 * <pre>
 * bin/loadtest run --url http://127.0.0.1:8080 --rate 2000 --duration 20s --connections 16 --keys keys.txt
 * bin/loadtest run --url http://127.0.0.1:8080 --max --duration 20s --connections 32 --key dsk_live_...
 * </pre>
 */
@Command(name = "run", description = {"Load one URL and print a summary: open loop at --rate (latency counted from each"
        + " request's intended send time, so queueing shows), or closed loop with --max (each connection sends its next"
        + " request when the previous one was answered).",
        "Example: bin/loadtest run --url http://127.0.0.1:8080 --rate 50 --duration 20s --key dsk_live_..."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the run ended (whatever the statuses)", "1:the target cannot be reached, or --json cannot"
                + " be written", "2:bad arguments", "130:interrupted"})
public final class RunCommand implements Callable<Integer> {

    private final PrintStream out;
    private final PrintStream err;

    @Spec
    CommandSpec spec;

    @Option(names = "--url", required = true, paramLabel = "URL", description = "the gateway or backend,"
            + " http://host:port (a trailing /v1 is fine)")
    URI url;

    @Option(names = "--rate", paramLabel = "R", description = "open loop: R requests per second")
    Double rate;

    @Option(names = "--max", description = "closed loop: as fast as the answers come")
    boolean max;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "10s", converter = DurationConverter.class,
            description = "how long to issue requests, then wait up to --drain for answers (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = "--requests", paramLabel = "N", defaultValue = "0",
            description = "stop after N requests (default: no limit)")
    long requests;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "16", description = "keep-alive"
            + " connections, each carrying one request at a time (default: ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
            description = "event-loop threads of the generator (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--keys", paramLabel = "FILE", description = "registered keys with ample limits, one a line"
            + " (# comments); repeatable")
    List<Path> keyFiles = new ArrayList<>();

    @Option(names = "--key", paramLabel = "KEY", description = "one registered key; repeatable")
    List<String> keys = new ArrayList<>();

    @Option(names = "--over-limit-keys", paramLabel = "FILE", description = "keys expected to hit their rate limit;"
            + " repeatable")
    List<Path> overLimitKeyFiles = new ArrayList<>();

    @Option(names = "--over-limit-key", paramLabel = "KEY", description = "one such key; repeatable")
    List<String> overLimitKeys = new ArrayList<>();

    @Option(names = "--over-limit-share", paramLabel = "SHARE", defaultValue = "0",
            description = "share of requests with an over-limit key (default: ${DEFAULT-VALUE})")
    double overLimitShare;

    @Option(names = "--invalid-share", paramLabel = "SHARE", defaultValue = "0", description = "share of requests"
            + " with a bad key, half well-formed but unknown, half malformed (default: ${DEFAULT-VALUE})")
    double invalidShare;

    @Option(names = "--unknown-share", paramLabel = "SHARE",
            description = "share with a well-formed unknown key (default: half of --invalid-share)")
    Double unknownShare;

    @Option(names = "--malformed-share", paramLabel = "SHARE",
            description = "share with a malformed key (default: half of --invalid-share)")
    Double malformedShare;

    @Option(names = "--mix", paramLabel = "KIND=W,...", description = "request kinds and weights: chat, stream,"
            + " completion, image, models (default: " + "chat=60,stream=20,completion=10,image=5,models=5)")
    String mix;

    @Option(names = "--model", paramLabel = "MODEL", defaultValue = "dalsi-ai",
            description = "model of chat and completion requests (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--image-model", paramLabel = "MODEL", defaultValue = "dalsi-aivi",
            description = "model of image requests (default: ${DEFAULT-VALUE})")
    String imageModel;

    @Option(names = "--drain", paramLabel = "TIME", defaultValue = "5s", converter = DurationConverter.class,
            description = "how long to wait for answers after the last request (default: ${DEFAULT-VALUE})")
    Duration drain;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "seed of the random choices of kinds and keys (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the result as JSON, with each key's"
            + " hash (for checking a ledger)")
    Path json;

    @Option(names = "--quiet", description = "no progress line")
    boolean quiet;

    @Option(names = "--per-key", description = "counts per key prefix in the summary")
    boolean perKey;

    public RunCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        LoadSpec load;
        try {
            load = spec();
        } catch (IllegalArgumentException | IOException e) {
            throw Cli.badArgument(spec, e.getMessage());
        }
        ProgressLine progress = new ProgressLine(err, !quiet && ProgressLine.onTerminal(), "");
        RunResult result;
        try {
            result = LoadGenerator.run(load, progress);
        } catch (IOException e) {
            progress.close();
            err.println("run: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        } finally {
            progress.close();
        }
        out.print(Summary.of(result, perKey));
        if (json != null) {
            try {
                Files.writeString(json, json(result));
            } catch (IOException e) {
                err.println("run: --json: " + e.getMessage());
                return 1;
            }
        }
        return 0;
    }

    /** The spec described by the options. */
    LoadSpec spec() throws IOException {
        if (max == (rate != null)) {
            throw new IllegalArgumentException("--rate R or --max: exactly one is required");
        }
        List<String> known = keys(keyFiles, keys, "--keys");
        List<String> overLimit = keys(overLimitKeyFiles, overLimitKeys, "--over-limit-keys");
        double unknown = unknownShare != null ? unknownShare : invalidShare / 2;
        double malformed = malformedShare != null ? malformedShare : invalidShare / 2;
        KeySet keySet = KeySet.of(known, overLimit, overLimitShare, unknown, malformed);
        return new LoadSpec(url, max ? LoadSpec.Mode.CLOSED : LoadSpec.Mode.OPEN, rate == null ? 0 : rate,
                duration, requests, connections, threads, mix != null ? RequestMix.parse(mix) : RequestMix.DEFAULT,
                keySet, model, imageModel, drain, Duration.ofSeconds(5), seed);
    }

    /** Keys from files (one a line, {@code #} comments) and single options, in order. */
    static List<String> keys(List<Path> files, List<String> single, String fileOption) throws IOException {
        List<String> out = new ArrayList<>();
        for (Path p : files) {
            if (!Files.isReadable(p)) {
                throw new IllegalArgumentException(fileOption + ": cannot read " + p);
            }
            for (String line : Files.readAllLines(p)) {
                String k = line.strip();
                if (!k.isEmpty() && !k.startsWith("#")) {
                    out.add(k);
                }
            }
        }
        out.addAll(single);
        return out;
    }

    /** The result as JSON, with per-key counts named by key prefix and hash (what api_keys stores). */
    static String json(RunResult r) throws IOException {
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = m.createObjectNode();
        root.put("url", r.spec().baseUrl().toString());
        root.put("mode", r.spec().mode().name().toLowerCase(java.util.Locale.ROOT));
        root.put("sent", r.sent());
        root.put("answered", r.completed());
        root.put("failed", r.failed());
        root.put("unfinished", r.unfinished());
        root.put("throughput", r.throughput());
        ObjectNode lat = root.putObject("latency_us");
        for (double p : new double[] {50, 90, 99, 99.9}) {
            lat.put("p" + (p == Math.rint(p) ? String.valueOf((int) p) : String.valueOf(p)), r.latency().getValueAtPercentile(p));
        }
        lat.put("max", r.latency().getMaxValue());
        ObjectNode status = root.putObject("by_status");
        r.byStatus().forEach((k, v) -> status.put(String.valueOf(k), v));
        ArrayNode keys = root.putArray("by_key");
        for (int k = 0; k < r.perKey().length; k++) {
            if (!r.spec().keys().classOf(k).registered()) {
                continue;
            }
            ObjectNode n = keys.addObject();
            n.put("key_prefix", r.spec().keys().displayPrefix(k));
            n.put("key_hash", ApiKeyFormat.sha256Hex(r.spec().keys().key(k)));
            n.put("class", r.spec().keys().classOf(k).label());
            for (StatusClass c : StatusClass.values()) {
                n.put(c.label(), r.perKey()[k][c.ordinal()]);
            }
        }
        return m.writeValueAsString(root);
    }
}
