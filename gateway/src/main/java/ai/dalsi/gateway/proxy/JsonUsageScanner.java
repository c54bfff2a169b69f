package ai.dalsi.gateway.proxy;

import ai.dalsi.metering.TokenUsage;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Arrays;

/**
 * Finds the usage in a plain JSON response body while it is forwarded, without materialising the
 * body: one pass over the bytes of each chunk (no decoding of strings) that follows only the
 * structure of the root object. It copies out the few bytes of the top-level {@code usage} object,
 * parsed once at the end, and, for images, counts the entries of the top-level {@code data} array.
 *
 * <p>Bodies over the limit are given up on: their usage is reported as none (and estimated).
 */
final class JsonUsageScanner implements ByteScan.Processor {

    /** A usage object longer than this is not one. */
    private static final int MAX_USAGE_BYTES = 16 * 1024;
    private static final byte[] USAGE = {'u', 's', 'a', 'g', 'e'};
    private static final byte[] DATA = {'d', 'a', 't', 'a'};
    private static final int KEY_BYTES = 8;

    private final JsonFactory json;
    private final long limit;
    private final boolean countData;
    private long fed;
    private boolean failed;

    /** Open objects and arrays: 1 inside the root object. */
    private int depth;
    private boolean inString;
    private boolean escaped;
    /** At depth 1, the next string is a member name. */
    private boolean expectKey;
    /** The member name being read at depth 1 (its first bytes) and its length. */
    private final byte[] key = new byte[KEY_BYTES];
    private int keyLength;
    private boolean readingKey;
    /** The member whose value comes next at depth 1: 0 none, 1 usage, 2 data. */
    private int member;

    private byte[] usage;
    private int usageLength;
    private boolean capturing;

    private boolean dataOpen;
    private boolean expectElement;
    private int dataCount;

    /** @param countData whether the top-level {@code data} entries are images (image products) */
    JsonUsageScanner(JsonFactory json, long limit, boolean countData) {
        this.json = json;
        this.limit = limit;
        this.countData = countData;
    }

    /** Reads a chunk's readable bytes, {@code bytes[0, n)} (see {@link ByteScan#copy}). */
    void feed(byte[] bytes, int n) {
        if (failed || n == 0) {
            return;
        }
        fed += n;
        if (fed > limit) {
            failed = true;
            usage = null;
            return;
        }
        // A usage object that spans chunks is copied on from where the last chunk left it.
        process(bytes, 0, n);
    }

    /**
     * Runs over the inside of a string that is neither a member name at the top nor part of the
     * usage object (the bulk of a body: its text) up to its next quote or backslash; the other bytes
     * go through {@link #process(byte)}.
     */
    @Override
    public int process(byte[] block, int from, int to) {
        for (int i = from; i < to; i++) {
            if (inString && !escaped && !readingKey && !capturing) {
                byte b;
                while ((b = block[i]) != '"' && b != '\\') {
                    if (++i == to) {
                        return -1;
                    }
                }
            }
            process(block[i]);
        }
        return -1;
    }

    @Override
    public boolean process(byte b) {
        if (capturing) {
            capture(b);
        }
        if (inString) {
            if (escaped) {
                escaped = false;
            } else if (b == '\\') {
                escaped = true;
            } else if (b == '"') {
                inString = false;
                if (readingKey) {
                    readingKey = false;
                    member = keyIs(USAGE) ? 1 : keyIs(DATA) ? 2 : 0;
                }
            } else if (readingKey) {
                if (keyLength < KEY_BYTES) {
                    key[keyLength] = b;
                }
                keyLength++;
            }
            return true;
        }
        switch (b) {
            case ' ', '\t', '\n', '\r', ':' -> {
                return true;
            }
            case '"' -> {
                valueStarts(b);
                inString = true;
                if (depth == 1 && expectKey) {
                    expectKey = false;
                    readingKey = true;
                    keyLength = 0;
                }
            }
            case '{', '[' -> {
                valueStarts(b);
                depth++;
                if (depth == 1) {
                    expectKey = b == '{';
                }
            }
            case '}', ']' -> {
                depth--;
                if (depth == 1) {
                    if (capturing) {
                        capturing = false;
                    }
                    dataOpen = false;
                }
            }
            case ',' -> {
                if (depth == 1) {
                    expectKey = true;
                    member = 0;
                } else if (depth == 2 && dataOpen) {
                    expectElement = true;
                }
            }
            default -> valueStarts(b);
        }
        return true;
    }

    /** A value (or the opening of one) starts at the current depth. */
    private void valueStarts(byte b) {
        if (depth == 1 && member != 0) {
            if (member == 1 && b == '{' && usage == null) {
                usage = new byte[256];
                usageLength = 0;
                capturing = true;
                capture(b);
            } else if (member == 2 && b == '[' && countData) {
                dataOpen = true;
                expectElement = true;
                dataCount = 0;
            }
            member = 0;
        } else if (depth == 2 && dataOpen && expectElement && b != ']') {
            expectElement = false;
            dataCount++;
        }
    }

    private void capture(byte b) {
        if (usageLength == usage.length) {
            if (usageLength >= MAX_USAGE_BYTES) {
                capturing = false;
                usage = null;
                return;
            }
            usage = Arrays.copyOf(usage, usageLength * 2);
        }
        usage[usageLength++] = b;
    }

    private boolean keyIs(byte[] name) {
        if (keyLength != name.length) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            if (key[i] != name[i]) {
                return false;
            }
        }
        return true;
    }

    /** The body ended: the usage it carried, or null. */
    TokenUsage finish() {
        if (failed) {
            return null;
        }
        int images = countData ? dataCount : 0;
        if (usage == null || capturing) {
            return images > 0 ? TokenUsage.reported(0, 0, images) : null;
        }
        UsageReader reader = new UsageReader(UsageReader.Where.DOCUMENT);
        try (JsonParser p = json.createParser(usage, 0, usageLength)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                reader.token(t, p);
            }
        } catch (IOException | RuntimeException e) {
            return images > 0 ? TokenUsage.reported(0, 0, images) : null;
        }
        return reader.usage(images);
    }
}
