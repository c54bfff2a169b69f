package ai.dalsi.gateway.cli;

import ai.dalsi.gateway.config.GatewayConfig;
import ai.dalsi.gateway.demo.DemoCatalog;
import ai.dalsi.gateway.demo.DemoDatabase;
import ai.dalsi.gateway.serve.GatewayNode;
import ai.dalsi.gateway.simulator.SimulatedBackend;
import java.io.PrintStream;
import java.util.Locale;

/** What {@code demo} prints once it serves: where things are, the key (once), and lines to paste. */
final class DemoWelcome {

    private final PrintStream out;

    DemoWelcome(PrintStream out) {
        this.out = out;
    }

    void print(GatewayConfig config, GatewayNode node, SimulatedBackend backend, DemoDatabase database,
            DemoCatalog.Seeded seeded, DemoCatalog.Usage earlier, DemoCatalog.DemoKey demoKey, String generatedToken) {
        String base = "http://" + displayHost(config.edge().host()) + ":" + node.edgePort();
        String adminBase = "http://" + displayHost(config.admin().host()) + ":" + node.adminPort();
        String key = demoKey.key();
        out.println();
        out.println("Dalsi AI gateway demo");
        out.println("  database:  " + database.description());
        if (!seeded.created().isEmpty()) {
            out.println("  seeded:    " + String.join(", ", seeded.created()));
        }
        if (!seeded.present().isEmpty()) {
            out.println("  kept:      " + String.join(", ", seeded.present()) + " (already there)");
        }
        out.println(String.format(Locale.ROOT, "  usage:     %d request(s), %d token(s), $%s by the demo user's keys so"
                + " far (GET /admin/usage has the details)", earlier.requests(), earlier.tokens(),
                earlier.costUsd().stripTrailingZeros().toPlainString()));
        for (String conflict : seeded.endpointConflicts()) {
            out.println("  warning:   " + conflict + "; requests to it go to that product");
        }
        out.println("  journal:   " + config.metering().journalDirectory().toAbsolutePath()
                + " (usage is journaled here before PostgreSQL)");
        out.println("  backend:   simulated, " + backend.baseUrl() + " (models " + String.join(", ", DemoCatalog.MODELS)
                + ")");
        out.println();
        out.println(String.format(Locale.ROOT, "Your demo API key (shown only now; the database keeps its hash;"
                + " production, tier pro, all three scopes; %,d requests a minute, %,d an hour, %,d a day):",
                demoKey.perMinute(), demoKey.perHour(), demoKey.perDay()));
        out.println("  " + key);
        out.println();
        out.println("Chat completion:");
        out.println("  curl " + base + "/v1/chat/completions -H \"Authorization: Bearer " + key + "\""
                + " -H \"Content-Type: application/json\" -d '{\"model\":\"" + DemoCatalog.TEXT_MODEL
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}]}'");
        out.println();
        out.println("OpenAI SDKs (Python, Node, Java, ...) read these:");
        out.println("  OPENAI_BASE_URL=" + base + "/v1 OPENAI_API_KEY=" + key);
        out.println();
        out.println("Admin API, /metrics and /health/ready: " + adminBase);
        if (generatedToken != null) {
            out.println("  admin token for this run (set GATEWAY_ADMIN_TOKEN before the demo to choose your own);"
                    + " paste this into your shell:");
            out.println("  export GATEWAY_ADMIN_TOKEN=" + generatedToken);
            out.println("  curl -H \"Authorization: Bearer $GATEWAY_ADMIN_TOKEN\" \"" + adminBase
                    + "/admin/keys?user_id=" + seeded.userId() + "\"");
        } else {
            out.println("  admin token: the one in GATEWAY_ADMIN_TOKEN");
            out.println("  curl -H \"Authorization: Bearer $GATEWAY_ADMIN_TOKEN\" \"" + adminBase
                    + "/admin/keys?user_id=" + seeded.userId() + "\"");
        }
        out.println();
        out.println("Ctrl-C stops the demo.");
        out.flush();
    }

    private static String displayHost(String host) {
        if (host.equals("0.0.0.0") || host.equals("::")) {
            return "127.0.0.1";
        }
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }
}
