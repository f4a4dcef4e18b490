package org.kpff.job.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** How a search ranks its trials, and so which one it picks: the trial scored furthest, then the best score. */
public final class TrialRanking {

    private TrialRanking() {
    }

    /**
     * The trials of a scheduler ranked: first those with a fold-mean, by the highest rung they have one at, then that
     * fold-mean (higher first), then trial id; then the others by id.
     */
    public static List<Integer> of(SearchScheduler s) {
        List<Integer> ids = new ArrayList<>();
        for (int t = 0; t < s.trials(); t++) {
            ids.add(t);
        }
        ids.sort(Comparator.comparingInt((Integer t) -> -s.rungScored(t))
                .thenComparingDouble(t -> s.rungScored(t) < 0 ? 0 : -s.foldMean(t, s.rungScored(t)))
                .thenComparingInt(t -> t));
        return List.copyOf(ids);
    }
}
