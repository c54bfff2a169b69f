package ai.dalsi.gateway.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How {@code gateway.jar} and {@code loadtest.jar} run their picocli commands, so both answer the
 * same way: {@code --help} prints the usage to standard output and exits 0, {@code --version}
 * prints the version, and a bad argument prints one line naming the command and the problem, then
 * the usage, to standard error and exits 2 ({@link CommandLine.ExitCode#USAGE}). Other exit codes
 * are each command's own (listed in its usage).
 */
public final class Cli {

    /** Exit code of a bad argument. */
    public static final int USAGE = CommandLine.ExitCode.USAGE;

    private Cli() {
    }

    /**
     * The command line of {@code root} and its subcommands, every one of them writing to these streams
     * (picocli gives a setting only to the commands present when it is set, so they are added first).
     */
    public static CommandLine commandLine(Object root, PrintStream out, PrintStream err, Object... subcommands) {
        CommandLine cl = new CommandLine(root);
        for (Object sub : subcommands) {
            cl.addSubcommand(sub);
        }
        cl.setOut(new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        cl.setParameterExceptionHandler(Cli::badArguments);
        cl.setUsageHelpLongOptionsMaxWidth(30);
        return cl;
    }

    /**
     * A bad argument found after parsing (a value of the wrong shape, two options that exclude each
     * other): thrown from a command, it is reported like a parse error, one line and the usage, exit 2.
     */
    public static ParameterException badArgument(CommandSpec spec, String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** {@code billing}, {@code admin create}: the command as typed after the jar. */
    public static String name(CommandSpec spec) {
        String qualified = spec.qualifiedName(" ");
        int space = qualified.indexOf(' ');
        return space < 0 ? qualified : qualified.substring(space + 1);
    }

    private static int badArguments(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(name(cmd.getCommandSpec()) + ": " + e.getMessage());
        UnmatchedArgumentException.printSuggestions(e, err);
        cmd.usage(err);
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * {@code --version}: the jar's name and version (from its manifest) and the Java it runs on.
     */
    public static final class Version implements IVersionProvider {

        @Spec
        CommandSpec spec;

        @Override
        public String[] getVersion() {
            CommandSpec root = spec.root();
            String version = root.userObject().getClass().getPackage().getImplementationVersion();
            return new String[] {
                root.name() + " " + (version == null ? "(development build)" : version),
                "Java " + Runtime.version() + ", " + System.getProperty("java.vendor") + ", "
                        + System.getProperty("java.home"),
            };
        }
    }
}
