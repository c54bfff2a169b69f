package ai.dalsi.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.GatewayMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Arguments of {@code billing} that are refused before any database is touched. */
class BillingCommandTest {

    private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-24T12:00:00Z"), ZoneOffset.UTC);

    record Run(int exit, String out, String err) {

        String firstLine() {
            return err.lines().findFirst().orElse("");
        }
    }

    private static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        int exit = Cli.commandLine(new BillingCommand(env, o, e, NOW), o, e).execute(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "'' | billing: Missing required option: '--period=YYYY-MM'",
        "--period 2026-13 | billing: --period 2026-13: not a month (expected: YYYY-MM, e.g. 2026-10)",
        "--period=11/2026 | billing: --period 11/2026: not a month (expected: YYYY-MM, e.g. 2026-10)",
        "--period | billing: Missing required parameter for option '--period' (YYYY-MM)",
        "--period 2026-10 --tax-rate abc | billing: --tax-rate abc: not a number (expected: a fraction between 0 and 1, e.g. 0.19 for 19%)",
        "--period 2026-10 --tax-rate 19 | billing: --tax-rate 19 (expected: a fraction between 0 and 1, e.g. 0.19 for 19%)",
        "--period 2026-10 --due-days -3 | billing: --due-days -3 (expected: a whole number of days, 0..365)",
        "--period 2026-10 --verbose | billing: Unknown option: '--verbose'",
        "--period 2026-11 | billing: --period 2026-11 has not ended yet (it ends 2026-12-01T00:00:00Z); bill a month once it is over",
    })
    void badArgumentsAreOneLineWithTheUsageAndExitTwo(String args, String message) {
        Run r = run(Map.of(), args.isEmpty() ? new String[0] : args.split(" "));
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.firstLine()).isEqualTo(message);
        assertThat(r.err()).contains("Usage: billing").contains("--period=YYYY-MM");
        assertThat(r.out()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"-0.1", "1.5", "x"})
    void aBadTaxRateFromTheEnvironmentNamesTheVariable(String rate) {
        Run r = run(Map.of("GATEWAY_BILLING_TAX_RATE", rate), "--period", "2026-10");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("billing: GATEWAY_BILLING_TAX_RATE " + rate);
    }

    @Test
    void helpListsTheOptionsAndExitCodes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertThat(GatewayMain.run(new String[] {"billing", "--help"}, Map.of(), o, o)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--period=YYYY-MM", "--tax-rate=RATE", "--due-days=DAYS", "Exit codes:");
    }
}
