package ai.dalsi.metering.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;
import java.util.zip.CRC32C;

/**
 * The checkpoint file: the journal position up to which every event is committed to PostgreSQL.
 * Twenty bytes (magic, position, CRC32C of both), replaced atomically: written to a temporary
 * file, forced, renamed over the old one, and the directory forced. A reader therefore sees the
 * old checkpoint or the new one, never a mix; a file that fails its checksum is treated as absent
 * (the whole journal is replayed, which the writer's idempotence makes harmless).
 */
final class Checkpoint {

    static final String FILE = "checkpoint";
    static final String TEMP = "checkpoint.tmp";
    private static final long MAGIC = 0x3154504B43534CL; // "LSCKPT1"
    private static final int SIZE = 20;

    private Checkpoint() {
    }

    /** The stored position; empty when there is no valid checkpoint. */
    static OptionalLong read(Path dir) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(dir.resolve(FILE));
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        }
        if (bytes.length != SIZE) {
            return OptionalLong.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getLong(0) != MAGIC || b.getInt(16) != crc(bytes)) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(b.getLong(8));
    }

    /** Whether a checkpoint file exists but is not valid (worth a warning). */
    static boolean presentButInvalid(Path dir) throws IOException {
        return Files.exists(dir.resolve(FILE)) && read(dir).isEmpty();
    }

    /** Replaces the checkpoint atomically and durably. */
    static void write(Path dir, long position) throws IOException {
        byte[] bytes = new byte[SIZE];
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, MAGIC).putLong(8, position);
        b.putInt(16, crc(bytes));
        Path tmp = dir.resolve(TEMP);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer src = ByteBuffer.wrap(bytes);
            while (src.hasRemaining()) {
                ch.write(src);
            }
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(dir);
    }

    private static int crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 16);
        return (int) crc.getValue();
    }

    /** Makes a rename or a new file in the directory durable (where the platform allows it). */
    static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory; Linux, where the gateway runs, can.
        }
    }
}
