package dev.vavl4j.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes a file through a temporary sibling and a rename, so readers never see half a file. The file gets
 * the permissions any new file gets (the umask's), as one written with {@link Files#newOutputStream} would.
 *
 * <p>Durability: the temporary file is fsynced before the rename and the directory after it, so once
 * {@link #write} returns the new file survives a crash of the machine too (on a file system that honours
 * fsync). A kill at any instant leaves the old file or the new one, plus at worst a temporary sibling
 * {@code .NAME.<random>.tmp}, which {@link #removeLeftovers} recognises.
 *
 * <p>Crash points ({@link CrashPoints}, kind {@code file:NAME}): {@code written} (all bytes written, nothing
 * fsynced), {@code synced} (before the rename), {@code renamed} (before the directory's fsync).
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** The names {@link #createSibling} draws: {@code .NAME.<base-36 random>.tmp}. */
    private static final Pattern LEFTOVER = Pattern.compile("\\..+\\.[0-9a-z]{1,13}\\.tmp");

    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code target} with what {@code writer} writes, replacing it only once the new bytes are complete and
     * fsynced. An exception the writer throws comes out unchanged; a failure of the file system itself (a full
     * disk, a quota, a failed fsync) is a {@link FileSystemException} naming {@code target}. Either way the old
     * file is untouched and no temporary file is left.
     */
    public static void write(Path target, Writer writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) Files.createDirectories(dir);
        String kind = "file:" + abs.getFileName();
        int n = CrashPoints.begin(kind);
        Path tmp = createSibling(dir, "." + abs.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(new NamedErrors(Channels.newOutputStream(ch), abs), 1 << 20);
                writer.write(out);
                out.flush();
                CrashPoints.at(kind, n, "written");
                try {
                    ch.force(true);
                } catch (IOException e) {
                    throw named(abs, e);
                }
            }
            CrashPoints.at(kind, n, "synced");
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            CrashPoints.at(kind, n, "renamed");
            if (dir != null) syncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * fsyncs a regular file's data and metadata.
     *
     * @throws FileSystemException naming the file when it cannot be opened or the file system reports a failure
     */
    public static void syncFile(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (IOException e) {
            throw named(file, e);
        }
    }

    /**
     * fsyncs a directory, so that the names created, renamed or deleted in it are on disk (opened for reading,
     * as POSIX allows). A file system or OS that refuses to open or sync a directory is tolerated: there the
     * rename is as durable as that file system makes it.
     */
    public static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // e.g. EINVAL from a file system without directory fsync, or an OS that cannot open a directory
        }
    }

    /** Whether {@code name} is the name of a temporary file {@link #write} leaves behind when it is killed. */
    public static boolean isLeftover(String name) {
        return LEFTOVER.matcher(name).matches();
    }

    /**
     * Deletes the temporary files of writes into {@code dir} that were killed before their rename (regular files
     * named as {@link #isLeftover} says). Only for a directory whose writer owns it (a run directory): another
     * process's write in progress there would lose its temporary file. Returns how many were deleted.
     */
    public static int removeLeftovers(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return 0;
        int n = 0;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                if (isLeftover(p.getFileName().toString()) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(p);
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * A new, empty file {@code dir/prefix<random>suffix} with the default permissions.
     * {@link Files#createTempFile} would make it owner-only (0600) whatever the umask says, and the rename
     * would carry that mode over to the target.
     */
    private static Path createSibling(Path dir, String prefix, String suffix) throws IOException {
        while (true) {
            try {
                return Files.createFile(dir.resolve(prefix + randomName() + suffix));
            } catch (FileAlreadyExistsException e) {
                // another writer drew the same name: draw again
            }
        }
    }

    /**
     * A new, empty directory {@code parent/prefix<random>} with the default permissions (where
     * {@link Files#createTempDirectory} would make it 0700).
     */
    public static Path createSiblingDirectory(Path parent, String prefix) throws IOException {
        while (true) {
            try {
                return Files.createDirectory(parent.resolve(prefix + randomName()));
            } catch (FileAlreadyExistsException e) {
                // another writer drew the same name: draw again
            }
        }
    }

    private static String randomName() {
        return Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
    }

    /** {@code e} as a FileSystemException naming {@code file} (NIO's own already name one and pass unchanged). */
    private static IOException named(Path file, IOException e) {
        if (e instanceof FileSystemException) return e;
        FileSystemException f = new FileSystemException(file.toString(), null, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        f.initCause(e);
        return f;
    }

    /**
     * The file channel's stream, its I/O errors (ENOSPC: "No space left on device") naming the target; closing it
     * only flushes.
     */
    private static final class NamedErrors extends FilterOutputStream {
        private final Path target;

        NamedErrors(OutputStream out, Path target) {
            super(out);
            this.target = target;
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                throw named(target, e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw named(target, e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw named(target, e);
            }
        }

        /** The writer may close its stream (a try-with-resources Writer over it); the channel stays open for the fsync. */
        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
