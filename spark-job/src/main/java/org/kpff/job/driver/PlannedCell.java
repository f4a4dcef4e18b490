package org.kpff.job.driver;

import java.util.Objects;
import org.kpff.job.plan.GridCell;

/**
 * A cell the driver is to run, with where it checkpoints: a plain cell checkpoints under its own id; the rungs of
 * a successive-halving trial share one folder per trial and fold, and checkpoint even with {@code run.checkpoint =
 * false} (every cell checkpoints its last epoch), so that a promotion continues training instead of starting again.
 *
 * @param cell           the cell (its hyperparameter point gives its epochs)
 * @param checkpointName the folder name under {@code checkpoints/}
 * @param alwaysCheckpoint whether the cell must checkpoint whatever {@code run.checkpoint} says (ASHA rungs)
 */
public record PlannedCell(GridCell cell, String checkpointName, boolean alwaysCheckpoint) {

    /** Checks for nulls. */
    public PlannedCell {
        Objects.requireNonNull(cell, "cell");
        Objects.requireNonNull(checkpointName, "checkpointName");
    }

    /** A plain cell: checkpoints under its own id when {@code run.checkpoint} is on. */
    public static PlannedCell of(GridCell cell) {
        return new PlannedCell(cell, cell.id(), false);
    }
}
