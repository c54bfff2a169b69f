package ai.dalsi.metering.ledger;

import ai.dalsi.metering.CostCalculator;
import ai.dalsi.metering.TokenUsage;
import ai.dalsi.metering.UsageEvent;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * The journal's binary form of a {@link UsageEvent}: compact, fixed field order, little-endian,
 * versioned by its first byte so that a newer gateway can change it while still reading what an
 * older one left in the journal. A hand-written codec rather than JSON because it runs on the
 * event loop for every request: encoding an event takes 150 ns or so ({@code EventCodecBenchmark}
 * in the loadtest module) and allocates only the scratch buffer's growth and the UTF-8 bytes of its
 * strings over {@value #SHORT_STRING_CHARS} characters.
 *
 * <p>Version 2 (version 1, still read, is the same without the last line):
 * <pre>
 *   u8   version (2)
 *   i64  journaled at (epoch ms)
 *   i64  x6  request id, user id, key id (msb, lsb each)
 *   u16  flags: 1 usage estimated, 2 stream, 4 client aborted, 8 has rate-limit remaining,
 *              16 has rate-limit reset, 32 has backend latency, 64 cost needs more than 63 bits,
 *              128 refused by the edge (added later within version 1: older records never set it, and
 *              mean what an unset flag means, a request with a row of its own)
 *   i32  status, response time ms
 *   i64  request bytes, response bytes
 *   i32  prompt tokens, completion tokens, images
 *   i32  cost scale; then i64 unscaled cost, or (flag 64) i32 length + two's-complement bytes
 *   [i32 rate-limit remaining] [i64 reset epoch second, i32 nanos] [i32 backend latency ms]
 *   str  endpoint, method, client ip, tier, error message, user agent, model, product
 *        (i32 UTF-8 length, -1 for null, then the bytes)
 *   i32  cached tokens, reasoning tokens, attempts; str backend
 * </pre>
 * Strings longer than {@value #MAX_STRING_CHARS} characters are cut there: the journal bounds a
 * record's size, and no field the edge sends is meant to be that long.
 *
 * <p>Version 3, a refusal only counted ({@link #encodeCounted}): what the writer needs of a refused
 * request that gets no row of its own, about 40% of a whole refusal's bytes. A refusal flood
 * journals tens of thousands of them a second, and a smaller record is less to encode, to map, to
 * force to the device and to decode.
 * <pre>
 *   u8   version (3)
 *   i64  journaled at (epoch ms)
 *   i64  x6  request id, user id, key id (msb, lsb each)
 *   u16  status
 *   u8   the rate limit its message names (see {@link #LIMITS}), 0 for none
 *   str  endpoint, method, client ip, model
 * </pre>
 * It decodes to an event with no tokens, no cost and no timings, and with the named limit's phrase
 * as its error message: all that the refusal counts, the key's {@code last_used_*} and the
 * {@code key.rate_limited} notices read.
 */
final class EventCodec {

    static final byte VERSION = 2;
    /** The first version, written before cached/reasoning tokens, attempts and backend were recorded. */
    static final byte VERSION_1 = 1;
    /** A refusal only counted ({@link #encodeCounted}). */
    static final byte COUNTED = 3;
    static final int MAX_STRING_CHARS = 32 * 1024;
    /** Strings up to this long are encoded by hand; longer ones by the JDK (see {@code Scratch.str}). */
    static final int SHORT_STRING_CHARS = 16;

    private static final int ESTIMATED = 1;
    private static final int STREAM = 2;
    private static final int ABORTED = 4;
    private static final int HAS_REMAINING = 8;
    private static final int HAS_RESET = 16;
    private static final int HAS_BACKEND = 32;
    private static final int BIG_COST = 64;
    private static final int REFUSED = 128;

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private EventCodec() {
    }

    /**
     * The rate limits a version 3 record can name, by their code (index + 1): each phrase is what
     * {@link RateLimitNotices#named} reads the window and the limit type from.
     */
    static final List<String> LIMITS = List.of(
            "Rate limit reached for requests per minute.", "Rate limit reached for requests per hour.",
            "Rate limit reached for requests per day.", "Rate limit reached for tokens per minute.",
            "Rate limit reached for tokens per hour.", "Rate limit reached for tokens per day.");
    /** What each of {@link #LIMITS} names, in the same order. */
    private static final List<RateLimitNotices.Named> LIMITS_NAMED = LIMITS.stream().map(RateLimitNotices::named).toList();

    /**
     * An event as read back from the journal, with the time it was journaled, and whether the edge
     * journaled it as a refusal only counted (version 3): such an event never becomes a row.
     */
    record Journaled(UsageEvent event, long journaledAtMillis, boolean countedOnly) {

        Journaled(UsageEvent event, long journaledAtMillis) {
            this(event, journaledAtMillis, false);
        }
    }

    /** A growable buffer that one thread encodes into; reused for every event of that thread. */
    static final class Scratch {
        private byte[] bytes = new byte[512];
        private int pos;

        byte[] bytes() {
            return bytes;
        }

        int length() {
            return pos;
        }

        private void ensure(int more) {
            if (pos + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, pos + more));
            }
        }

        private void u8(int v) {
            ensure(1);
            bytes[pos++] = (byte) v;
        }

        private void i16(int v) {
            ensure(2);
            SHORT.set(bytes, pos, (short) v);
            pos += 2;
        }

        private void i32(int v) {
            ensure(4);
            INT.set(bytes, pos, v);
            pos += 4;
        }

        private void i64(long v) {
            ensure(8);
            LONG.set(bytes, pos, v);
            pos += 8;
        }

        private void uuid(UUID id) {
            i64(id.getMostSignificantBits());
            i64(id.getLeastSignificantBits());
        }

        private void str(String s) {
            if (s == null) {
                i32(-1);
                return;
            }
            int n = Math.min(s.length(), MAX_STRING_CHARS);
            if (n <= SHORT_STRING_CHARS && ascii(s, n)) {
                return;
            }
            // The JDK's encoder checks and copies a Latin-1 string's bytes in bulk, and encodes the rest.
            sized((n == s.length() ? s : s.substring(0, n)).getBytes(StandardCharsets.UTF_8));
        }

        /** The bytes after their length (i32). */
        private void sized(byte[] b) {
            i32(b.length);
            ensure(b.length);
            System.arraycopy(b, 0, bytes, pos, b.length);
            pos += b.length;
        }

        /**
         * Writes a short string char by char, with no array to allocate, if it is all ASCII (by far
         * the common case); false, having written nothing, if it is not.
         */
        private boolean ascii(String s, int n) {
            ensure(4 + n);
            int at = pos + 4;
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c >= 0x80) {
                    return false;
                }
                bytes[at + i] = (byte) c;
            }
            INT.set(bytes, pos, n);
            pos = at + n;
            return true;
        }
    }

    /** Encodes the event into the scratch buffer (from its start); returns the length. */
    static int encode(UsageEvent e, long journaledAtMillis, Scratch out) {
        out.pos = 0;
        out.u8(VERSION);
        out.i64(journaledAtMillis);
        out.uuid(e.requestId());
        out.uuid(e.userId());
        out.uuid(e.apiKeyId());
        BigDecimal cost = e.costUsd();
        BigInteger unscaled = cost.unscaledValue();
        boolean bigCost = unscaled.bitLength() > 63;
        int flags = (e.usage().estimated() ? ESTIMATED : 0)
                | (e.stream() ? STREAM : 0)
                | (e.clientAborted() ? ABORTED : 0)
                | (e.rateLimitRemaining() != null ? HAS_REMAINING : 0)
                | (e.rateLimitReset() != null ? HAS_RESET : 0)
                | (e.backendLatencyMs() != null ? HAS_BACKEND : 0)
                | (bigCost ? BIG_COST : 0)
                | (e.refused() ? REFUSED : 0);
        out.i16(flags);
        out.i32(e.statusCode());
        out.i32(e.responseTimeMs());
        out.i64(e.requestSizeBytes());
        out.i64(e.responseSizeBytes());
        TokenUsage u = e.usage();
        out.i32(u.promptTokens());
        out.i32(u.completionTokens());
        out.i32(u.images());
        out.i32(cost.scale());
        if (bigCost) {
            out.sized(unscaled.toByteArray());
        } else {
            out.i64(unscaled.longValue());
        }
        if (e.rateLimitRemaining() != null) {
            out.i32(e.rateLimitRemaining());
        }
        if (e.rateLimitReset() != null) {
            out.i64(e.rateLimitReset().getEpochSecond());
            out.i32(e.rateLimitReset().getNano());
        }
        if (e.backendLatencyMs() != null) {
            out.i32(e.backendLatencyMs());
        }
        out.str(e.endpoint());
        out.str(e.method());
        out.str(e.clientIp());
        out.str(e.subscriptionTier());
        out.str(e.errorMessage());
        out.str(e.userAgent());
        out.str(e.model());
        out.str(e.product());
        out.i32(u.cachedTokens());
        out.i32(u.reasoningTokens());
        out.i32(e.attempts());
        out.str(e.backend());
        return out.pos;
    }

    /** Whether {@link #encodeCounted} keeps all that the ledger counts of {@code e}: a refusal without tokens or cost. */
    static boolean countable(UsageEvent e) {
        return e.refused() && e.usage().totalTokens() == 0 && e.costUsd().signum() == 0;
    }

    /**
     * Encodes a refusal that is only to be counted (version 3) into the scratch buffer (from its
     * start); returns the length. Only for events {@link #countable}.
     */
    static int encodeCounted(UsageEvent e, long journaledAtMillis, Scratch out) {
        out.pos = 0;
        out.u8(COUNTED);
        out.i64(journaledAtMillis);
        out.uuid(e.requestId());
        out.uuid(e.userId());
        out.uuid(e.apiKeyId());
        out.i16(e.statusCode());
        out.u8(limitCode(e));
        out.str(e.endpoint());
        out.str(e.method());
        out.str(e.clientIp());
        out.str(e.model());
        return out.pos;
    }

    /** The code in {@link #LIMITS} of the rate limit that a 429's message names, 0 for none. */
    private static int limitCode(UsageEvent e) {
        if (e.statusCode() != 429 || e.errorMessage() == null) {
            return 0;
        }
        RateLimitNotices.Named named = RateLimitNotices.named(e.errorMessage());
        return named == null ? 0 : 1 + LIMITS_NAMED.indexOf(named);
    }

    /**
     * What one reader reuses from record to record: a buffer to copy each record into, and the
     * strings it decoded last, per field, so that a field that repeats from record to record
     * (endpoint, method, address, tier, user agent, model, product, backend, and the message of a
     * refusal flood) becomes the same {@link String} instead of a new one each time: less garbage
     * for the writer, and far less memory for the events a batch holds until it commits. Used by
     * one thread.
     */
    static final class DecodeBuffers {
        private byte[] record = new byte[512];
        /** Longer values are decoded afresh each time rather than kept. */
        static final int MAX_CACHED_BYTES = 1024;
        private static final int FIELDS = 9;
        private final byte[][] bytes = new byte[FIELDS][];
        private final String[] values = new String[FIELDS];

        String decode(int field, byte[] b, int from, int length) {
            byte[] last = bytes[field];
            if (last != null && last.length == length && Arrays.equals(last, 0, length, b, from, from + length)) {
                return values[field];
            }
            String s = new String(b, from, length, StandardCharsets.UTF_8);
            if (length <= MAX_CACHED_BYTES) {
                bytes[field] = Arrays.copyOfRange(b, from, from + length);
                values[field] = s;
            }
            return s;
        }
    }

    /**
     * Decodes a record written by {@link #encode}.
     *
     * @throws IllegalArgumentException when the version is unknown or the bytes do not form an event
     */
    static Journaled decode(ByteBuffer payload) {
        return decode(payload, new DecodeBuffers());
    }

    /** {@link #decode(ByteBuffer)}, reusing the buffer and strings of {@code buffers} where a field repeats. */
    static Journaled decode(ByteBuffer payload, DecodeBuffers buffers) {
        int length = payload.remaining();
        if (buffers.record.length < length) {
            buffers.record = new byte[Math.max(length, 2 * buffers.record.length)];
        }
        payload.duplicate().get(buffers.record, 0, length);
        return decode(buffers.record, length, buffers);
    }

    static Journaled decode(byte[] b) {
        return decode(b, b.length, new DecodeBuffers());
    }

    /** Decodes the record in the first {@code length} bytes of {@code b}. */
    private static Journaled decode(byte[] b, int length, DecodeBuffers buffers) {
        try {
            Reader r = new Reader(b, length, buffers);
            int version = r.u8();
            if (version == COUNTED) {
                return decodeCounted(r);
            }
            if (version != VERSION && version != VERSION_1) {
                throw new IllegalArgumentException("unknown usage record version " + version
                        + " (this gateway reads versions " + VERSION_1 + ", " + VERSION + " and " + COUNTED + ")");
            }
            long journaledAt = r.i64();
            UUID requestId = r.uuid();
            UUID userId = r.uuid();
            UUID apiKeyId = r.uuid();
            int flags = r.i16();
            int status = r.i32();
            int responseTime = r.i32();
            long requestBytes = r.i64();
            long responseBytes = r.i64();
            int prompt = r.i32();
            int completion = r.i32();
            int images = r.i32();
            int scale = r.i32();
            BigDecimal cost;
            if ((flags & BIG_COST) != 0) {
                int n = r.i32();
                cost = new BigDecimal(new BigInteger(r.bytes(n)), scale);
            } else {
                cost = BigDecimal.valueOf(r.i64(), scale);
            }
            Integer remaining = (flags & HAS_REMAINING) != 0 ? r.i32() : null;
            Instant reset = null;
            if ((flags & HAS_RESET) != 0) {
                long sec = r.i64();
                reset = Instant.ofEpochSecond(sec, r.i32());
            }
            Integer backendLatency = (flags & HAS_BACKEND) != 0 ? r.i32() : null;
            String endpoint = r.str(0);
            String method = r.str(1);
            String clientIp = r.str(2);
            String tier = r.str(3);
            String error = r.str(4);
            String userAgent = r.str(5);
            String model = r.str(6);
            String product = r.str(7);
            int cached = 0;
            int reasoning = 0;
            int attempts = 0;
            String backend = null;
            if (version >= VERSION) {
                cached = r.i32();
                reasoning = r.i32();
                attempts = r.i32();
                backend = r.str(8);
            }
            UsageEvent e = new UsageEvent(requestId, userId, apiKeyId, endpoint, method, status, responseTime,
                    requestBytes, responseBytes, clientIp,
                    new TokenUsage(prompt, completion, images, (flags & ESTIMATED) != 0, cached, reasoning), cost,
                    tier, error, userAgent, remaining, reset, model, product, (flags & STREAM) != 0, backendLatency,
                    (flags & ABORTED) != 0, backend, attempts, (flags & REFUSED) != 0);
            r.end();
            return new Journaled(e, journaledAt);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            // Out of bounds, a null where the event needs a value, an impossible instant, ...
            throw new IllegalArgumentException("usage record is truncated or malformed (" + e + ")", e);
        }
    }

    /** The rest of a version 3 record, after its version byte. */
    private static Journaled decodeCounted(Reader r) {
        long journaledAt = r.i64();
        UUID requestId = r.uuid();
        UUID userId = r.uuid();
        UUID apiKeyId = r.uuid();
        int status = r.i16();
        int limit = r.u8();
        if (limit > LIMITS.size()) {
            throw new IllegalArgumentException("usage record names rate limit " + limit + " (expected: 0.."
                    + LIMITS.size() + ")");
        }
        String endpoint = r.str(0);
        String method = r.str(1);
        String clientIp = r.str(2);
        String model = r.str(6);
        UsageEvent e = new UsageEvent(requestId, userId, apiKeyId, endpoint, method, status, 0, 0, 0, clientIp,
                TokenUsage.NONE, CostCalculator.ZERO, null, limit == 0 ? null : LIMITS.get(limit - 1), null, null, null,
                model, null, false, null, false, null, 0, true);
        r.end();
        return new Journaled(e, journaledAt, true);
    }

    private static final class Reader {
        private final byte[] b;
        private final int length;
        private final DecodeBuffers buffers;
        private int pos;

        Reader(byte[] b, int length, DecodeBuffers buffers) {
            this.b = b;
            this.length = length;
            this.buffers = buffers;
        }

        private void need(int n) {
            if (n < 0 || pos + n > length) {
                throw new IndexOutOfBoundsException(pos + n);
            }
        }

        // Each read checks against the record's length, not the buffer's: the buffer is reused and
        // may hold an older, longer record's bytes beyond it.
        int u8() {
            need(1);
            return b[pos++] & 0xFF;
        }

        int i16() {
            need(2);
            int v = (short) SHORT.get(b, pos) & 0xFFFF;
            pos += 2;
            return v;
        }

        int i32() {
            need(4);
            int v = (int) INT.get(b, pos);
            pos += 4;
            return v;
        }

        long i64() {
            need(8);
            long v = (long) LONG.get(b, pos);
            pos += 8;
            return v;
        }

        UUID uuid() {
            return new UUID(i64(), i64());
        }

        /** Checks that the record ends where its last field did. */
        void end() {
            if (pos != length) {
                throw new IllegalArgumentException("usage record has " + (length - pos) + " trailing bytes");
            }
        }

        byte[] bytes(int n) {
            need(n);
            byte[] out = Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return out;
        }

        /** The string of field number {@code field} (its slot in {@link DecodeBuffers}). */
        String str(int field) {
            int n = i32();
            if (n == -1) {
                return null;
            }
            need(n);
            String s = buffers.decode(field, b, pos, n);
            pos += n;
            return s;
        }
    }
}
