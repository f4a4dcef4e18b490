package org.kpff.core.fs;

import java.io.IOException;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

/**
 * Moves a completely written temporary file or folder onto its final name, replacing what is there: the one place
 * where the job replaces results, checkpoints and run.json.
 *
 * <p>A file (or a target that does not exist yet) is moved with {@link FileContext#rename} and {@link
 * Options.Rename#OVERWRITE}: on HDFS that is one atomic rename that replaces the target, so a reader sees the old
 * or the new file, never none. On {@code file://} the move is {@code java.nio}'s ({@link LocalFiles#replace}): one
 * {@code rename(2)}, as atomic, and without the processes Hadoop's local file system starts for it. A folder that
 * already exists cannot be replaced by a rename on any file system; it is deleted first (two steps), which callers
 * only do where the folder is not yet visible as a result or is rewritten on the next attempt.
 */
public final class AtomicReplace {

    private AtomicReplace() {
    }

    /**
     * Moves {@code tmp} to {@code target}, replacing {@code target}; creates {@code target}'s parent if needed.
     *
     * @throws IOException when the rename fails (naming both paths)
     */
    public static void replace(Path tmp, Path target, Configuration conf) throws IOException {
        FileSystem fs = target.getFileSystem(conf);
        Optional<java.nio.file.Path> localTarget = LocalFiles.of(fs, target);
        Optional<java.nio.file.Path> localTmp = LocalFiles.of(tmp.getFileSystem(conf), tmp);
        if (localTarget.isPresent() && localTmp.isPresent()) {
            try {
                LocalFiles.replace(localTmp.get(), localTarget.get());
            } catch (IOException e) {
                throw new IOException("Could not replace " + target + " with " + tmp + ": " + e, e);
            }
            return;
        }
        fs.mkdirs(target.getParent());
        FileStatus existing = fs.exists(target) ? fs.getFileStatus(target) : null;
        try {
            if (existing != null && existing.isDirectory()) {
                fs.delete(target, true);
                if (!fs.rename(tmp, target)) {
                    throw new IOException("rename returned false");
                }
            } else {
                FileContext.getFileContext(target.toUri(), conf).rename(tmp, target, Options.Rename.OVERWRITE);
            }
        } catch (IOException e) {
            throw new IOException("Could not replace " + target + " with " + tmp + ": " + e.getMessage(), e);
        }
    }
}
