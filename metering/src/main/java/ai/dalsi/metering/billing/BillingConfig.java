package ai.dalsi.metering.billing;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * How invoices are made. Validated on construction; a bad value fails with a message naming the
 * setting and what was expected.
 *
 * @param taxRate  tax as a fraction of the amount (0.19 for 19%), 0 to 1
 * @param dueDays  days after the end of the billing period that an invoice is due, 0 to 365
 * @param currency ISO 4217 code of the amounts; usage is priced in USD
 */
public record BillingConfig(BigDecimal taxRate, int dueDays, String currency) {

    /** Days to pay, counted from the first instant after the period. */
    public static final int DEFAULT_DUE_DAYS = 14;

    public BillingConfig {
        Objects.requireNonNull(taxRate, "billing.taxRate: missing (expected: a fraction between 0 and 1)");
        if (taxRate.signum() < 0 || taxRate.compareTo(BigDecimal.ONE) > 0) {
            throw new IllegalArgumentException("billing.taxRate: " + taxRate.toPlainString()
                    + " (expected: a fraction between 0 and 1, e.g. 0.19 for 19%)");
        }
        if (dueDays < 0 || dueDays > 365) {
            throw new IllegalArgumentException("billing.dueDays: " + dueDays + " (expected: 0..365)");
        }
        if (currency == null || !currency.matches("[A-Z]{3}")) {
            throw new IllegalArgumentException("billing.currency: " + currency + " (expected: an ISO 4217 code such as USD)");
        }
    }

    /** No tax, due 14 days after the period, in USD. */
    public static BillingConfig defaults() {
        return new BillingConfig(BigDecimal.ZERO, DEFAULT_DUE_DAYS, "USD");
    }

    /** The same settings with another tax rate. */
    public BillingConfig withTaxRate(BigDecimal rate) {
        return new BillingConfig(rate, dueDays, currency);
    }

    /** The same settings with another number of days to pay. */
    public BillingConfig withDueDays(int days) {
        return new BillingConfig(taxRate, days, currency);
    }
}
