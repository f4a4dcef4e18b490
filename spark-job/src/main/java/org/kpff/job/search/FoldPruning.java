package org.kpff.job.search;

import java.util.List;
import java.util.Objects;

/**
 * Fold-level pruning inside a rung: the pruner the scheduler asks, for the trial next in a rung's entry order,
 * whether its completed folds show it worse than the rung's incumbent ({@link FoldPruner}).
 *
 * <p>The incumbent is the best trial (highest fold-mean, ties lower id) among the entrants of the rung before it,
 * all of whose results are in by then (the scheduler takes a rung's trials in entry order). The looks are taken in
 * fold order: after folds 0 .. m − 1 for m = 2, ..., k − 1, each on those folds of the trial and the incumbent, and
 * the first look that prunes decides. So the decision is a function of the results alone, never of when they
 * arrived, and a resumed search reaches it again; a trial whose later folds had already started (or finished) is
 * pruned all the same, but only its cells not yet started are saved. With all folds of a rung started at once
 * (slots ≥ folds), pruning saves little: it saves most when trials wait for slots.
 */
public final class FoldPruning {

    private final FoldPruner pruner;
    private final int folds;

    /**
     * @param pruner the test
     * @param folds  the folds of a rung (k)
     */
    public FoldPruning(FoldPruner pruner, int folds) {
        this.pruner = Objects.requireNonNull(pruner, "pruner");
        this.folds = folds;
    }

    /**
     * The number of completed folds after which the trial is pruned at the rung, or 0 to keep it (for now: the
     * scheduler asks again as its folds complete).
     *
     * @param before the entrants of the rung before the trial, all with their results
     */
    int look(SearchScheduler s, int trial, int rung, List<Integer> before) {
        int incumbent = -1;
        for (int t : before) {
            double m = s.foldMean(t, rung);
            double best = incumbent < 0 ? Double.NaN : s.foldMean(incumbent, rung);
            if (!Double.isNaN(m) && (incumbent < 0 || m > best || m == best && t < incumbent)) {
                incumbent = t;
            }
        }
        if (incumbent < 0) {
            return 0;
        }
        double[] mine = new double[folds];
        double[] theirs = new double[folds];
        for (int m = 1; m < folds; m++) {
            FoldResult r = s.result(new Segment(trial, rung, m - 1));
            if (r == null || !r.ok()) {
                return 0;
            }
            mine[m - 1] = r.accuracy();
            theirs[m - 1] = s.result(new Segment(incumbent, rung, m - 1)).accuracy();
            if (m >= 2 && pruner.test(java.util.Arrays.copyOf(mine, m), java.util.Arrays.copyOf(theirs, m)).prune()) {
                return m;
            }
        }
        return 0;
    }
}
