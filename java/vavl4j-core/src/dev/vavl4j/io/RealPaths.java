package dev.vavl4j.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Paths as the file system will see them, for checks that an output does not land on or inside an input.
 * One implementation for every such check (CLI outputs, {@code train --out}, {@code export --out}), so
 * they cannot disagree about links or {@code ..}.
 */
public final class RealPaths {
    private RealPaths() {}

    /**
     * The real path of {@code p}'s nearest existing ancestor (links and {@code ..} resolved the way the file
     * system resolves them, so {@code link/../x} is the link target's parent's {@code x}), followed by the
     * parts that do not exist yet, normalised and absolute.
     */
    public static Path resolve(Path p) throws IOException {
        Path abs = p.toAbsolutePath();
        Deque<Path> rest = new ArrayDeque<>();
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) {
            rest.push(existing.getFileName());
            existing = existing.getParent();
        }
        Path r = existing == null ? abs.getRoot() : existing.toRealPath();
        for (Path part : rest) r = r.resolve(part);
        return r.normalize();
    }
}
