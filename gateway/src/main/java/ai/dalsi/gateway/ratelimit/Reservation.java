package ai.dalsi.gateway.ratelimit;

import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What one admitted request holds until its exchange ends: its worst-case tokens in the key's token
 * windows and its worst-case cost against the key's and the user's budgets of the month it was
 * admitted in. Plain data (ids, the admission instant, amounts), so that a limiter whose state lives
 * elsewhere (Redis) settles it as well as the local one; {@link KeyRateLimiter#settle} takes it
 * back, and only the first settlement counts.
 */
public final class Reservation {

    private final UUID keyId;
    private final UUID userId;
    private final long atNanos;
    private final long tokens;
    private final BigDecimal cost;
    private final YearMonth month;
    private final boolean keyBudget;
    private final boolean userBudget;
    private final AtomicBoolean settled = new AtomicBoolean();

    /**
     * @param atNanos    when it was admitted, on the limiter's time meter (names the token slots)
     * @param tokens     tokens reserved (0 when the key has no token limits)
     * @param cost       cost reserved (0 when no budget applies)
     * @param month      the UTC month the cost counts in, or null when no budget applies
     * @param keyBudget  whether the cost is reserved against the key's budget
     * @param userBudget whether the cost is reserved against the user's budget
     */
    public Reservation(UUID keyId, UUID userId, long atNanos, long tokens, BigDecimal cost, YearMonth month,
            boolean keyBudget, boolean userBudget) {
        this.keyId = Objects.requireNonNull(keyId, "keyId");
        this.userId = Objects.requireNonNull(userId, "userId");
        this.atNanos = atNanos;
        this.tokens = tokens;
        this.cost = Objects.requireNonNull(cost, "cost");
        this.month = month;
        this.keyBudget = keyBudget;
        this.userBudget = userBudget;
    }

    public UUID keyId() {
        return keyId;
    }

    public UUID userId() {
        return userId;
    }

    public long atNanos() {
        return atNanos;
    }

    public long tokens() {
        return tokens;
    }

    public BigDecimal cost() {
        return cost;
    }

    public YearMonth month() {
        return month;
    }

    public boolean keyBudget() {
        return keyBudget;
    }

    public boolean userBudget() {
        return userBudget;
    }

    /** Marks it settled; true only the first time, so that a second settlement changes nothing. */
    public boolean markSettled() {
        return settled.compareAndSet(false, true);
    }

    @Override
    public String toString() {
        return "Reservation[key=" + keyId + ", tokens=" + tokens + ", cost=" + cost + ", month=" + month + "]";
    }
}
