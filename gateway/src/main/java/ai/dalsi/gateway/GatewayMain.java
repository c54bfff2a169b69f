package ai.dalsi.gateway;

import ai.dalsi.gateway.cli.AdminCommand;
import ai.dalsi.gateway.cli.BillingCommand;
import ai.dalsi.gateway.cli.Cli;
import ai.dalsi.gateway.cli.DemoCommand;
import ai.dalsi.gateway.cli.MigrateCommand;
import ai.dalsi.gateway.cli.ServeCommand;
import java.io.PrintStream;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code gateway.jar} ({@code bin/gateway}): picocli picks the command and hands it
 * the environment. The commands themselves build what they need (the one composition root per
 * command). {@code bin/gateway --help} lists them, {@code bin/gateway COMMAND --help} explains one.
 */
@Command(name = "gateway", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        scope = CommandLine.ScopeType.INHERIT, synopsisSubcommandLabel = "COMMAND",
        description = "The Dalsi AI API gateway: an OpenAI-compatible public API with a usage ledger.",
        commandListHeading = "%nCommands:%n",
        footer = {"", "Settings come from gateway-defaults.yaml, a --config file (serve) and GATEWAY_* environment"
                + " variables; the database from GATEWAY_DB_URL, GATEWAY_DB_USER, GATEWAY_DB_PASSWORD."})
public final class GatewayMain {

    private GatewayMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** Runs a command and returns its exit code ({@code serve} and {@code demo} return only by ending the JVM). */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        return commandLine(env, out, err).execute(args);
    }

    /** Every command of the jar, as picocli runs them (a test walks it to ask each one for --help). */
    public static CommandLine commandLine(Map<String, String> env, PrintStream out, PrintStream err) {
        return Cli.commandLine(new GatewayMain(), out, err,
                new ServeCommand(env, out, err),
                new DemoCommand(env, out, err),
                new MigrateCommand(env, out, err),
                new AdminCommand(env, out, err),
                new BillingCommand(env, out, err),
                new CommandLine.HelpCommand());
    }
}
