package org.kpff.job.search;

import java.util.List;
import org.kpff.job.results.NestedRow;
import org.kpff.job.results.TrialRow;

/**
 * What a search attempt did. Trial counts are those of the search over all folds; epoch-cells count every study and
 * refit.
 *
 * @param trials         trials of the search
 * @param completed      trials trained to the last rung
 * @param stopped        trials stopped by successive halving
 * @param failed         trials with a deterministically failed cell
 * @param unfinished     trials (of any study) neither completed, stopped nor failed, plus refits not yet done
 *                       (rerun with --resume)
 * @param cellsRun       cells this attempt trained (ok, failed or incomplete)
 * @param cellsRestored  cells committed by earlier attempts and replayed
 * @param incomplete     cells whose Spark job failed after all retries
 * @param epochCells     epoch-cells of the whole search so far
 * @param fullEpochCells epoch-cells of training every trial of every study to the end on every fold (and refits)
 * @param best           the best trial's row (search over all folds), or null when no trial has a score
 * @param decisions      every decision of the search over all folds, in the order made
 * @param nested         one row per outer fold of a nested search; empty when not nested
 * @param warnings       noisy-rung warnings
 * @param markdown       search.md
 * @param pruned         trials of the search over all folds stopped by fold-level pruning
 * @param savedEpochCells epoch-cells fold-level pruning saved (every study): pruned trials' cells never started
 * @param budget         with search.budget, the epoch-cells each search spent of it, as a sentence; else null
 */
public record SearchReport(int trials, int completed, int stopped, int failed, int unfinished, int cellsRun,
        int cellsRestored, int incomplete, long epochCells, long fullEpochCells, TrialRow best,
        List<Decision> decisions, List<NestedRow> nested, List<String> warnings, String markdown, int pruned,
        long savedEpochCells, String budget) {

    /** Copies the lists. */
    public SearchReport {
        decisions = List.copyOf(decisions);
        nested = List.copyOf(nested);
        warnings = List.copyOf(warnings);
    }

    /** The same report with the executor's cell counts. */
    SearchReport withCells(int run, int incompleteCells) {
        return new SearchReport(trials, completed, stopped, failed, unfinished, run, cellsRestored, incompleteCells,
                epochCells, fullEpochCells, best, decisions, nested, warnings, markdown, pruned, savedEpochCells, budget);
    }
}
