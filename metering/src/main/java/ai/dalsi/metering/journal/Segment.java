package ai.dalsi.metering.journal;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * One memory-mapped segment file of the journal.
 *
 * <p>File layout: a {@value #HEADER}-byte header (magic, version, base position, capacity), then
 * records, each 8-byte aligned:
 * <pre>
 *   word0  (8 bytes)  RECORD_MAGIC &lt;&lt; 32 | total length (header + payload + padding)
 *   word1  (8 bytes)  crc32c(payload) &lt;&lt; 32 | payload length
 *   payload, zero padding to a multiple of 8
 * </pre>
 * The chain of records ends at the first zero {@code word0}, at an {@code END} word (the segment is
 * sealed: continue in the next one), or exactly at the capacity.
 *
 * <p>Why two header words: a writer reserves its slot by compare-and-set of {@code word0} from 0
 * to its length, so the chain is walkable from the instant of reservation, even if the writer
 * dies before it finishes; it publishes {@code word1} (non-zero) only after the payload is in
 * place. A reader therefore tells "being written" ({@code word1 == 0} in a live segment: wait)
 * from "torn by a crash" ({@code word1 == 0} or a CRC mismatch in a segment found at start: skip
 * it, it was never acknowledged) and can always step over either to the records after it.
 *
 * <p>Thread safety: {@link #reserve} and {@link #publish} are called concurrently by appenders;
 * they touch disjoint byte ranges and the header words through a {@link VarHandle}. The buffer's
 * position and limit are never used, only absolute access.
 */
final class Segment {

    static final int HEADER = 64;
    static final int RECORD_HEADER = 16;
    static final int RECORD_MAGIC = 0x55534731; // "USG1"
    static final int END_MAGIC = 0x454E4421;    // "END!"
    static final long END = (long) END_MAGIC << 32;
    private static final long FILE_MAGIC = 0x314C4E524A4C5344L; // "DSLJRNL1" little-endian
    private static final int VERSION = 1;
    private static final String PREFIX = "segment-";
    private static final String SUFFIX = ".jnl";

    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle HINT;

    static {
        try {
            HINT = MethodHandles.lookup().findVarHandle(Segment.class, "hint", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Path path;
    /** Logical journal position of byte 0 of this file. */
    final long base;
    final int capacity;
    /** Found on disk at start: its unfinished records are torn, not in progress. */
    final boolean recovered;
    private final MappedByteBuffer buffer;

    /** Offset at or before the end of the chain; appenders start walking there. */
    @SuppressWarnings("unused") // through HINT
    private volatile int hint;

    /** The segment after this one, once the journal thread has prepared it. */
    volatile Segment next;

    /** How often the journal thread forced this segment after it was sealed (journal thread only). */
    int forcesAfterSeal;

    /** The journal thread's housekeeping round in which this segment's file was deleted (journal thread only). */
    long deletedInRound;

    private Segment(Path path, long base, int capacity, boolean recovered, MappedByteBuffer buffer, int hint) {
        this.path = path;
        this.base = base;
        this.capacity = capacity;
        this.recovered = recovered;
        this.buffer = buffer;
        this.hint = hint;
    }

    static String fileName(long base) {
        return String.format(Locale.ROOT, "%s%020d%s", PREFIX, base, SUFFIX);
    }

    static boolean isSegmentFile(Path p) {
        String n = p.getFileName().toString();
        return n.startsWith(PREFIX) && n.endsWith(SUFFIX) && n.length() == PREFIX.length() + 20 + SUFFIX.length();
    }

    static long baseOf(Path p) {
        String n = p.getFileName().toString();
        return Long.parseLong(n.substring(PREFIX.length(), PREFIX.length() + 20));
    }

    /**
     * Creates a new segment file with all of its blocks allocated (zeros written, so a full disk
     * shows here as an IOException instead of later as a fault inside a memory write) and its
     * header written, and maps it.
     */
    static Segment create(Path dir, long base, int capacity) throws IOException {
        Path path = dir.resolve(fileName(base));
        Path tmp = dir.resolve(fileName(base) + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocateDirect(Math.min(capacity, 1 << 20));
            long written = 0;
            while (written < capacity) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), capacity - written));
                written += ch.write(zeros, written);
            }
            ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
            header.putLong(FILE_MAGIC).putInt(VERSION).putInt(capacity).putLong(base).flip();
            while (header.hasRemaining()) {
                ch.write(header, header.position());
            }
            // No fsync of the 64 MiB of zeros here: that would make preparing a segment slower than
            // a busy gateway fills one. Writing them already reserved the blocks; the journal
            // thread's periodic force of the mapping writes them (and the header) to the device,
            // which is the same durability as the records in it.
        }
        // The final name appears only once the file is complete, so a crash mid-creation leaves a
        // .tmp file, never a half-made segment.
        Files.move(tmp, path, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Checkpoint.fsyncDirectory(dir);
        return map(path, base, capacity, false, HEADER);
    }

    /** Maps an existing segment file found at start; null when its header is not a segment's. */
    static Segment recover(Path path) throws IOException {
        long size = Files.size(path);
        if (size < HEADER || size > Integer.MAX_VALUE) {
            return null;
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            while (header.hasRemaining() && ch.read(header, header.position()) >= 0) {
                // read fully
            }
        }
        header.flip();
        if (header.remaining() < 24 || header.getLong(0) != FILE_MAGIC || header.getInt(8) != VERSION) {
            return null;
        }
        int capacity = header.getInt(12);
        long base = header.getLong(16);
        if (capacity != size || base != baseOf(path)) {
            return null;
        }
        return map(path, base, capacity, true, capacity);
    }

    private static Segment map(Path path, long base, int capacity, boolean recovered, int hint) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // The mapping outlives the channel; it is released by unmap(), or when the buffer is collected.
            MappedByteBuffer buffer = ch.map(FileChannel.MapMode.READ_WRITE, 0, capacity);
            buffer.order(ByteOrder.LITTLE_ENDIAN);
            return new Segment(path, base, capacity, recovered, buffer, hint);
        }
    }

    static int totalLength(int payloadLength) {
        return (RECORD_HEADER + payloadLength + 7) & ~7;
    }

    static long word0(int total) {
        return ((long) RECORD_MAGIC << 32) | (total & 0xFFFF_FFFFL);
    }

    static boolean isRecordWord(long w) {
        return (int) (w >>> 32) == RECORD_MAGIC;
    }

    static int lengthOf(long w) {
        return (int) w;
    }

    /**
     * Reserves {@code total} bytes at the end of the chain; returns the record's offset, or -1
     * when it does not fit (the segment is then sealed and appenders move to the next one).
     */
    int reserve(int total) {
        long word = word0(total);
        int pos = (int) HINT.getAcquire(this);
        while (true) {
            if (pos > capacity - total) {
                seal(pos);
                return -1;
            }
            long seen = (long) LONGS.compareAndExchange(buffer, pos, 0L, word);
            if (seen == 0L) {
                advanceHint(pos + total);
                return pos;
            }
            if (seen == END) {
                return -1;
            }
            pos += lengthOf(seen);
        }
    }

    private void advanceHint(int to) {
        int h = (int) HINT.getAcquire(this);
        while (h < to && !HINT.weakCompareAndSetRelease(this, h, to)) {
            h = (int) HINT.getAcquire(this);
        }
    }

    /** Writes END where the chain ends, so readers of this segment know to go on to the next. */
    private void seal(int pos) {
        while (pos <= capacity - 8) {
            long seen = (long) LONGS.compareAndExchange(buffer, pos, 0L, END);
            if (seen == 0L || seen == END) {
                advanceHint(capacity);
                return;
            }
            pos += lengthOf(seen);
        }
        advanceHint(capacity);
    }

    /** Copies the payload into a reserved slot and publishes it: from here on it survives a process crash. */
    void publish(int offset, byte[] payload, int length, int crc) {
        buffer.put(offset + RECORD_HEADER, payload, 0, length);
        LONGS.setRelease(buffer, offset + 8, ((long) crc << 32) | (length & 0xFFFF_FFFFL));
    }

    /** Whether the segment is sealed or full: appenders go to the next one. */
    boolean sealed() {
        return (int) HINT.getAcquire(this) >= capacity;
    }

    /** Offset at or before the end of the chain (for metrics and bounds). */
    int tailHint() {
        return (int) HINT.getAcquire(this);
    }

    long word0At(int offset) {
        return (long) LONGS.getAcquire(buffer, offset);
    }

    long word1At(int offset) {
        return (long) LONGS.getAcquire(buffer, offset + 8);
    }

    /** A read-only view of a record's payload. */
    ByteBuffer payload(int offset, int length) {
        return buffer.slice(offset + RECORD_HEADER, length).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Releases the mapping now rather than when the buffer is collected: a buffer that lived long
     * enough to reach the old generation may not be collected for a long time, and until then the
     * deleted file's pages stay in the process's resident memory (a whole segment each). Only for
     * a segment nothing touches again ({@link Journal} waits a grace period after deleting it).
     * Where the JVM offers no way to, the mapping goes with the buffer as before.
     */
    void unmap() {
        if (INVOKE_CLEANER == null) {
            return;
        }
        try {
            INVOKE_CLEANER.invokeExact((ByteBuffer) buffer);
        } catch (Throwable e) {
            // left to the collector
        }
    }

    /** {@code sun.misc.Unsafe.invokeCleaner} (module jdk.unsupported), or null where it is missing. */
    private static final MethodHandle INVOKE_CLEANER = invokeCleaner();

    private static MethodHandle invokeCleaner() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field field = unsafeClass.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            return MethodHandles.lookup()
                    .findVirtual(unsafeClass, "invokeCleaner",
                            MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(field.get(null));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Forces the mapped bytes to the device (dirty pages only). */
    void force() {
        buffer.force();
    }

    /** Logical position of the first record. */
    long firstPosition() {
        return base + HEADER;
    }

    /** Logical position just past this segment. */
    long endPosition() {
        return base + capacity;
    }

    @Override
    public String toString() {
        return path.getFileName().toString();
    }
}
