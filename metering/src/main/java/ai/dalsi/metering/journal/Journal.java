package ai.dalsi.metering.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only, crash-safe log of opaque records in memory-mapped segment files, with a
 * checkpoint of how far its reader's work is committed elsewhere.
 *
 * <h2>Appending</h2>
 * {@link #tryAppend} runs on the caller's thread (an event loop) and never blocks: it reserves a
 * slot at the end of the current segment with one compare-and-set in the mapped memory, copies the
 * record there and publishes it. Once it returns a position the record is in the operating
 * system's page cache, so it survives the process being killed (SIGKILL, OOM killer, JVM crash);
 * a power loss can take what was appended since the last periodic force (the fsync interval).
 * No file is created, forced, or opened on the caller's thread: a journal thread keeps the next two
 * segments prepared (blocks allocated up front) before the current one fills. In the rare case that it is
 * not ready yet, {@link #tryAppend} answers {@link #NO_SEGMENT} and the caller hands the record to
 * {@link #appendLater}, which the journal thread completes as soon as the segment exists (at most
 * one segment's worth of such records waits; beyond that they are refused).
 *
 * <h2>Bound</h2>
 * Bytes appended but not yet {@linkplain #commit committed} are bounded by
 * {@link JournalSettings#maxBytes()}: once they reach it, appends are refused ({@link #FULL}) until
 * the reader commits, so the journal can never fill the disk during a long database outage (the
 * last record taken may pass the bound by its own size). Crossing the warn ratio
 * upward logs one WARN line (again after falling below it), and the first refusal after
 * accepting logs one WARN line. Disk usage stays around the bound plus three segments (the partly
 * committed oldest one and two prepared ones).
 *
 * <h2>Reading, checkpoint, replay</h2>
 * One {@link JournalReader} reads records in order from the checkpoint on: at start that is the
 * replay of everything not yet committed, then it follows new appends. Records torn by a crash
 * (reserved but never published, or failing their CRC32C) are skipped: they were never
 * acknowledged. The reader's owner calls {@link #commit} after its work is durable elsewhere; the
 * journal thread persists that position atomically every fsync interval and deletes segments
 * wholly behind it.
 *
 * <p>A journal directory is used by one journal at a time (a lock file enforces it).
 */
public final class Journal implements AutoCloseable {

    /** {@link #tryAppend}: the bound is reached; the record was not taken. */
    public static final long FULL = -1;
    /** {@link #tryAppend}: the journal is closed or closing; the record was not taken. */
    public static final long CLOSED = -2;
    /** {@link #tryAppend}: the next segment is not ready; use {@link #appendLater}. */
    public static final long NO_SEGMENT = -3;
    /** {@link #tryAppend}: the journal cannot create segments (e.g. the disk is full). */
    public static final long FAILED = -4;

    /** Largest payload of one record. */
    public static final int MAX_PAYLOAD = 1 << 20;

    private static final Logger log = LoggerFactory.getLogger(Journal.class);
    private static final String LOCK_FILE = "lock";
    private static final VarHandle CURRENT;

    static {
        try {
            CURRENT = MethodHandles.lookup().findVarHandle(Journal.class, "current", Segment.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final JournalSettings settings;
    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final UUID id;
    private final Thread thread;
    private final JournalReader reader;
    private final ConcurrentLinkedQueue<Deferred> deferred = new ConcurrentLinkedQueue<>();
    private final AtomicLong deferredBytes = new AtomicLong();
    private final LongAdder appended = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder torn = new LongAdder();
    private final long recoveredRecords;

    /** Segment appenders write to. */
    private volatile Segment current;
    /** Oldest segment still on disk (journal thread only after open). */
    private Segment oldest;
    private volatile long committed;
    private volatile long persisted;
    private volatile boolean closed;
    private volatile boolean running = true;
    private volatile IOException segmentFailure;

    // Journal thread only: what it last logged about the bound, and when it last forced.
    private boolean warned;
    private long refusedSeen;
    private boolean refusing;
    private long lastForceNanos = System.nanoTime();
    /** Housekeeping rounds so far, and the deleted segments whose mappings wait for their grace to pass. */
    private long rounds;
    private final ArrayDeque<Segment> deleted = new ArrayDeque<>();

    private record Deferred(byte[] payload, int length, CompletableFuture<Long> done) {
    }

    private Journal(JournalSettings settings, FileChannel lockChannel, FileLock lock, List<Segment> recovered,
                    long start, Segment active, UUID id) {
        this.settings = settings;
        this.id = id;
        this.dir = settings.directory();
        this.lockChannel = lockChannel;
        this.lock = lock;
        Segment first = recovered.isEmpty() ? active : recovered.getFirst();
        for (int i = 0; i < recovered.size(); i++) {
            recovered.get(i).next = i + 1 < recovered.size() ? recovered.get(i + 1) : active;
        }
        this.oldest = first;
        this.current = active;
        this.committed = start;
        this.persisted = start;
        Segment startSegment = first;
        while (startSegment.endPosition() <= start && startSegment.next != null) {
            startSegment = startSegment.next;
        }
        long startOffset = Math.max(start, startSegment.firstPosition()) - startSegment.base;
        this.reader = new JournalReader(this, startSegment, (int) startOffset);
        this.recoveredRecords = countRecords(startSegment, (int) startOffset);
        this.thread = Thread.ofPlatform().name("metering-journal").daemon(true).unstarted(this::run);
    }

    /**
     * This journal's identity ({@link JournalId}): positions are comparable only within one
     * identity, so whatever records "committed up to position P" elsewhere keys it by this id.
     */
    public UUID id() {
        return id;
    }

    /**
     * Opens (creating if needed) the journal in the settings' directory: takes its lock, finds the
     * segments and the checkpoint, deletes segments wholly behind it, starts a fresh segment for
     * appends and the journal thread. The reader starts at the checkpoint.
     *
     * @throws UncheckedIOException when the directory cannot be used; the message names it
     * @throws IllegalStateException when another journal holds the directory
     */
    public static Journal open(JournalSettings settings) {
        Path dir = settings.directory();
        FileChannel lockChannel = null;
        try {
            Files.createDirectories(dir);
            lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new IllegalStateException("metering.journalDirectory: " + dir.toAbsolutePath()
                        + " is in use by another gateway process (expected: one journal directory per process)");
            }
            Files.deleteIfExists(dir.resolve(Checkpoint.TEMP));
            if (Checkpoint.presentButInvalid(dir)) {
                log.warn("metering journal {}: checkpoint file is damaged; replaying every segment (rows already in"
                        + " PostgreSQL are skipped)", dir);
            }
            OptionalLong checkpoint = Checkpoint.read(dir);
            List<Segment> segments = recoverSegments(dir);
            UUID id = JournalId.readOrCreate(dir, checkpoint.isEmpty() && segments.isEmpty());
            long start = checkpoint.orElse(segments.isEmpty() ? 0 : segments.getFirst().firstPosition());
            // Segments wholly behind the checkpoint were committed before the last stop.
            while (!segments.isEmpty() && segments.getFirst().endPosition() <= start) {
                Files.deleteIfExists(segments.removeFirst().path);
            }
            if (!segments.isEmpty() && start < segments.getFirst().firstPosition()) {
                start = segments.getFirst().firstPosition();
            }
            // New appends always go to a fresh segment: nothing found on disk is ever written again.
            long nextBase = segments.isEmpty() ? start : segments.getLast().endPosition();
            Segment active = Segment.create(dir, nextBase, settings.segmentSize());
            if (segments.isEmpty()) {
                start = active.firstPosition();
            }
            Journal journal = new Journal(settings, lockChannel, lock, segments, start, active, id);
            journal.thread.start();
            if (journal.recoveredRecords > 0) {
                log.info("metering journal {}: {} event(s) not yet committed to PostgreSQL will be replayed",
                        dir, journal.recoveredRecords);
            }
            return journal;
        } catch (IOException e) {
            closeQuietly(lockChannel);
            throw new UncheckedIOException("metering.journalDirectory: " + dir.toAbsolutePath() + " cannot be used ("
                    + e + ")", e);
        } catch (RuntimeException e) {
            closeQuietly(lockChannel);
            throw e;
        }
    }

    private static List<Segment> recoverSegments(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = new ArrayList<>(s.filter(Files::isRegularFile).toList());
        }
        for (Path p : files) {
            if (p.getFileName().toString().endsWith(".jnl.tmp")) {
                Files.deleteIfExists(p); // a segment whose creation a crash interrupted: never used
            }
        }
        List<Segment> segments = new ArrayList<>();
        files.stream().filter(Segment::isSegmentFile).sorted().forEach(p -> {
            try {
                Segment s = Segment.recover(p);
                if (s == null) {
                    Path aside = p.resolveSibling(p.getFileName() + ".damaged");
                    log.error("metering journal {}: {} is not a journal segment; moved aside to {}", dir, p.getFileName(),
                            aside.getFileName());
                    Files.move(p, aside);
                } else {
                    segments.add(s);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return segments;
    }

    private static long countRecords(Segment s, int offset) {
        long n = 0;
        for (; s != null && s.recovered; s = s.next, offset = Segment.HEADER) {
            int off = offset;
            while (off <= s.capacity - Segment.RECORD_HEADER) {
                long w = s.word0At(off);
                int len = Segment.lengthOf(w);
                if (!Segment.isRecordWord(w) || len < Segment.RECORD_HEADER + 8 || off + len > s.capacity) {
                    break;
                }
                n++;
                off += len;
            }
        }
        return n;
    }

    /**
     * Appends a record on the caller's thread without blocking.
     *
     * @return the journal position just after the record ({@code >= 0}) once it is in place, or
     *         {@link #FULL}, {@link #CLOSED}, {@link #NO_SEGMENT} or {@link #FAILED}
     */
    public long tryAppend(byte[] payload, int length) {
        if (length < 1 || length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("record length " + length + " (expected: 1.." + MAX_PAYLOAD + ")");
        }
        if (closed) {
            return CLOSED;
        }
        // Refused once the bound is reached, so that accepting() answers exactly what an append
        // would do; the last record taken may pass the bound by its own size.
        if (uncommittedBytes() >= settings.maxBytes()) {
            refused.increment();
            return FULL;
        }
        int total = Segment.totalLength(length);
        CRC32C crc = new CRC32C();
        crc.update(payload, 0, length);
        return place(payload, length, (int) crc.getValue(), total);
    }

    private long place(byte[] payload, int length, int crc, int total) {
        Segment s = current;
        while (true) {
            int off = s.reserve(total);
            if (off >= 0) {
                s.publish(off, payload, length, crc);
                appended.increment();
                return s.base + off + total;
            }
            Segment n = s.next;
            if (n == null) {
                LockSupport.unpark(thread);
                return segmentFailure != null ? FAILED : NO_SEGMENT;
            }
            if (CURRENT.compareAndSet(this, s, n)) {
                LockSupport.unpark(thread); // prepare the segment after n
            }
            s = current;
        }
    }

    /**
     * Appends a record through the journal thread, for when {@link #tryAppend} answered
     * {@link #NO_SEGMENT}. The future completes with the position after the record, or
     * exceptionally with {@link JournalUnavailableException} when it could not be appended.
     */
    public CompletableFuture<Long> appendLater(byte[] payload, int length) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        // At most one segment's worth waits in memory: beyond that, appends come faster than the
        // disk takes new segments, and refusing is the honest answer.
        if (deferredBytes.addAndGet(length) > settings.segmentSize()) {
            deferredBytes.addAndGet(-length);
            refused.increment();
            done.completeExceptionally(new JournalUnavailableException(NO_SEGMENT));
            return done;
        }
        deferred.add(new Deferred(Arrays.copyOf(payload, length), length, done));
        LockSupport.unpark(thread);
        return done;
    }

    /** The reader; there is one per journal, used by one thread. */
    public JournalReader reader() {
        return reader;
    }

    /**
     * Records that everything before {@code position} (a position the reader reported) is
     * committed elsewhere. Persisted by the journal thread within one fsync interval.
     */
    public void commit(long position) {
        if (position > committed) {
            committed = position;
        }
    }

    /** Whether an append could be taken now: open, below the bound, and able to make segments. */
    public boolean accepting() {
        return !closed && uncommittedBytes() < settings.maxBytes()
                && !(segmentFailure != null && current.sealed());
    }

    /** Bytes appended but not yet committed (including padding and unused segment tails). */
    public long uncommittedBytes() {
        Segment s = current;
        return Math.max(0, s.base + s.tailHint() - committed);
    }

    /** The bound on {@link #uncommittedBytes()}. */
    public long maxBytes() {
        return settings.maxBytes();
    }

    /** Whether the journal is above its warn ratio. */
    public boolean nearFull() {
        return uncommittedBytes() >= settings.warnRatio() * settings.maxBytes();
    }

    /** Records found after the checkpoint at open (to be replayed). */
    public long recoveredRecords() {
        return recoveredRecords;
    }

    /** Records appended since open. */
    public long appendedRecords() {
        return appended.sum();
    }

    /** Appends refused at the bound since open. */
    public long refusedAppends() {
        return refused.sum();
    }

    /** Records the reader skipped because a crash tore them (never acknowledged). */
    public long tornRecords() {
        return torn.sum();
    }

    /** The position persisted in the checkpoint file. */
    public long checkpointedPosition() {
        return persisted;
    }

    /** The directory of this journal. */
    public Path directory() {
        return dir;
    }

    void recordTorn() {
        torn.increment();
    }

    /** Refuses new appends from now on; the reader can still read everything appended. */
    public void stopAccepting() {
        closed = true;
    }

    /**
     * Stops accepting, forces every segment, persists the checkpoint, deletes segments behind it
     * and releases the directory. Records appended but not committed stay for the next open.
     */
    @Override
    public void close() {
        closed = true;
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            housekeep(true);
        } catch (RuntimeException e) {
            log.error("metering journal {}: final flush failed", dir, e);
        }
        Deferred d;
        while ((d = deferred.poll()) != null) {
            d.done.completeExceptionally(new JournalUnavailableException(CLOSED));
        }
        try {
            lock.release();
        } catch (IOException e) {
            log.warn("metering journal {}: releasing the lock failed: {}", dir, e.toString());
        }
        closeQuietly(lockChannel);
    }

    // ---- the journal thread -------------------------------------------------------------------

    private void run() {
        long tick = Math.min(settings.fsyncInterval().toNanos(), TimeUnit.MILLISECONDS.toNanos(50));
        while (running) {
            try {
                prepareNext();
                drainDeferred();
                if (System.nanoTime() - lastForceNanos >= settings.fsyncInterval().toNanos()) {
                    housekeep(false);
                }
                watchBound();
            } catch (RuntimeException e) {
                log.error("metering journal {}: housekeeping failed", dir, e);
            }
            LockSupport.parkNanos(this, tick);
        }
    }

    /** Keeps two segments ready after the current one, so that a burst never waits for a file. */
    private void prepareNext() {
        while (true) {
            Segment last = current;
            int ready = 0;
            while (last.next != null) {
                last = last.next;
                ready++;
            }
            if (ready >= 2 || !prepareAfter(last)) {
                return;
            }
        }
    }

    private boolean prepareAfter(Segment last) {
        try {
            last.next = Segment.create(dir, last.endPosition(), settings.segmentSize());
            if (segmentFailure != null) {
                log.info("metering journal {}: segments can be created again", dir);
                segmentFailure = null;
            }
            return true;
        } catch (IOException e) {
            if (segmentFailure == null) {
                log.error("metering journal {}: cannot create the next segment ({}); usage events will be refused"
                        + " once the current segment is full", dir, e.toString());
            }
            segmentFailure = e;
            Deferred d;
            while ((d = deferred.poll()) != null) {
                deferredBytes.addAndGet(-d.length);
                d.done.completeExceptionally(new JournalUnavailableException(FAILED));
            }
            return false;
        }
    }

    private void drainDeferred() {
        Deferred d;
        while ((d = deferred.peek()) != null) {
            if (closed && current.next == null) {
                return; // close() fails what is left
            }
            int total = Segment.totalLength(d.length);
            if (uncommittedBytes() >= settings.maxBytes()) {
                deferred.poll();
                deferredBytes.addAndGet(-d.length);
                refused.increment();
                d.done.completeExceptionally(new JournalUnavailableException(FULL));
                continue;
            }
            CRC32C crc = new CRC32C();
            crc.update(d.payload, 0, d.length);
            long r = place(d.payload, d.length, (int) crc.getValue(), total);
            if (r == NO_SEGMENT || r == FAILED) {
                return; // try again once the next segment exists
            }
            deferred.poll();
            deferredBytes.addAndGet(-d.length);
            d.done.complete(r);
        }
    }

    /**
     * Forces dirty segments, persists the checkpoint and deletes segments behind it. The journal
     * thread calls it, and close() once more after that thread ended.
     */
    private synchronized void housekeep(boolean closing) {
        lastForceNanos = System.nanoTime();
        for (Segment s = oldest; s != null; s = s.next) {
            if (!s.recovered && s.forcesAfterSeal < 2) {
                // msync writes only dirty pages, so forcing a live segment again is cheap. A sealed
                // segment is forced twice more: an appender may still have been copying into a slot
                // it reserved before the seal during the first of those.
                boolean sealed = s.sealed();
                s.force();
                if (sealed) {
                    s.forcesAfterSeal++;
                }
            }
        }
        long c = committed;
        if (c != persisted) {
            try {
                Checkpoint.write(dir, c);
                persisted = c;
            } catch (IOException e) {
                log.error("metering journal {}: cannot write the checkpoint ({}); will retry", dir, e.toString());
                return;
            }
        }
        rounds++;
        Segment s = oldest;
        while (s.next != null && s != current && s.endPosition() <= persisted) {
            try {
                Files.deleteIfExists(s.path);
            } catch (IOException e) {
                log.warn("metering journal {}: cannot delete {} ({})", dir, s, e.toString());
                break;
            }
            s.deletedInRound = rounds;
            deleted.add(s);
            s = s.next;
        }
        oldest = s;
        if (!closing) {
            unmapDeleted();
        }
        if (closing) {
            log.debug("metering journal {}: closed at checkpoint {}", dir, persisted);
        }
    }

    /**
     * Rounds a deleted segment stays mapped. By its deletion every record in it was published, read
     * and committed, so the only thread that may still touch its mapping is an appender that took it
     * as the current segment just before it filled and is about to find it full, within
     * microseconds; this waits far longer (at least one whole fsync interval: deleted in one round,
     * unmapped {@value} rounds later) before unmapping, as touching an unmapped segment would crash
     * the process. Not longer: until it is unmapped a deleted segment's pages stay in the process's
     * resident memory, and under a refusal flood the journal fills about a segment a second (ten
     * rounds of grace held some 150 MiB of deleted segments mapped).
     */
    static final int UNMAP_GRACE_ROUNDS = 2;

    private void unmapDeleted() {
        Segment d;
        while ((d = deleted.peek()) != null && rounds - d.deletedInRound >= UNMAP_GRACE_ROUNDS) {
            deleted.poll();
            d.unmap();
        }
    }

    private void watchBound() {
        long bytes = uncommittedBytes();
        boolean above = bytes >= settings.warnRatio() * settings.maxBytes();
        if (above && !warned) {
            log.warn("metering journal {} is {}% full ({} of {} bytes not yet in PostgreSQL): the database is slow or"
                    + " unreachable; at 100% usage events, and so requests, are refused with 503",
                    dir, Math.round(100.0 * bytes / settings.maxBytes()), bytes, settings.maxBytes());
        } else if (!above && warned) {
            log.info("metering journal {} is back below {}% of its bound", dir, Math.round(100 * settings.warnRatio()));
        }
        warned = above;
        long r = refused.sum();
        if (r > refusedSeen && !refusing) {
            refusing = true;
            log.warn("metering journal {} is full ({} bytes): refusing usage events, and so requests, until"
                    + " PostgreSQL catches up", dir, settings.maxBytes());
        } else if (refusing && r == refusedSeen && accepting()) {
            refusing = false;
            log.info("metering journal {} accepts usage events again ({} refused meanwhile)", dir, r);
        }
        refusedSeen = r;
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing left to do with it
            }
        }
    }
}
