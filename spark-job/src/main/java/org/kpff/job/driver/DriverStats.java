package org.kpff.job.driver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The driver's own cost in one attempt, apart from training: the time its cell source spent deciding (asking for the
 * next cell, hearing how one ended: a search's scheduler and journal), the time spent committing cells, each cell's
 * overhead (what the driver waited for a cell beyond the executor's own wall time of its task: job submission, task
 * launch, result transfer and the commit) and the time the summary took at the end. Recorded in the attempt's entry
 * of run.json as {@code driver} ({@link #write}) and logged once when the attempt ends. Updated from the cell
 * threads; totals are exact, not sampled.
 */
final class DriverStats {

    private final LongAdder decisionNanos = new LongAdder();
    private final AtomicLong decisionMaxNanos = new AtomicLong();
    private final LongAdder decisionCalls = new LongAdder();
    private final LongAdder commitNanos = new LongAdder();
    private final LongAdder commits = new LongAdder();
    private final LongAdder overheadNanos = new LongAdder();
    private final LongAdder cellsTimed = new LongAdder();
    private volatile long summaryNanos = -1;

    /** One call into the cell source ({@code next} or {@code finished}) took this long. */
    void decided(long nanos) {
        decisionNanos.add(nanos);
        decisionCalls.increment();
        decisionMaxNanos.accumulateAndGet(nanos, Math::max);
    }

    /** One cell's commit (all its attempts) took this long. */
    void committed(long nanos) {
        commitNanos.add(nanos);
        commits.increment();
    }

    /**
     * A committed cell took {@code driverNanos} as the driver saw it (from handing it to Spark to the end of its
     * commit) and {@code executorSeconds} of task wall time on its executor; the difference, never below zero (the
     * two clocks are different machines'), is its overhead.
     */
    void cellEnded(long driverNanos, double executorSeconds) {
        overheadNanos.add(Math.max(0, driverNanos - Math.round(executorSeconds * 1e9)));
        cellsTimed.increment();
    }

    /** The summary (aggregation, plots and the source's own outputs) took this long. */
    void summarized(long nanos) {
        summaryNanos = nanos;
    }

    /** Calls into the cell source so far. */
    long decisionCalls() {
        return decisionCalls.sum();
    }

    /** Cells whose overhead was measured so far. */
    long cellsTimed() {
        return cellsTimed.sum();
    }

    /**
     * Writes the totals into {@code attempt.driver}: {@code cells} (committed cells timed), {@code
     * cell_overhead_seconds} and {@code commit_seconds} (sums over those cells), {@code decisions} (calls into the
     * cell source), {@code decision_seconds} (their sum) and {@code decision_max_ms} (the longest one), and {@code
     * summary_seconds} (absent when the attempt did not reach its summary).
     */
    void write(ObjectNode attempt) {
        ObjectNode d = attempt.putObject("driver");
        d.put("cells", cellsTimed.sum());
        d.put("cell_overhead_seconds", overheadNanos.sum() / 1e9);
        d.put("commit_seconds", commitNanos.sum() / 1e9);
        d.put("decisions", decisionCalls.sum());
        d.put("decision_seconds", decisionNanos.sum() / 1e9);
        d.put("decision_max_ms", decisionMaxNanos.get() / 1e6);
        if (summaryNanos >= 0) {
            d.put("summary_seconds", summaryNanos / 1e9);
        }
    }

    /** One line for the log: per-cell overhead and commit, decision time, summary time. */
    String describe() {
        long cells = Math.max(1, cellsTimed.sum());
        return String.format(Locale.ROOT, "%d cells, driver overhead %.3f s per cell (commit %.3f s), %d source "
                + "decisions in %.3f s (longest %.1f ms), summary %s", cellsTimed.sum(),
                overheadNanos.sum() / 1e9 / cells, commitNanos.sum() / 1e9 / Math.max(1, commits.sum()),
                decisionCalls.sum(), decisionNanos.sum() / 1e9, decisionMaxNanos.get() / 1e6,
                summaryNanos < 0 ? "not reached" : String.format(Locale.ROOT, "%.2f s", summaryNanos / 1e9));
    }
}
