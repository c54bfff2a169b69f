package ai.dalsi.metering.billing;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** One invoice the {@link BillingJob} created (a {@code billing_invoices} row). */
public record Invoice(
        UUID id,
        UUID userId,
        UUID subscriptionId,
        String invoiceNumber,
        BigDecimal amount,
        BigDecimal taxAmount,
        BigDecimal totalAmount,
        String currency,
        Instant dueDate,
        Instant periodStart,
        Instant periodEnd) {
}
