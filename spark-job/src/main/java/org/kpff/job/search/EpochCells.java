package org.kpff.job.search;

/**
 * A search's cost in epoch-cells (one epoch of one cell): each finished cell of rung k counts the epochs from the
 * previous rung's end (its checkpoint) to its own, once however many task attempts it took; and what fold-level
 * pruning saved, the same count over the pruned trials' cells that never started at the rung they were pruned at.
 */
public final class EpochCells {

    private EpochCells() {
    }

    /** Epoch-cells a trial's finished (ok or failed) cells trained. */
    public static long of(SearchScheduler s, int trial, int folds) {
        long n = 0;
        for (int k = 0; k < s.rungs(); k++) {
            for (int f = 0; f < folds; f++) {
                n += s.result(new Segment(trial, k, f)) == null ? 0 : step(s, trial, k);
            }
        }
        return n;
    }

    /** Epoch-cells of all trials. */
    public static long of(SearchScheduler s, int folds) {
        long n = 0;
        for (int t = 0; t < s.trials(); t++) {
            n += of(s, t, folds);
        }
        return n;
    }

    /** Epoch-cells fold-level pruning saved: the pruned trials' cells never started at their pruning rung. */
    public static long saved(SearchScheduler s, int folds) {
        long n = 0;
        for (Decision d : s.decisions()) {
            if (d.action() == Action.PRUNE) {
                for (int f = 0; f < folds; f++) {
                    n += s.started(new Segment(d.trial(), d.rung(), f)) ? 0 : step(s, d.trial(), d.rung());
                }
            }
        }
        return n;
    }

    private static long step(SearchScheduler s, int trial, int rung) {
        return s.epochs(trial, rung) - (rung == s.bracket(trial) ? 0 : s.epochs(trial, rung - 1));
    }
}
