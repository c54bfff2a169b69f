package ai.dalsi.metering.journal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link Journal} needs to know; the ledger fills it from its validated configuration.
 *
 * @param directory     where the segment files, the checkpoint and the lock file live
 * @param segmentSize   bytes per segment file, a multiple of 4 KiB
 * @param maxBytes      bound on the bytes not yet committed; appends beyond it are refused
 * @param warnRatio     fraction of {@code maxBytes} above which the journal warns once per crossing
 * @param fsyncInterval how often the journal thread forces segments to the device and persists the
 *                      checkpoint
 */
public record JournalSettings(Path directory, int segmentSize, long maxBytes, double warnRatio, Duration fsyncInterval) {

    public JournalSettings {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(fsyncInterval, "fsyncInterval");
        if (segmentSize < 4096 || segmentSize % 4096 != 0) {
            throw new IllegalArgumentException("segmentSize: " + segmentSize + " (expected: a multiple of 4096)");
        }
        if (maxBytes < 2L * segmentSize) {
            throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: >= 2 * segmentSize)");
        }
    }
}
