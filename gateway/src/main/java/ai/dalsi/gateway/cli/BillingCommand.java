package ai.dalsi.gateway.cli;

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
public final class BillingCommand {

    static final String TAX_RATE_ENV = "GATEWAY_BILLING_TAX_RATE";

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;

    public BillingCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this(env, out, err, Clock.systemUTC());
    }

    BillingCommand(Map<String, String> env, PrintStream out, PrintStream err, Clock clock) {
        this.env = env;
        this.out = out;
        this.err = err;
        this.clock = clock;
    }

    public int run(String[] args) {
        String period = null;
        String taxRate = env.get(TAX_RATE_ENV);
        String taxRateSource = TAX_RATE_ENV;
        String dueDays = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            String value;
            if (arg.contains("=")) {
                value = arg.substring(arg.indexOf('=') + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                value = null;
            }
            switch (name) {
                case "--period" -> period = value;
                case "--tax-rate" -> {
                    taxRate = value;
                    taxRateSource = "--tax-rate";
                }
                case "--due-days" -> dueDays = value;
                default -> {
                    return usage("unknown argument " + arg);
                }
            }
            if (value == null) {
                return usage(name + " needs a value");
            }
        }
        if (period == null) {
            return usage("--period is required (expected: YYYY-MM)");
        }
        YearMonth month;
        try {
            month = YearMonth.parse(period);
        } catch (DateTimeParseException e) {
            return usage("--period " + period + ": not a month (expected: YYYY-MM, e.g. 2026-10)");
        }
        BillingConfig config = BillingConfig.defaults();
        if (taxRate != null && !taxRate.isBlank()) {
            try {
                config = config.withTaxRate(new BigDecimal(taxRate.strip()));
            } catch (NumberFormatException e) {
                return usage(taxRateSource + " " + taxRate + ": not a number (expected: a fraction between 0 and 1,"
                        + " e.g. 0.19 for 19%)");
            } catch (IllegalArgumentException e) {
                return usage(taxRateSource + " " + taxRate + " (expected: a fraction between 0 and 1, e.g. 0.19"
                        + " for 19%)");
            }
        }
        if (dueDays != null) {
            try {
                config = config.withDueDays(Integer.parseInt(dueDays.strip()));
            } catch (IllegalArgumentException e) {
                return usage("--due-days " + dueDays + " (expected: a whole number of days, 0..365)");
            }
        }
        if (clock.instant().isBefore(BillingJob.end(month))) {
            return usage("--period " + month + " has not ended yet (it ends " + BillingJob.end(month)
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

    private int usage(String problem) {
        err.println("billing: " + problem);
        return 2;
    }
}
