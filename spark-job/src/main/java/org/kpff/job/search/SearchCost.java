package org.kpff.job.search;

import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import org.kpff.job.config.JobConfig;
import org.kpff.job.config.SearchConfig;
import org.kpff.job.config.SearchStrategy;

/**
 * What a search will train, in epoch-cells (one epoch of one cell), before it runs: the search over all folds, the
 * inner searches and refits of a nested search, and the ceiling of training every trial to the end.
 *
 * <p>ASHA's figure is its expected cost when no trial fails: rung r + 1 receives max(1, ⌊n_r / eta⌋) of the n_r
 * trials of rung r (the scheduler's rule), each training from the previous rung's epochs to its own; tpe with rungs
 * (BOHB) costs the same. With brackets (hyperband), each bracket is such a search from its first rung over the trials
 * dealt to it ({@link HyperbandBrackets#assign}). Grid and random train every trial to its own {@code train.epochs}; so does tpe without
 * rungs (its points are not known in advance, but train.epochs is not searched).
 *
 * @param trials      trials per study
 * @param folds       k
 * @param cv          epoch-cells of the search over all k folds
 * @param inner       epoch-cells of the k inner searches (each on k − 1 folds); 0 when not nested
 * @param refits      epoch-cells of the k refits; 0 when not nested
 * @param full        epoch-cells of training every trial of every study to the end on every fold, refits included
 * @param cells       cells (trial × rung × fold, and refits) the search will train
 */
public record SearchCost(int trials, int folds, long cv, long inner, long refits, long full, long cells) {

    /** The cost of a config's search. */
    public static SearchCost of(JobConfig config) {
        SearchConfig search = config.search();
        JobConfig cells = config.withoutSearch();
        boolean tpe = search.strategy() == SearchStrategy.TPE;
        List<SortedMap<String, String>> points = tpe ? java.util.Collections.nCopies(search.trials(),
                new java.util.TreeMap<>()) : SearchTrials.points(search);
        int k = config.data().folds();
        List<Integer> rungs = SearchTrials.rungs(search, config.train().epochs());
        long perFold = 0;
        long perFoldFull = 0;
        long cellsPerFold = 0;
        long maxEpochs = 0;
        if (search.successiveHalving() || rungs.size() > 1) {
            int brackets = search.bracketCount(rungs.size());
            long[] dealt = new long[brackets];
            int[] of = brackets == 1 ? new int[points.size()] : HyperbandBrackets.of(search.minEpochs(),
                    config.train().epochs(), search.eta(), brackets).assign(points.size());
            for (int b : of) {
                dealt[b]++;
            }
            for (int b = 0; b < brackets; b++) {
                // Bracket b's trials start at rung b from scratch.
                long entrants = dealt[b];
                for (int r = b; r < rungs.size() && entrants > 0; r++) {
                    perFold += entrants * (rungs.get(r) - (r == b ? 0 : rungs.get(r - 1)));
                    cellsPerFold += entrants;
                    entrants = Math.max(1, entrants / search.eta());
                }
            }
            maxEpochs = rungs.get(rungs.size() - 1);
            perFoldFull = points.size() * maxEpochs;
        } else {
            for (SortedMap<String, String> p : points) {
                int e = cells.withOverrides(p).train().epochs();
                perFold += e;
                maxEpochs = Math.max(maxEpochs, e);
            }
            perFoldFull = perFold;
            cellsPerFold = points.size();
        }
        boolean nested = search.nested();
        long inner = nested ? (long) k * (k - 1) * perFold : 0;
        long refits = nested ? k * maxEpochs : 0;
        long full = k * perFoldFull + (nested ? (long) k * (k - 1) * perFoldFull + refits : 0);
        long n = k * cellsPerFold + (nested ? (long) k * (k - 1) * cellsPerFold + k : 0);
        return new SearchCost(points.size(), k, k * perFold, inner, refits, full, n);
    }

    /** Epoch-cells in all. */
    public long total() {
        return cv + inner + refits;
    }

    /** The text {@code plan} prints for a search with a budget of epoch-cells per search (0: none). */
    public String toText(boolean nested, int budget) {
        String text = toText(nested);
        if (budget == 0) {
            return text;
        }
        int searches = nested ? folds + 1 : 1;
        long cap = Math.min(cv, budget) + (nested ? folds * Math.min(inner / folds, budget) + refits : 0);
        return text + String.format(Locale.ROOT, "search.budget = %,d epoch-cells per search (%d search%s): at most "
                + "%,d epoch-cells in all; trials start while they fit, so fewer than %d may run.%n", budget, searches,
                searches == 1 ? "" : "es", cap, trials);
    }

    /** The text {@code plan} prints. */
    public String toText(boolean nested) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "Search: %d trials x %d folds: %,d "
                + "epoch-cells", trials, folds, cv));
        if (nested) {
            sb.append(String.format(Locale.ROOT, "; nested: + %d inner searches on %d folds each (%,d) + %d refits "
                    + "(%,d) = %,d epoch-cells, %.1f x the search alone", folds, folds - 1, inner, folds, refits,
                    total(), cv == 0 ? 0.0 : total() / (double) cv));
        }
        sb.append(String.format(Locale.ROOT, "; %,d cells; every trial to the end: %,d epoch-cells.%n", cells, full));
        return sb.toString();
    }
}
