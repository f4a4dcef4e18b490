package org.kpff.job.exec;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Fault-injection hooks the tests switch on through runtime Spark confs; all off in a normal run. They make an
 * executor fail or stop at a known point of a cell so that tests can prove retries, resume and commits exactly.
 *
 * @param failAfterEpoch the first {@code failAttempts} attempts of each cell throw after their first evaluation at
 *                       or after this epoch (and its checkpoint), like a lost executor; a retry that resumed past
 *                       this epoch fails after its first evaluation (0 = never)
 * @param failAttempts   how many attempts fail that way
 * @param pauseDir       folder URI: the first attempt of each cell, after its first evaluation and checkpoint,
 *                       writes {@code <pauseDir>/<cell id>.pid} holding its JVM's process id and waits while that
 *                       file exists (at most {@link #MAX_PAUSE_MILLIS}), so that a test can kill that JVM mid-cell or
 *                       release it by deleting the file; null = never
 */
public record TestHooks(int failAfterEpoch, int failAttempts, String pauseDir) implements Serializable {

    /** No hook. */
    public static final TestHooks NONE = new TestHooks(0, 0, null);

    /** Longest pause, so that a test that forgets to release a cell cannot hang a build. */
    static final long MAX_PAUSE_MILLIS = 300_000;

    /** Called after each evaluation and its checkpoint: fails or pauses the attempt when a hook says so. */
    void afterEvaluation(String cellId, int attempt, int epoch, int firstEpochOfAttempt, Configuration conf) {
        if (failAfterEpoch > 0 && attempt <= failAttempts && epoch >= failAfterEpoch) {
            throw new CellRunner.InjectedFault("Injected fault in cell " + cellId + " attempt " + attempt
                    + " after epoch " + epoch);
        }
        if (pauseDir != null && attempt == 1 && epoch == firstEpochOfAttempt) {
            pause(cellId, conf);
        }
    }

    private void pause(String cellId, Configuration conf) {
        Path marker = new Path(pauseDir, cellId + ".pid");
        try {
            FileSystem fs = marker.getFileSystem(conf);
            Path tmp = new Path(pauseDir, "_" + cellId + ".pid.tmp");
            try (OutputStream out = fs.create(tmp, true)) {
                out.write(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8));
            }
            if (!fs.rename(tmp, marker)) {
                throw new IOException("Could not rename " + tmp + " to " + marker);
            }
            long deadline = System.currentTimeMillis() + MAX_PAUSE_MILLIS;
            while (fs.exists(marker) && System.currentTimeMillis() < deadline) {
                Thread.sleep(25);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Test hook: cannot write " + marker, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Test hook: interrupted while paused at " + marker, e);
        }
    }
}
