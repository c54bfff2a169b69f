package ai.dalsi.loadtest.cli;

import ai.dalsi.gateway.auth.ApiKeyFormat;
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
import java.util.Set;

/**
 * {@code loadtest.jar run}: one load run against one URL, with a summary at the end.
 *
 * <pre>
 * java -jar loadtest.jar run --url http://127.0.0.1:8080 --rate 2000 --duration 20s --connections 16 --keys keys.txt
 * java -jar loadtest.jar run --url http://127.0.0.1:8080 --max --duration 20s --connections 32 --key dsk_live_...
 * </pre>
 */
public final class RunCommand {

    static final Set<String> FLAGS = Set.of("--max", "--quiet", "--per-key", "--help");
    static final Set<String> VALUES = Set.of("--url", "--rate", "--duration", "--requests", "--connections", "--threads",
            "--keys", "--key", "--over-limit-keys", "--over-limit-key", "--over-limit-share", "--unknown-share",
            "--malformed-share", "--invalid-share", "--mix", "--model", "--image-model", "--drain", "--seed", "--json");

    private final PrintStream out;
    private final PrintStream err;

    public RunCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public int run(String[] argv) {
        Args args;
        LoadSpec spec;
        try {
            args = Args.parse(argv, FLAGS, VALUES);
            if (args.flag("--help")) {
                usage(out);
                return 0;
            }
            spec = spec(args);
        } catch (IllegalArgumentException | IOException e) {
            err.println("run: " + e.getMessage());
            usage(err);
            return 2;
        }
        ProgressLine progress = new ProgressLine(err, !args.flag("--quiet") && ProgressLine.onTerminal(), "");
        RunResult result;
        try {
            result = LoadGenerator.run(spec, progress);
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
        out.print(Summary.of(result, args.flag("--per-key")));
        if (args.has("--json")) {
            try {
                Path file = Path.of(args.string("--json", null));
                Files.writeString(file, json(result));
            } catch (IOException e) {
                err.println("run: --json: " + e.getMessage());
                return 1;
            }
        }
        return 0;
    }

    /** The spec described by the options. */
    static LoadSpec spec(Args args) throws IOException {
        URI url = URI.create(args.required("--url"));
        boolean max = args.flag("--max");
        if (max == args.has("--rate")) {
            throw new IllegalArgumentException("--rate R or --max: exactly one is required");
        }
        List<String> known = keys(args, "--keys", "--key");
        List<String> overLimit = keys(args, "--over-limit-keys", "--over-limit-key");
        double invalid = args.decimal("--invalid-share", 0);
        double unknown = args.decimal("--unknown-share", invalid / 2);
        double malformed = args.decimal("--malformed-share", invalid / 2);
        double overShare = args.decimal("--over-limit-share", 0);
        KeySet keys = KeySet.of(known, overLimit, overShare, unknown, malformed);
        int connections = args.integer("--connections", 16);
        return new LoadSpec(url, max ? LoadSpec.Mode.CLOSED : LoadSpec.Mode.OPEN, args.decimal("--rate", 0),
                args.duration("--duration", Duration.ofSeconds(10)), args.longValue("--requests", 0), connections,
                args.integer("--threads", 1),
                args.has("--mix") ? RequestMix.parse(args.string("--mix", null)) : RequestMix.DEFAULT, keys,
                args.string("--model", "dalsi-ai"), args.string("--image-model", "dalsi-aivi"),
                args.duration("--drain", Duration.ofSeconds(5)), Duration.ofSeconds(5), args.longValue("--seed", 42));
    }

    /** Keys from files (one a line, {@code #} comments) and single options, in order. */
    static List<String> keys(Args args, String fileOption, String keyOption) throws IOException {
        List<String> out = new ArrayList<>();
        for (String f : args.all(fileOption)) {
            Path p = Path.of(f);
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
        out.addAll(args.all(keyOption));
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

    static void usage(PrintStream s) {
        s.println("usage: java -jar loadtest.jar run --url URL (--rate R | --max) [options]");
        s.println("  --duration 10s          how long to issue requests (then wait up to --drain for answers)");
        s.println("  --requests N            stop after N requests (default: no limit)");
        s.println("  --connections 16        keep-alive connections; --threads 1 event loops");
        s.println("  --keys FILE, --key K    registered keys with ample limits (repeatable)");
        s.println("  --over-limit-keys FILE, --over-limit-key K, --over-limit-share 0.05");
        s.println("  --invalid-share 0.1     share of bad keys, half well-formed unknown, half malformed");
        s.println("                          (or --unknown-share and --malformed-share separately)");
        s.println("  --mix chat=60,stream=20,completion=10,image=5,models=5");
        s.println("  --model dalsi-ai --image-model dalsi-aivi --drain 5s --seed 42");
        s.println("  --quiet (no progress line) --per-key (counts per key prefix) --json FILE");
    }
}
