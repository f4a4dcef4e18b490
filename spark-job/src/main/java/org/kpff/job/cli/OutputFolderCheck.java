package org.kpff.job.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Checks a local {@code --out} before any work, so that a folder that cannot be written is refused with the reason in
 * words: a file where the folder (or one of its parents) should be, or a parent in which this user cannot create
 * anything. Folders on other FileSystems (hdfs://, or a path without scheme where fs.defaultFS is not local) are left
 * to the run, whose Hadoop errors name their cause.
 */
final class OutputFolderCheck {

    private OutputFolderCheck() {
    }

    /**
     * Refuses a local output folder that cannot be created or written.
     *
     * @param outUri {@code --out} as given: a path or a {@code file:} URI (other schemes are not checked)
     * @throws IllegalArgumentException naming the folder and why it cannot be used
     */
    static void check(String outUri) {
        Path out = localPath(outUri);
        if (out == null) {
            return;
        }
        Path existing = out;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return;
        }
        if (!Files.isDirectory(existing)) {
            throw new IllegalArgumentException(existing.equals(out)
                    ? "--out " + outUri + " is a file, not a folder: name a new or empty folder (or a run folder, "
                            + "with --resume)."
                    : "--out " + outUri + " cannot be created: " + existing + " is a file, not a folder.");
        }
        try {
            Path probe = Files.createTempDirectory(existing, ".kpff-write-check");
            Files.delete(probe);
        } catch (IOException e) {
            throw new IllegalArgumentException("--out " + outUri + (existing.equals(out) ? " cannot be written"
                    : " cannot be created in " + existing) + ": " + reason(e) + ".", e);
        }
    }

    /** The local path an {@code --out} names, or null when it is not on the local disk. */
    private static Path localPath(String uri) {
        if (uri.startsWith("file:")) {
            return Paths.get(java.net.URI.create(uri.startsWith("file:/") && !uri.startsWith("file://")
                    ? "file://" + uri.substring("file:".length()) : uri)).toAbsolutePath();
        }
        if (uri.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")) {
            return null;
        }
        // A path without scheme is on fs.defaultFS: the local disk unless Hadoop's or Spark's config says otherwise.
        String defaultFs = new org.apache.spark.SparkConf().get("spark.hadoop.fs.defaultFS",
                new org.apache.hadoop.conf.Configuration().get("fs.defaultFS", "file:///"));
        return defaultFs.startsWith("file:") ? Path.of(uri).toAbsolutePath() : null;
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied (this user may not write there)";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason().toLowerCase(java.util.Locale.ROOT);
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
