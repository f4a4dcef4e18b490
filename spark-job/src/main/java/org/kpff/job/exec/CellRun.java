package org.kpff.job.exec;

import java.io.Serializable;
import java.util.List;
import org.kpff.core.train.CellOutcome;

/**
 * What an executor sends back for one cell: the outcome (or the reason of a deterministic failure) and where and
 * how it ran.
 *
 * @param cellId          the cell's id
 * @param ok              true when the cell trained to the end
 * @param reason          the deterministic failure's reason, empty when ok
 * @param outcome         evaluations, predictions and summary figures; null when failed
 * @param heldOutImages   listing indices of the held-out images in prediction order
 * @param host            executor host name
 * @param gpu             {@code cpu} or {@code cuda:<n>}
 * @param attempt         1-based task attempt
 * @param seconds         wall seconds of the whole task (decode, build, train, evaluate)
 * @param jvmDecodes      full dataset decodes this executor JVM has done so far
 * @param nativeBytes     off-heap bytes JavaCPP tracks after the cell was freed
 * @param rssBytes        the executor process's physical memory after the cell was freed
 * @param engine          the compute path the cell's network ran on (e.g. cpu-onednn-avx512, cuda-cudnn, cpu-plain)
 */
public record CellRun(String cellId, boolean ok, String reason, CellOutcome outcome, List<Integer> heldOutImages,
        String host, String gpu, int attempt, double seconds, long jvmDecodes, long nativeBytes, long rssBytes,
        String engine)
        implements Serializable {
}
