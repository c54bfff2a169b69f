package ai.dalsi.metering.billing;

import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.List;

/**
 * What one run of the {@link BillingJob} did.
 *
 * @param period          the billed month (UTC)
 * @param usersWithUsage  users whose non-internal keys were used in the period
 * @param created         the invoices this run created, in invoice-number order
 * @param alreadyInvoiced users with usage who had an invoice for the period already (left untouched)
 */
public record BillingResult(YearMonth period, int usersWithUsage, List<Invoice> created, int alreadyInvoiced) {

    public BillingResult {
        created = List.copyOf(created);
    }

    /** Sum of the created invoices' totals (amount plus tax). */
    public BigDecimal total() {
        return created.stream().map(Invoice::totalAmount).reduce(BigDecimal.ZERO.setScale(2), BigDecimal::add);
    }

    /** Sum of the created invoices' amounts before tax. */
    public BigDecimal amount() {
        return created.stream().map(Invoice::amount).reduce(BigDecimal.ZERO.setScale(2), BigDecimal::add);
    }

    /** A one-line summary for people. */
    public String summary(String currency) {
        String numbers = created.isEmpty() ? ""
                : created.size() == 1 ? " (" + created.getFirst().invoiceNumber() + ")"
                : " (" + created.getFirst().invoiceNumber() + " .. " + created.getLast().invoiceNumber() + ")";
        return "billing " + period + ": " + usersWithUsage + " user(s) with usage, " + created.size()
                + " invoice(s) created" + numbers + ", " + alreadyInvoiced + " already invoiced; total "
                + total().toPlainString() + " " + currency + " (amount " + amount().toPlainString() + " + tax "
                + total().subtract(amount()).toPlainString() + ")";
    }
}
