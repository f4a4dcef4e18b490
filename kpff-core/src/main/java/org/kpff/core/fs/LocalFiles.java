package org.kpff.core.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * {@code file://} paths through {@code java.nio} instead of Hadoop's local file system.
 *
 * <p>Without Hadoop's native library (the usual case on a laptop or a Spark executor that only writes local
 * files), Hadoop 3.3's local file system starts a process for every permission it sets and every link it checks:
 * a {@code chmod} per file and folder it creates, a {@code readlink} per {@code FileContext} rename: 23 processes
 * per checkpoint of a cell (JFR's {@code jdk.ProcessStart}; what they cost is measured in the README, Training
 * speed). The same operations through {@code java.nio} start none.
 *
 * <p>Hadoop's checksummed local file system ({@link LocalFileSystem}) keeps a side file {@code .<name>.crc} per file
 * and verifies it on read. Files written here have none, which it accepts; a replaced file's stale side file is
 * removed, and a temporary's side file moves with it, so Hadoop readers keep working.
 */
public final class LocalFiles {

    private LocalFiles() {
    }

    /** The local file behind {@code path} when {@code fs} is Hadoop's local file system; empty for any other. */
    public static Optional<java.nio.file.Path> of(FileSystem fs, Path path) {
        if (fs instanceof LocalFileSystem local) {
            return Optional.of(local.pathToFile(path).toPath());
        }
        if (fs instanceof RawLocalFileSystem raw) {
            return Optional.of(raw.pathToFile(path).toPath());
        }
        return Optional.empty();
    }

    /** Hadoop's checksum side file of {@code file}: {@code .<name>.crc} in the same folder. */
    public static java.nio.file.Path checksumOf(java.nio.file.Path file) {
        return file.resolveSibling("." + file.getFileName() + ".crc");
    }

    /**
     * Moves {@code tmp} (a file or a folder) onto {@code target}, creating {@code target}'s parent. A file replaces
     * a file in one {@code rename(2)}, atomically; a folder that exists is deleted first (two steps, as on every
     * Hadoop file system). {@code tmp}'s checksum side file moves with it; without one, {@code target}'s stale side
     * file is removed before the move, so that no reader checks new bytes against an old checksum.
     *
     * @throws NoSuchFileException when {@code tmp} does not exist
     */
    public static void replace(java.nio.file.Path tmp, java.nio.file.Path target) throws IOException {
        if (!Files.exists(tmp, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoSuchFileException(tmp.toString(), null, "the temporary does not exist");
        }
        Files.createDirectories(target.getParent());
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            deleteRecursively(target);
        }
        java.nio.file.Path tmpChecksum = checksumOf(tmp);
        Files.deleteIfExists(checksumOf(target));
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        if (Files.exists(tmpChecksum, LinkOption.NOFOLLOW_LINKS)) {
            Files.move(tmpChecksum, checksumOf(target), StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** Deletes {@code path} and, for a folder, everything under it, with side files; nothing when it is absent. */
    public static void deleteRecursively(java.nio.file.Path path) throws IOException {
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            List<java.nio.file.Path> all;
            try (Stream<java.nio.file.Path> s = Files.walk(path)) {
                all = s.sorted(Comparator.reverseOrder()).toList();
            }
            for (java.nio.file.Path p : all) {
                Files.deleteIfExists(p);
            }
        } else {
            Files.deleteIfExists(path);
        }
        Files.deleteIfExists(checksumOf(path));
    }
}
