package ai.dalsi.loadtest.gen;

/** What a key the generator sends is, from the point of view of the system under test. */
public enum KeyClass {
    /** Registered, with limits that load does not reach: expect 2xx. */
    KNOWN("known"),
    /** Registered, with a tiny limit: expect 429 after the first few requests. */
    OVER_LIMIT("over-limit"),
    /** Well-formed (right prefix, alphabet and checksum) but never registered: expect 401 after a lookup. */
    UNKNOWN("unknown"),
    /** Not a key at all (bad checksum, prefix or length): expect 401 without a lookup. */
    MALFORMED("malformed");

    private final String label;

    KeyClass(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Whether the system under test has this key in its database, so it must meter it. */
    public boolean registered() {
        return this == KNOWN || this == OVER_LIMIT;
    }
}
