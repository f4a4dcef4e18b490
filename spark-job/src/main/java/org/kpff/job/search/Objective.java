package org.kpff.job.search;

import org.kpff.job.exec.CellRun;
import org.kpff.job.results.CellResult;

/**
 * What a search maximises, named once: the score of a cell as the scheduler, the trial rows, search.md and
 * best.conf all see it. A trial's score at a rung is the mean of its cells' scores over the folds.
 */
public enum Objective {
    /** Held-out accuracy after the cell's last epoch (the default; {@code final_accuracy} in cells/). */
    ACCURACY("accuracy", "held-out accuracy after the last epoch");

    private final String id;
    private final String description;

    Objective(String id, String description) {
        this.id = id;
        this.description = description;
    }

    /** The name used in files and logs. */
    public String id() {
        return id;
    }

    /** What one cell's score is, in words. */
    public String description() {
        return description;
    }

    /** The score of a cell the executor just ran: ok with its score, or failed with the reason. */
    public FoldResult of(CellRun run) {
        return run.ok() ? FoldResult.ok(run.outcome().finalAccuracy()) : FoldResult.failed(run.reason());
    }

    /** The score of a committed cell (resume). */
    public FoldResult of(CellResult cell) {
        return cell.ok() ? FoldResult.ok(cell.finalAccuracy()) : FoldResult.failed(cell.reason());
    }
}
