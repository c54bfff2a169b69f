package ai.dalsi.loadtest;

/** Entry point of {@code loadtest.jar}. */
public final class LoadtestMain {

    private LoadtestMain() {
    }

    public static void main(String[] args) {
        System.err.println("usage: java -jar loadtest.jar <command>");
        System.exit(2);
    }
}
