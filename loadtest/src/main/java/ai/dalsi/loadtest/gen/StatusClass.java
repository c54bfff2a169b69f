package ai.dalsi.loadtest.gen;

/** Status classes the reconciliation compares, plus one for "no response at all". */
public enum StatusClass {
    S2XX("2xx"), S4XX("4xx"), S5XX("5xx"), OTHER("other");

    private final String label;

    StatusClass(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The class of an HTTP status; 0 (no response), 1xx and 3xx are {@link #OTHER}. */
    public static StatusClass of(int status) {
        if (status >= 200 && status < 300) {
            return S2XX;
        }
        if (status >= 400 && status < 500) {
            return S4XX;
        }
        if (status >= 500 && status < 600) {
            return S5XX;
        }
        return OTHER;
    }
}
