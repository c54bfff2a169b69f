package ai.dalsi.gateway.auth;

import java.time.Instant;
import java.util.List;

/**
 * The tier a request gets, decided when the request comes (never when the key was loaded, so a
 * period that ends stops counting at its end even if nothing announces it):
 * <ol>
 *   <li>the tier of the user's subscription that is current at that instant: active or trialing,
 *       and within its period ({@code current_period_start <= now < current_period_end});</li>
 *   <li>when several are current (an upgrade overlapping the old plan, a trial beside a paid
 *       plan), the highest of their tiers: the user pays for, or was granted, each of them;</li>
 *   <li>when none is, the key's own {@code subscription_tier} (keys issued to users without a
 *       portal subscription, partner keys).</li>
 * </ol>
 * A current subscription decides even when its tier is below the key's: the subscription is what
 * the user has bought, the key's tier only stands in when there is none. {@code past_due},
 * {@code cancelled} and {@code expired} subscriptions give nothing.
 */
public final class EffectiveTier {

    private EffectiveTier() {
    }

    /** The tier at {@code now} of a key with this tier whose owner has these subscriptions. */
    public static Tier of(Tier keyTier, List<Subscription> subscriptions, Instant now) {
        Tier best = null;
        for (Subscription s : subscriptions) {
            if (s.current(now) && (best == null || s.tier().compareTo(best) > 0)) {
                best = s.tier();
            }
        }
        return best != null ? best : keyTier;
    }
}
