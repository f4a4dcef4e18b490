package org.kpff.job.fault;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The reliability tests' faults: executors that fail or pause at a known point of a cell, and a driver that stops
 * dispatching after some cells, so that tests can prove retries, resume and commits exactly.
 *
 * @param failAfterEpoch the first {@code failAttempts} attempts of each cell throw after their first evaluation at
 *                       or after this epoch (and its checkpoint), like a lost executor; a retry that resumed past
 *                       this epoch fails after its first evaluation (0 = never)
 * @param failAttempts   how many attempts fail that way
 * @param pauseDir       folder URI: the first attempt of each cell, after its first evaluation and checkpoint,
 *                       writes {@code <pauseDir>/<cell id>.pid} holding its JVM's process id and waits while that
 *                       file exists (at most {@link #MAX_PAUSE_MILLIS}), so that a test can kill that JVM mid-cell or
 *                       release it by deleting the file; null = never
 * @param stopAfterCells the driver stops dispatching after this many ended cells and fails the attempt (0 = never)
 */
public record ScriptedFaults(int failAfterEpoch, int failAttempts, String pauseDir, int stopAfterCells)
        implements FaultInjector {

    /** Longest pause, so that a test that forgets to release a cell cannot hang a build. */
    static final long MAX_PAUSE_MILLIS = 300_000;

    /** The first {@code attempts} attempts of each cell fail after their evaluation at or after {@code epoch}. */
    public static ScriptedFaults failAfterEpoch(int epoch, int attempts) {
        return new ScriptedFaults(epoch, attempts, null, 0);
    }

    /** The first attempt of each cell pauses after its first evaluation, with a marker in {@code pauseDir}. */
    public static ScriptedFaults pauseIn(String pauseDir) {
        return new ScriptedFaults(0, 0, pauseDir, 0);
    }

    /** The driver stops after {@code cells} ended cells. */
    public static ScriptedFaults stopAfterCells(int cells) {
        return new ScriptedFaults(0, 0, null, cells);
    }

    @Override
    public void afterEvaluation(String cellId, int attempt, int epoch, int firstEpochOfAttempt) {
        if (failAfterEpoch > 0 && attempt <= failAttempts && epoch >= failAfterEpoch) {
            throw new InjectedFault("Injected fault in cell " + cellId + " attempt " + attempt + " after epoch "
                    + epoch);
        }
        if (pauseDir != null && attempt == 1 && epoch == firstEpochOfAttempt) {
            pause(cellId);
        }
    }

    @Override
    public boolean stopAfter(int cellsEnded) {
        return stopAfterCells > 0 && cellsEnded >= stopAfterCells;
    }

    private void pause(String cellId) {
        Path marker = new Path(pauseDir, cellId + ".pid");
        try {
            FileSystem fs = marker.getFileSystem(new Configuration());
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
            throw new UncheckedIOException("Test fault: cannot write " + marker, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Test fault: interrupted while paused at " + marker, e);
        }
    }

    /** The failure this injector throws: an infrastructure-like failure Spark retries. */
    static final class InjectedFault extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedFault(String message) {
            super(message);
        }
    }
}
