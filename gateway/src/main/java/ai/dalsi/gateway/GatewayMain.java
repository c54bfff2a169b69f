package ai.dalsi.gateway;

import ai.dalsi.gateway.cli.AdminCommand;
import ai.dalsi.gateway.cli.BillingCommand;
import ai.dalsi.gateway.cli.MigrateCommand;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Map;

/**
 * Entry point of {@code gateway.jar}: picks the command and hands it the environment. The
 * commands themselves build what they need (this is the one composition root per command).
 *
 * <pre>
 * java -jar gateway.jar migrate     apply the database migrations and exit
 * java -jar gateway.jar admin create --username NAME --role super_admin   (password on stdin)
 * java -jar gateway.jar billing --period YYYY-MM                          invoices for a month
 * </pre>
 */
public final class GatewayMain {

    private GatewayMain() {
    }

    public static void main(String[] args) {
        int code = run(args, System.getenv(), System.out, System.err);
        if (code != Integer.MIN_VALUE) {
            System.exit(code);
        }
    }

    /**
     * Runs a command and returns its exit code; {@link Integer#MIN_VALUE} means the command keeps
     * running (a server) and the JVM must not exit.
     */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            usage(err);
            return 2;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        return switch (args[0]) {
            case "migrate" -> new MigrateCommand(env, out, err).run(rest);
            case "admin" -> new AdminCommand(env, out, err).run(rest);
            case "billing" -> new BillingCommand(env, out, err).run(rest);
            case "help", "--help", "-h" -> {
                usage(out);
                yield 0;
            }
            default -> {
                err.println("unknown command: " + args[0]);
                usage(err);
                yield 2;
            }
        };
    }

    private static void usage(PrintStream s) {
        s.println("usage: java -jar gateway.jar <command>");
        s.println("  migrate    apply the database migrations (GATEWAY_DB_URL, GATEWAY_DB_USER, GATEWAY_DB_PASSWORD)");
        s.println("  admin      admin create --username NAME --role admin|super_admin (password on stdin)");
        s.println("  billing    billing --period YYYY-MM [--tax-rate R]: invoices for a month's usage");
    }
}
