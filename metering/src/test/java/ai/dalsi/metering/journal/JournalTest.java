package ai.dalsi.metering.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dalsi.persistence.testing.Eventually;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class JournalTest {

    private static final int SEGMENT = 16 * 1024;

    @TempDir
    Path dir;

    private final List<Journal> open = new ArrayList<>();
    private ListAppender<ILoggingEvent> logs;

    @BeforeEach
    void captureLogs() {
        logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(Journal.class)).addAppender(logs);
    }

    @AfterEach
    void closeAll() {
        ((Logger) LoggerFactory.getLogger(Journal.class)).detachAppender(logs);
        open.forEach(Journal::close);
    }

    private Journal journal(long maxBytes) {
        Journal j = Journal.open(new JournalSettings(dir, SEGMENT, maxBytes, 0.8, Duration.ofMillis(10)));
        open.add(j);
        return j;
    }

    private Journal journal() {
        return journal(64L * SEGMENT);
    }

    private void closeAndForget(Journal j) {
        j.close();
        open.remove(j);
    }

    private static byte[] record(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Appends like the ledger does: through the journal thread when the next segment is not ready yet. */
    private static long append(Journal j, String s) {
        byte[] b = record(s);
        long r = j.tryAppend(b, b.length);
        if (r == Journal.NO_SEGMENT) {
            r = j.appendLater(b, b.length).join();
        }
        assertThat(r).as("append of " + s).isGreaterThanOrEqualTo(0);
        return r;
    }

    /** Everything the reader has now, with the position after each. */
    private static List<String> readAll(JournalReader reader, List<Long> positions) {
        List<String> out = new ArrayList<>();
        ByteBuffer b;
        while ((b = reader.poll()) != null) {
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            out.add(new String(bytes, StandardCharsets.UTF_8));
            if (positions != null) {
                positions.add(reader.position());
            }
        }
        return out;
    }

    private List<Path> segmentFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Segment::isSegmentFile).sorted().toList();
        }
    }

    @Test
    void readsWhatWasAppendedInOrderAcrossSegments() throws IOException {
        Journal j = journal();
        List<String> written = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            String s = "event-" + i + "-" + "x".repeat(i % 50);
            written.add(s);
            if (j.tryAppend(record(s), record(s).length) == Journal.NO_SEGMENT) {
                assertThat(j.appendLater(record(s), record(s).length).join()).isPositive();
            }
        }
        List<String> read = readAll(j.reader(), null);
        // Rare deferred appends may land after later direct ones; order holds otherwise.
        assertThat(read).containsExactlyInAnyOrderElementsOf(written);
        assertThat(segmentFiles()).hasSizeGreaterThan(3);
        assertThat(j.appendedRecords()).isEqualTo(2000);
    }

    @Test
    void replaysFromTheCheckpointAfterReopenAndDeletesSegmentsBehindIt() throws IOException {
        Journal j = journal();
        List<Long> positions = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            append(j, "r" + i + "-" + "y".repeat(40));
        }
        List<String> first = readAll(j.reader(), positions);
        assertThat(first).hasSize(600);
        Path firstSegment = segmentFiles().getFirst();
        j.commit(positions.get(399)); // records 0..399 are committed elsewhere
        Eventually.await("checkpoint persisted", () -> j.checkpointedPosition() == positions.get(399));
        Eventually.await("the segment behind the checkpoint deleted", () -> Files.notExists(firstSegment));
        closeAndForget(j);

        Journal again = journal();
        List<String> replay = readAll(again.reader(), null);
        assertThat(replay).hasSize(200);
        assertThat(replay.getFirst()).startsWith("r400-");
        assertThat(replay.getLast()).startsWith("r599-");
        assertThat(again.recoveredRecords()).isEqualTo(200);
        // New appends follow the replay.
        append(again, "after-restart");
        assertThat(readAll(again.reader(), null)).containsExactly("after-restart");
    }

    /** The lines of this process's memory map that name the file. */
    private static List<String> mappingsOf(Path file) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains(file.toString())).toList();
    }

    @Test
    void aDeletedSegmentIsUnmappedAfterItsGraceSoItsPagesLeaveResidentMemory() throws IOException {
        Journal j = journal();
        List<Long> positions = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            append(j, "r" + i + "-" + "y".repeat(40));
        }
        readAll(j.reader(), positions);
        Path firstSegment = segmentFiles().getFirst();
        assertThat(mappingsOf(firstSegment)).as("mapped while in use").isNotEmpty();
        j.commit(positions.get(399));
        Eventually.await("the segment behind the checkpoint deleted", () -> Files.notExists(firstSegment));
        // Rounds are 10 ms apart here (the fsync interval): the grace is over within a second.
        Eventually.await("the deleted segment unmapped", () -> mappingsOf(firstSegment).isEmpty());
        assertThat(mappingsOf(segmentFiles().getLast())).as("live segments stay mapped").isNotEmpty();
        append(j, "after-unmap");
        assertThat(readAll(j.reader(), null)).containsExactly("after-unmap");
    }

    @Test
    void tornRecordsAreSkippedAndTheRecordsAfterThemStillRead() throws IOException {
        Journal j = journal();
        List<Long> ends = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ends.add(append(j, "rec" + i));
        }
        closeAndForget(j);
        Path segment = segmentFiles().getFirst();
        long base = Segment.baseOf(segment);
        // rec1 reserved but never published (the appender died mid-copy): word1 zero.
        long rec1 = ends.get(0) - base;
        writeLong(segment, rec1 + 8, 0L);
        // rec3's payload damaged after it was published (a torn page): the CRC no longer matches.
        long rec3 = ends.get(2) - base;
        writeBytes(segment, rec3 + Segment.RECORD_HEADER, "XXXX".getBytes(StandardCharsets.US_ASCII));

        Journal again = journal();
        assertThat(readAll(again.reader(), null)).containsExactly("rec0", "rec2", "rec4");
        assertThat(again.tornRecords()).isEqualTo(2);
    }

    @Test
    void garbageAfterTheLastRecordEndsTheSegment() throws IOException {
        Journal j = journal();
        long end = append(j, "only");
        closeAndForget(j);
        Path segment = segmentFiles().getFirst();
        // A half-written page after a power loss: random bytes where the next header would be.
        writeBytes(segment, end - Segment.baseOf(segment), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});

        Journal again = journal();
        assertThat(readAll(again.reader(), null)).containsExactly("only");
        append(again, "new");
        assertThat(readAll(again.reader(), null)).containsExactly("new");
    }

    @Test
    void checkpointIsReplacedAtomicallyAndADamagedOneMeansFullReplay() throws IOException {
        Checkpoint.write(dir, 12345);
        assertThat(Checkpoint.read(dir)).hasValue(12345);
        Checkpoint.write(dir, 67890);
        assertThat(Checkpoint.read(dir)).hasValue(67890);
        assertThat(dir.resolve(Checkpoint.TEMP)).doesNotExist();

        Journal j = journal();
        for (int i = 0; i < 10; i++) {
            append(j, "c" + i);
        }
        List<Long> positions = new ArrayList<>();
        readAll(j.reader(), positions);
        j.commit(positions.get(4));
        closeAndForget(j);
        assertThat(Checkpoint.read(dir)).hasValue(positions.get(4));

        // A crash while writing the next checkpoint leaves only a temporary file: it is ignored.
        Files.write(dir.resolve(Checkpoint.TEMP), new byte[] {9, 9, 9});
        Journal again = journal();
        assertThat(readAll(again.reader(), null)).containsExactly("c5", "c6", "c7", "c8", "c9");
        assertThat(dir.resolve(Checkpoint.TEMP)).doesNotExist();
        closeAndForget(again);

        // A damaged checkpoint is not trusted: everything still on disk is replayed.
        byte[] bytes = Files.readAllBytes(dir.resolve(Checkpoint.FILE));
        bytes[9] ^= 0x40;
        Files.write(dir.resolve(Checkpoint.FILE), bytes);
        Journal replayAll = journal();
        assertThat(readAll(replayAll.reader(), null)).containsExactly("c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7",
                "c8", "c9");
        assertThat(logs.list).anyMatch(e -> e.getLevel() == Level.WARN
                && e.getFormattedMessage().contains("checkpoint file is damaged"));
    }

    @Test
    void atTheBoundAppendsAreRefusedWithOneWarningPerCrossing() {
        long max = 4L * SEGMENT;
        Journal j = journal(max);
        byte[] payload = new byte[1000];
        int accepted = 0;
        long last;
        while ((last = j.tryAppend(payload, payload.length)) != Journal.FULL) {
            if (last == Journal.NO_SEGMENT) {
                j.appendLater(payload, payload.length).join();
            }
            accepted++;
            assertThat(accepted).as("the bound stops appends").isLessThan(1000);
        }
        assertThat(j.accepting()).isFalse();
        assertThat(j.nearFull()).isTrue();
        assertThat(j.tryAppend(payload, payload.length)).isEqualTo(Journal.FULL);
        assertThat(j.refusedAppends()).isEqualTo(2);
        assertThat(j.uncommittedBytes()).isBetween(max, max + 1024);
        Eventually.await("warnings logged", () -> countWarnings("% full") == 1 && countWarnings("is full") == 1);

        // The reader commits everything: appends are taken again, the warning re-arms.
        List<Long> positions = new ArrayList<>();
        readAll(j.reader(), positions);
        j.commit(positions.getLast());
        assertThat(j.accepting()).isTrue();
        assertThat(j.nearFull()).isFalse();
        Eventually.await("back below logged", () -> logs.list.stream()
                .anyMatch(e -> e.getFormattedMessage().contains("accepts usage events again")));
        while (j.tryAppend(payload, payload.length) != Journal.FULL) {
            // fill up again
        }
        Eventually.await("second crossing warned once more", () -> countWarnings("% full") == 2);
    }

    private long countWarnings(String text) {
        return logs.list.stream().filter(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains(text))
                .count();
    }

    @Test
    void concurrentAppendersLoseAndDuplicateNothing() throws Exception {
        Journal j = journal();
        int threads = 4;
        int each = 3000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    byte[] b = record("t" + id + "-" + i);
                    long r = j.tryAppend(b, b.length);
                    if (r == Journal.NO_SEGMENT) {
                        j.appendLater(b, b.length).join();
                    } else {
                        assertThat(r).isGreaterThanOrEqualTo(0);
                    }
                    acknowledged.add("t" + id + "-" + i);
                }
            }));
        }
        start.countDown();
        // Read while they write: the reader must wait at records still being copied, never skip them.
        List<String> all = new ArrayList<>();
        while (workers.stream().anyMatch(Thread::isAlive)) {
            all.addAll(readAll(j.reader(), null));
        }
        for (Thread w : workers) {
            w.join();
        }
        Eventually.await("every record readable", () -> {
            all.addAll(readAll(j.reader(), null));
            return all.size() >= threads * each;
        });
        Set<String> read = new HashSet<>(all);
        assertThat(all).hasSize(threads * each);
        assertThat(read).isEqualTo(acknowledged);
    }

    @Test
    void closedJournalRefusesAndASecondJournalCannotShareTheDirectory() {
        Journal j = journal();
        assertThatThrownBy(() -> Journal.open(new JournalSettings(dir, SEGMENT, 64L * SEGMENT, 0.8,
                Duration.ofMillis(10))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("metering.journalDirectory")
                .hasMessageContaining("in use");
        j.stopAccepting();
        assertThat(j.tryAppend(record("late"), 4)).isEqualTo(Journal.CLOSED);
        assertThat(j.accepting()).isFalse();
    }

    @Test
    void deferredAppendsAreReadLikeOthers() {
        Journal j = journal();
        append(j, "direct");
        assertThat(j.appendLater(record("deferred"), 8).join()).isPositive();
        assertThat(readAll(j.reader(), null)).containsExactly("direct", "deferred");
    }

    private static void writeLong(Path file, long offset, long value) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(b, offset);
        }
    }

    private static void writeBytes(Path file, long offset, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), offset);
        }
    }
}
