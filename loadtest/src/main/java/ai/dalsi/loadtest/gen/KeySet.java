package ai.dalsi.loadtest.gen;

import ai.dalsi.gateway.auth.ApiKeyFormat;
import ai.dalsi.gateway.auth.KeyEnvironment;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The keys a run sends and how often each class of key is picked: the registered keys it was
 * given (known and over-limit), plus pools of well-formed unknown keys and malformed keys it makes
 * itself to exercise the 401 paths. Keys are addressed by index so that per-key counters are
 * plain arrays; the index is stable for the whole run.
 *
 * <p>Shares are fractions of all requests; known keys take what the others leave.
 */
public final class KeySet {

    private static final int UNKNOWN_POOL = 256;

    private final String[] keys;
    private final KeyClass[] classes;
    private final int knownCount;
    private final int overLimitCount;
    private final int unknownStart;
    private final int unknownCount;
    private final int malformedStart;
    private final int malformedCount;
    private final double overLimitShare;
    private final double unknownShare;
    private final double malformedShare;

    private KeySet(List<String> known, List<String> overLimit, List<String> unknown, List<String> malformed,
            double overLimitShare, double unknownShare, double malformedShare) {
        List<String> all = new ArrayList<>();
        List<KeyClass> cls = new ArrayList<>();
        add(all, cls, known, KeyClass.KNOWN);
        add(all, cls, overLimit, KeyClass.OVER_LIMIT);
        add(all, cls, unknown, KeyClass.UNKNOWN);
        add(all, cls, malformed, KeyClass.MALFORMED);
        this.keys = all.toArray(String[]::new);
        this.classes = cls.toArray(KeyClass[]::new);
        this.knownCount = known.size();
        this.overLimitCount = overLimit.size();
        this.unknownStart = knownCount + overLimitCount;
        this.unknownCount = unknown.size();
        this.malformedStart = unknownStart + unknownCount;
        this.malformedCount = malformed.size();
        this.overLimitShare = overLimitShare;
        this.unknownShare = unknownShare;
        this.malformedShare = malformedShare;
    }

    private static void add(List<String> all, List<KeyClass> cls, List<String> keys, KeyClass c) {
        for (String k : keys) {
            all.add(k);
            cls.add(c);
        }
    }

    /**
     * A key set.
     *
     * @param known          registered keys with ample limits
     * @param overLimit      registered keys with a tiny limit
     * @param overLimitShare share of requests sent with an over-limit key
     * @param unknownShare   share sent with a well-formed unknown key
     * @param malformedShare share sent with a malformed key
     * @throws IllegalArgumentException naming the option when the shares cannot be met
     */
    public static KeySet of(List<String> known, List<String> overLimit,
            double overLimitShare, double unknownShare, double malformedShare) {
        double rest = checkShares(overLimitShare, unknownShare, malformedShare);
        if (rest > 1e-9 && known.isEmpty()) {
            throw new IllegalArgumentException("--keys/--key: no keys given, but " + Math.round(rest * 100)
                    + "% of requests need a registered key");
        }
        if (overLimitShare > 0 && overLimit.isEmpty()) {
            throw new IllegalArgumentException("--over-limit-keys: none given, but --over-limit-share is " + overLimitShare);
        }
        SecureRandom random = new SecureRandom();
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < UNKNOWN_POOL; i++) {
            unknown.add(ApiKeyFormat.generate(KeyEnvironment.PRODUCTION, random));
        }
        return new KeySet(List.copyOf(known), List.copyOf(overLimit), unknown, malformedKeys(random),
                overLimitShare, unknownShare, malformedShare);
    }

    /**
     * Checks the shares of requests sent with keys the gateway refuses: each between 0 and 1, and
     * together at most 1. {@code compare} calls it with its other option checks, before it starts
     * a process; {@link #of} calls it too.
     *
     * @return the share left for registered keys
     * @throws IllegalArgumentException naming the option when a share is out of range or they add up to more than 1
     */
    public static double checkShares(double overLimitShare, double unknownShare, double malformedShare) {
        check("--over-limit-share", overLimitShare);
        check("--unknown-share", unknownShare);
        check("--malformed-share", malformedShare);
        double rest = 1.0 - overLimitShare - unknownShare - malformedShare;
        if (rest < -1e-9) {
            throw new IllegalArgumentException("--over-limit-share + --unknown-share + --malformed-share: "
                    + (1.0 - rest) + " (expected: <= 1)");
        }
        return rest;
    }

    private static void check(String option, double share) {
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException(option + ": " + share + " (expected: between 0 and 1)");
        }
    }

    /** Keys a gateway can refuse by their shape alone: every way a key can be wrong. */
    static List<String> malformedKeys(SecureRandom random) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String good = ApiKeyFormat.generate(KeyEnvironment.PRODUCTION, random);
            char last = good.charAt(good.length() - 1);
            out.add(good.substring(0, good.length() - 1) + (last == 'A' ? 'B' : 'A')); // checksum off by one
            out.add("dsk_prod_" + good.substring(ApiKeyFormat.PREFIX_LENGTH)); // unknown prefix
            out.add(good.substring(0, good.length() - 3)); // truncated
            out.add(good.substring(0, 20) + "-" + good.substring(21)); // outside base62
        }
        return out;
    }

    /** The index of a key picked according to the shares. */
    public int pick(SplittableRandom random) {
        double r = random.nextDouble();
        if (r < overLimitShare) {
            return knownCount + random.nextInt(overLimitCount);
        }
        r -= overLimitShare;
        if (r < unknownShare) {
            return unknownStart + random.nextInt(unknownCount);
        }
        r -= unknownShare;
        if (r < malformedShare || knownCount == 0) {
            return malformedStart + random.nextInt(malformedCount);
        }
        return random.nextInt(knownCount);
    }

    /** Number of keys, of all classes. */
    public int size() {
        return keys.length;
    }

    /** The key at an index. Never print it: use {@link #displayPrefix(int)}. */
    public String key(int index) {
        return keys[index];
    }

    /** Safe to show: the first characters of the key. */
    public String displayPrefix(int index) {
        return ApiKeyFormat.displayPrefix(keys[index]);
    }

    public KeyClass classOf(int index) {
        return classes[index];
    }

    public int knownCount() {
        return knownCount;
    }

    public int overLimitCount() {
        return overLimitCount;
    }

    public double overLimitShare() {
        return overLimitShare;
    }

    public double unknownShare() {
        return unknownShare;
    }

    public double malformedShare() {
        return malformedShare;
    }
}
