package ai.dalsi.gateway.cli;

import ai.dalsi.gateway.config.ConfigLoader;
import ai.dalsi.metering.billing.BillingConfig;
import ai.dalsi.metering.billing.BillingJob;
import ai.dalsi.metering.billing.BillingResult;
import ai.dalsi.persistence.Database;
import ai.dalsi.persistence.DatabaseConfig;
import ai.dalsi.persistence.DatabaseUnavailableException;
import ai.dalsi.persistence.JdbcUrls;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code billing --period YYYY-MM [--tax-rate R] [--due-days N]}: turns the month's usage rollups
 * into one pending invoice per user (see {@link BillingJob} for the rules) and prints a one-line
 * summary. The database comes from {@code GATEWAY_DB_URL}, {@code GATEWAY_DB_USER} and
 * {@code GATEWAY_DB_PASSWORD}; the tax rate, a fraction such as 0.19, from {@code --tax-rate} or
 * {@code GATEWAY_BILLING_TAX_RATE} (default 0); invoices are due {@code --due-days} (default 14)
 * after the month ends. Running it again for the same month changes nothing.
 *
 * <p>Exit 0 when done; 2 with one line naming the argument when an argument is wrong (or the month
 * has not ended); 1 with one line when the database cannot be used.
 */
@Command(name = "billing", description = {"Write one pending invoice per user for a month's usage (from the hourly"
        + " rollups; internal keys excluded). Running it again for the same month changes nothing.",
        "The database: GATEWAY_DB_URL, GATEWAY_DB_USER, GATEWAY_DB_PASSWORD."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done (a summary line on standard output)", "1:the database cannot be used",
            "2:bad arguments, or the month has not ended"})
public final class BillingCommand implements Callable<Integer> {

    static final String TAX_RATE_ENV = ConfigLoader.BILLING_TAX_RATE_VARIABLE;

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;

    @Spec
    CommandSpec spec;

    @Option(names = "--period", required = true, paramLabel = "YYYY-MM", description = "the month to bill (UTC)")
    String period;

    @Option(names = "--tax-rate", paramLabel = "RATE", description = "tax as a fraction, 0.19 for 19%% (default:"
            + " GATEWAY_BILLING_TAX_RATE, else 0)")
    String taxRate;

    @Option(names = "--due-days", paramLabel = "DAYS", description = "invoices are due this many days after the"
            + " month (default: 14)")
    String dueDays;

    public BillingCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this(env, out, err, Clock.systemUTC());
    }

    BillingCommand(Map<String, String> env, PrintStream out, PrintStream err, Clock clock) {
        this.env = env;
        this.out = out;
        this.err = err;
        this.clock = clock;
    }

    @Override
    public Integer call() {
        String rate = taxRate != null ? taxRate : env.get(TAX_RATE_ENV);
        String rateSource = taxRate != null ? "--tax-rate" : TAX_RATE_ENV;
        YearMonth month;
        try {
            month = YearMonth.parse(period);
        } catch (DateTimeParseException e) {
            throw Cli.badArgument(spec, "--period " + period + ": not a month (expected: YYYY-MM, e.g. 2026-10)");
        }
        BillingConfig config = BillingConfig.defaults();
        if (rate != null && !rate.isBlank()) {
            try {
                config = config.withTaxRate(new BigDecimal(rate.strip()));
            } catch (NumberFormatException e) {
                throw Cli.badArgument(spec, rateSource + " " + rate + ": not a number (expected: a fraction between 0"
                        + " and 1, e.g. 0.19 for 19%)");
            } catch (IllegalArgumentException e) {
                throw Cli.badArgument(spec, rateSource + " " + rate + " (expected: a fraction between 0 and 1, e.g."
                        + " 0.19 for 19%)");
            }
        }
        if (dueDays != null) {
            try {
                config = config.withDueDays(Integer.parseInt(dueDays.strip()));
            } catch (IllegalArgumentException e) {
                throw Cli.badArgument(spec, "--due-days " + dueDays + " (expected: a whole number of days, 0..365)");
            }
        }
        if (clock.instant().isBefore(BillingJob.end(month))) {
            throw Cli.badArgument(spec, "--period " + month + " has not ended yet (it ends " + BillingJob.end(month)
                    + "); bill a month once it is over");
        }

        DatabaseConfig db;
        try {
            db = EnvDatabase.config(env).withMigrateOnStart(false).withMaxPoolSize(2);
        } catch (IllegalArgumentException e) {
            err.println("billing: " + e.getMessage());
            return 1;
        }
        try (Database database = Database.open(db)) {
            BillingResult result = new BillingJob(database.dsl(), config, clock).run(month);
            out.println(result.summary(config.currency()));
            return 0;
        } catch (DatabaseUnavailableException e) {
            err.println("billing: " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            err.println("billing: cannot bill " + month + " in " + JdbcUrls.masked(db.jdbcUrl()) + ": "
                    + DatabaseUnavailableException.rootMessage(e));
            return 1;
        }
    }
}
