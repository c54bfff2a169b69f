package ai.dalsi.gateway.cli;

import ai.dalsi.gateway.admin.AdminAccounts;
import ai.dalsi.gateway.admin.Role;
import ai.dalsi.persistence.Database;
import ai.dalsi.persistence.DatabaseConfig;
import ai.dalsi.persistence.DatabaseUnavailableException;
import ai.dalsi.persistence.JdbcUrls;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code admin create --username NAME --role admin|super_admin [--full-name TEXT] [--email ADDRESS]}:
 * creates an admin account ({@code a_users}) in the database named by {@code GATEWAY_DB_*},
 * migrating it first. The password is read from standard input (one line; from a terminal it is
 * not echoed) and never printed.
 *
 * <p>Exit codes: 0 created; 1 the database cannot be reached or migrated; 2 bad arguments or an
 * unusable password; 3 the username is taken.
 */
@Command(name = "admin", description = "Manage admin accounts of the admin API (the database from GATEWAY_DB_URL,"
        + " GATEWAY_DB_USER, GATEWAY_DB_PASSWORD).", synopsisSubcommandLabel = "COMMAND",
        commandListHeading = "%nCommands:%n")
public final class AdminCommand {

    public static final int CREATED = 0;
    public static final int DATABASE_PROBLEM = 1;
    public static final int USAGE = Cli.USAGE;
    public static final int USERNAME_TAKEN = 3;

    private final Map<String, String> env;
    private final InputStream in;
    private final Console console;
    private final PrintStream out;
    private final PrintStream err;

    @Spec
    CommandSpec spec;

    public AdminCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this(env, System.in, System.console(), out, err);
    }

    AdminCommand(Map<String, String> env, InputStream in, Console console, PrintStream out, PrintStream err) {
        this.env = env;
        this.in = in;
        this.console = console;
        this.out = out;
        this.err = err;
    }

    @Command(name = "create", description = {"Create an admin account. The password is read from standard input"
            + " (one line; not echoed on a terminal), at least 12 characters, at most 72 bytes; stored as a bcrypt"
            + " hash and never printed.",
        "Example: echo \"$ADMIN_PASSWORD\" | bin/gateway admin create --username ops --role super_admin"},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:created", "1:the database cannot be reached or migrated",
                "2:bad arguments or an unusable password", "3:the username exists"})
    int create(
            @Option(names = "--username", required = true, paramLabel = "NAME",
                    description = "login name, at most 100 characters") String username,
            @Option(names = "--role", paramLabel = "ROLE", defaultValue = "admin",
                    description = "admin or super_admin (default: ${DEFAULT-VALUE})") String roleName,
            @Option(names = "--full-name", paramLabel = "TEXT") String fullName,
            @Option(names = "--email", paramLabel = "ADDRESS") String email) {
        if (username.isBlank() || username.length() > 100 || !username.strip().equals(username)) {
            throw Cli.badArgument(spec.subcommands().get("create").getCommandSpec(),
                    "--username: at most 100 characters, no leading or trailing spaces");
        }
        Role role = Role.ofDbValue(roleName);
        if (role == null) {
            throw Cli.badArgument(spec.subcommands().get("create").getCommandSpec(),
                    "role: \"" + roleName + "\" (expected: admin or super_admin)");
        }
        String password = readPassword();
        String problem = AdminAccounts.passwordProblem(password);
        if (problem != null) {
            err.println("admin create: " + problem + " (read from standard input)");
            return USAGE;
        }
        DatabaseConfig config;
        try {
            config = EnvDatabase.config(env).withMaxPoolSize(2);
        } catch (IllegalArgumentException e) {
            err.println("admin create: " + e.getMessage());
            return DATABASE_PROBLEM;
        }
        try (Database db = Database.open(config)) {
            AdminAccounts.Created created = new AdminAccounts(db.dsl(), Clock.systemUTC())
                    .create(username, role, password, fullName, email);
            return switch (created) {
                case AdminAccounts.Done done -> {
                    out.println("admin create: created " + role.dbValue() + " " + username + " (id " + done.id() + ")");
                    yield CREATED;
                }
                case AdminAccounts.DuplicateUsername dup -> {
                    err.println("admin create: username " + dup.username() + " already exists");
                    yield USERNAME_TAKEN;
                }
            };
        } catch (DatabaseUnavailableException e) {
            err.println("admin create: " + e.getMessage());
            return DATABASE_PROBLEM;
        } catch (RuntimeException e) {
            err.println("admin create: cannot create the account in " + JdbcUrls.masked(config.jdbcUrl()) + ": "
                    + DatabaseUnavailableException.rootMessage(e));
            return DATABASE_PROBLEM;
        }
    }

    /** One line from a terminal (not echoed) or from piped standard input; null when there is none. */
    private String readPassword() {
        if (console != null) {
            char[] typed = console.readPassword("password for the new admin: ");
            return typed == null ? null : new String(typed);
        }
        try {
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line = reader.readLine();
            return line == null ? null : line.replace("\r", "");
        } catch (IOException e) {
            return null;
        }
    }
}
