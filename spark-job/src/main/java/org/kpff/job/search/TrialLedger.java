package org.kpff.job.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@link SearchScheduler} knows of its cells and trials: which cells started, are running or ended and with
 * what result, and each trial's status, fold-mean per rung and first failure.
 */
final class TrialLedger {

    private enum State { RUNNING, DONE, LOST }

    /** What is known of one trial. */
    private static final class Trial {
        /** Fold-mean accuracy per rung; NaN where the rung has none (not finished, or a fold failed). */
        final double[] foldMeans;
        TrialStatus status = TrialStatus.PENDING;
        /** The first failed fold's reason, or null. */
        String reason;

        Trial(int rungs) {
            foldMeans = new double[rungs];
            Arrays.fill(foldMeans, Double.NaN);
        }
    }

    private final int rungs;
    private final int folds;
    private final List<Trial> trials = new ArrayList<>();
    private final Map<Segment, State> states = new HashMap<>();
    private final Map<Segment, FoldResult> results = new HashMap<>();
    private int running;

    TrialLedger(int trials, int rungs, int folds) {
        this.rungs = rungs;
        this.folds = folds;
        for (int t = 0; t < trials; t++) {
            this.trials.add(new Trial(rungs));
        }
    }

    /** Whether a cell was ever started (or restored). */
    boolean known(Segment s) {
        return states.containsKey(s);
    }

    boolean isRunning(Segment s) {
        return states.get(s) == State.RUNNING;
    }

    /** Cells running now. */
    int running() {
        return running;
    }

    void start(Segment s) {
        states.put(s, State.RUNNING);
        running++;
    }

    /**
     * A cell ended (or was restored): with null (its Spark job failed after all retries) the trial is incomplete.
     */
    void ended(Segment s, FoldResult r) {
        if (states.get(s) == State.RUNNING) {
            running--;
        }
        if (r == null) {
            states.put(s, State.LOST);
            trials.get(s.trial()).status = TrialStatus.INCOMPLETE;
        } else {
            states.put(s, State.DONE);
            results.put(s, r);
        }
    }

    /** The result of a cell that ended (ok or failed), or null. */
    FoldResult result(Segment s) {
        return results.get(s);
    }

    TrialStatus status(int trial) {
        return trials.get(trial).status;
    }

    void status(int trial, TrialStatus s) {
        trials.get(trial).status = s;
    }

    /** True when all folds of the trial at the rung are ok, false when all are done and one failed, else null. */
    Boolean rungResult(int trial, int rung) {
        double sum = 0;
        boolean ok = true;
        Trial t = trials.get(trial);
        for (int f = 0; f < folds; f++) {
            FoldResult r = results.get(new Segment(trial, rung, f));
            if (r == null) {
                return null;
            }
            if (!r.ok()) {
                ok = false;
                if (t.reason == null) {
                    t.reason = "fold " + f + ": " + r.reason();
                }
            }
            sum += r.accuracy();
        }
        if (ok) {
            t.foldMeans[rung] = sum / folds;
        }
        return ok;
    }

    /** The trial's fold-mean accuracy at a rung; NaN when it has none there. */
    double foldMean(int trial, int rung) {
        return trials.get(trial).foldMeans[rung];
    }

    /** The highest rung at which the trial has a fold-mean accuracy, or −1 when it has none. */
    int rungScored(int trial) {
        for (int k = rungs - 1; k >= 0; k--) {
            if (!Double.isNaN(foldMean(trial, k))) {
                return k;
            }
        }
        return -1;
    }

    /** The fold accuracies of a trial at a rung, in fold order; empty unless every fold is ok. */
    List<Double> foldAccuracies(int trial, int rung) {
        List<Double> out = new ArrayList<>();
        for (int f = 0; f < folds; f++) {
            FoldResult r = results.get(new Segment(trial, rung, f));
            if (r == null || !r.ok()) {
                return List.of();
            }
            out.add(r.accuracy());
        }
        return out;
    }

    /** Why the trial failed (its first failed fold), or null. */
    String failureReason(int trial) {
        Trial t = trials.get(trial);
        return t.status == TrialStatus.FAILED ? t.reason : null;
    }
}
