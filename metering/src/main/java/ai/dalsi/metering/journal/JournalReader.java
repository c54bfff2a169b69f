package ai.dalsi.metering.journal;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a {@link Journal}'s records in order, starting at the checkpoint: first the records left
 * by the previous run (the replay), then new ones as they are appended. One thread uses it.
 *
 * <p>In segments found at start, a record that was reserved but never published, or whose CRC32C
 * does not match, was torn by a crash: it is skipped (and counted), since the event it held was
 * never acknowledged. In segments of this run, an unpublished record is still being copied by its
 * appender: the reader stops there and {@link #waitingForAppender()} says so; only a record stuck
 * unpublished for {@value #STALL_SECONDS} seconds (its appender thread died) is skipped.
 */
public final class JournalReader {

    private static final Logger log = LoggerFactory.getLogger(JournalReader.class);
    static final long STALL_SECONDS = 10;
    private static final int MIN_RECORD = Segment.RECORD_HEADER + 8;

    private final Journal journal;
    private Segment segment;
    private int offset;
    private boolean waiting;
    private Segment stallSegment;
    private int stallOffset;
    private long stallSince;

    JournalReader(Journal journal, Segment segment, int offset) {
        this.journal = journal;
        this.segment = segment;
        this.offset = offset;
    }

    /**
     * The next record's payload (a read-only little-endian view, valid until its segment is
     * deleted, i.e. until after it is committed), or null when there is none yet.
     */
    public ByteBuffer poll() {
        waiting = false;
        while (true) {
            Segment s = segment;
            if (offset >= s.capacity) {
                if (!advance()) {
                    return null;
                }
                continue;
            }
            long w0 = s.word0At(offset);
            if (w0 == 0L && !s.recovered) {
                return null;
            }
            if (w0 == 0L || w0 == Segment.END) {
                if (!advance()) {
                    return null;
                }
                continue;
            }
            int length = Segment.lengthOf(w0);
            if (!Segment.isRecordWord(w0) || length < MIN_RECORD || (length & 7) != 0 || offset + length > s.capacity) {
                // Only a power loss that wrote part of a page can leave this: the rest of the
                // segment cannot be walked. In a live segment it would be a bug; say so loudly.
                if (s.recovered) {
                    log.warn("metering journal: {} is damaged at offset {}; the rest of it is skipped", s, offset);
                } else {
                    log.error("metering journal: {} has an invalid record header at offset {}; skipping the rest of it",
                            s, offset);
                }
                journal.recordTorn();
                offset = s.capacity;
                continue;
            }
            long w1 = s.word1At(offset);
            if (w1 == 0L) {
                if (s.recovered || stalled(s)) {
                    skipTorn(length);
                    continue;
                }
                waiting = true;
                return null;
            }
            int payloadLength = (int) w1;
            int crc = (int) (w1 >>> 32);
            if (payloadLength < 1 || Segment.totalLength(payloadLength) != length) {
                skipTorn(length);
                continue;
            }
            ByteBuffer payload = s.payload(offset, payloadLength);
            CRC32C check = new CRC32C();
            check.update(payload.duplicate());
            if ((int) check.getValue() != crc) {
                if (!s.recovered) {
                    log.error("metering journal: {} record at offset {} fails its checksum; skipped", s, offset);
                }
                skipTorn(length);
                continue;
            }
            offset += length;
            return payload;
        }
    }

    private boolean advance() {
        Segment next = segment.next;
        if (next == null) {
            return false;
        }
        segment = next;
        offset = Segment.HEADER;
        return true;
    }

    private boolean stalled(Segment s) {
        long now = System.nanoTime();
        if (stallSegment != s || stallOffset != offset) {
            stallSegment = s;
            stallOffset = offset;
            stallSince = now;
            return false;
        }
        if (now - stallSince < TimeUnit.SECONDS.toNanos(STALL_SECONDS)) {
            return false;
        }
        log.error("metering journal: {} record at offset {} was reserved but not written for {} s; skipped (its"
                + " appender never acknowledged it)", s, offset, STALL_SECONDS);
        return true;
    }

    private void skipTorn(int length) {
        journal.recordTorn();
        offset += length;
    }

    /** The journal position after the last record returned or skipped: what to commit after it. */
    public long position() {
        return segment.base + offset;
    }

    /** Whether the last {@link #poll()} stopped at a record its appender is still copying. */
    public boolean waitingForAppender() {
        return waiting;
    }
}
