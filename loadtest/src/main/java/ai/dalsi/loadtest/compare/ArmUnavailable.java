package ai.dalsi.loadtest.compare;

/** An arm cannot run on this machine (nginx not installed, no gateway jar): reported as skipped with the reason. */
final class ArmUnavailable extends Exception {

    private static final long serialVersionUID = 1L;

    ArmUnavailable(String reason) {
        super(reason, null, false, false);
    }
}
