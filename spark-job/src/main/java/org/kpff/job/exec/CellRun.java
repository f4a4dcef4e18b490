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
 * @param gpu             the GPU address Spark assigned the task, or null when it got none (data-parallel cells: the
 *                        workers' {@code host/device} list, or {@code cpu})
 * @param attempt         1-based task attempt
 * @param seconds         wall seconds of the whole task (decode, build, train, evaluate)
 * @param jvmDecodes      full dataset decodes this executor JVM has done so far
 * @param nativeBytes     off-heap bytes JavaCPP tracked when the cell ended (its network and workspaces freed; arrays the
 *                        garbage collector has not yet reclaimed included)
 * @param rssBytes        the executor process's physical memory after the cell was freed
 * @param engine          the compute path the cell's network ran on (e.g. cpu-onednn-avx512, cuda-cudnn, cpu-plain)
 * @param executorId      Spark executor id of the attempt ({@code driver} in local mode and for data-parallel cells)
 * @param startedAt       when the attempt started on its executor
 * @param finishedAt      when the attempt ended on its executor (trained, evaluated and freed; not yet committed)
 * @param device          what ND4J computed on: {@code cpu} or {@code cuda:<n> (<name>)}
 */
public record CellRun(String cellId, boolean ok, String reason, CellOutcome outcome, List<Integer> heldOutImages,
        String host, String gpu, int attempt, double seconds, long jvmDecodes, long nativeBytes, long rssBytes,
        String engine, String executorId, java.time.Instant startedAt, java.time.Instant finishedAt, String device)
        implements Serializable {
}
