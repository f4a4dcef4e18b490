package org.kpff.job.search;

/**
 * The arithmetic of {@code search.budget}: how many epoch-cells ({@link EpochCells}) one search may spend, and what it
 * has reserved so far.
 *
 * <p><b>Reserved.</b> When a trial starts, the epoch-cells of its first rung on every fold are reserved; when it is
 * promoted, those of its next rung (from the rung's checkpoint: e_{k+1} − e_k per fold). A trial stopped inside a
 * rung (pruned) gives back its cells of that rung that never started. So reserved = spent (cells that ended) + what
 * the running and waiting cells of started and promoted trials will spend, each cell counted once however many task
 * attempts it takes; reserved never exceeds the budget, so neither does the spend.
 *
 * <p><b>Kept back.</b> With several rungs, the budget also keeps back what one trial needs to climb from the highest
 * rung any trial has entered to the last rung: folds × (e_last − e_frontier). A new trial starts only if its first
 * rung fits besides that; a promotion only if it fits besides what is kept back after it. A promotion that raises
 * the frontier is exactly what was kept back, so it always fits, and a budgeted search still trains at least one
 * trial to {@code train.epochs} (unless that trial fails), as ASHA does without a budget. Rung epochs of a
 * multi-rung search do not depend on the trial; a one-rung search keeps nothing back.
 */
final class EpochBudget {

    private final long limit;
    private final int folds;
    private final int last;
    private final RungEpochs epochs;
    private long reserved;
    private int frontier = -1;

    /**
     * @param limit  the budget in epoch-cells, at least 1
     * @param folds  folds per trial and rung
     * @param rungs  number of rungs
     * @param epochs epochs a trial has trained after each rung
     */
    EpochBudget(long limit, int folds, int rungs, RungEpochs epochs) {
        if (limit < 1) {
            throw new IllegalArgumentException("search.budget = " + limit + ": must be at least 1 epoch-cell");
        }
        this.limit = limit;
        this.folds = folds;
        this.last = rungs - 1;
        this.epochs = epochs;
    }

    /** The budget. */
    long limit() {
        return limit;
    }

    /** Epoch-cells reserved: spent plus what started and promoted trials' remaining cells will spend. */
    long reserved() {
        return reserved;
    }

    /** Epoch-cells kept back for one trial to climb from the rung {@code from} to the last. */
    long keptBack(int from) {
        return last == 0 || from >= last ? 0 : (long) folds * (epochs.epochs(0, last) - epochs.epochs(0, from));
    }

    /** Epoch-cells of one cell of the trial at the rung (from the previous rung's checkpoint, or from scratch). */
    long cell(int trial, int rung, int firstRung) {
        return epochs.epochs(trial, rung) - (rung == firstRung ? 0 : epochs.epochs(trial, rung - 1));
    }

    /** Whether the trial can start at its first rung. */
    boolean fitsStart(int trial, int firstRung) {
        return reserved + folds * cell(trial, firstRung, firstRung) + keptBack(Math.max(frontier, firstRung))
                <= limit;
    }

    /** Whether the trial can go on from {@code rung} (not its first, or its first: the step is the same). */
    boolean fitsPromotion(int trial, int rung, int firstRung) {
        return reserved + folds * cell(trial, rung + 1, firstRung) + keptBack(Math.max(frontier, rung + 1)) <= limit;
    }

    /** Reserves the trial's cells of a rung it enters (start or promotion), without a check. */
    void enter(int trial, int rung, int firstRung) {
        reserved += folds * cell(trial, rung, firstRung);
        frontier = Math.max(frontier, rung);
    }

    /** A cell that will never run (its trial was stopped inside the rung) gives back its epoch-cells. */
    void release(int trial, int rung, int firstRung) {
        reserved -= cell(trial, rung, firstRung);
    }

    /** A cell given back ran after all (a resumed search restored it): reserved again. */
    void unrelease(int trial, int rung, int firstRung) {
        reserved += cell(trial, rung, firstRung);
    }
}
