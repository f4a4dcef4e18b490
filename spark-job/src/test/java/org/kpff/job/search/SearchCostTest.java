package org.kpff.job.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kpff.job.config.JobConfig;

/** The epoch-cells a search will train, worked by hand for an ASHA and a nested grid search. */
class SearchCostTest {

    static JobConfig config(String search, String... more) {
        return JobConfig.parse("model { backbones = [alexnet], methods = [kpff] }\nsearch { " + search + " }",
                "test.conf", List.of(more));
    }

    @Test
    void ashaPromotesAThirdPerRungAndNestingAddsKInnerSearchesOnKMinusOneFoldsAndKRefits() {
        // 9 trials, rungs at 1, 3, 9 epochs: 9 x 1 + 3 x 2 + 1 x 6 = 21 epoch-cells per fold; 3 folds.
        JobConfig c = config("strategy = asha, eta = 3, min-epochs = 1, nested = true, space { \"train.dropout\" = "
                + "[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] }", "train.epochs=9", "data.folds=3");
        SearchCost cost = SearchCost.of(c);
        assertEquals(new SearchCost(9, 3, 63, 3 * 2 * 21, 3 * 9, 9 * 9 * 3 + 3 * 9 * 9 * 2 + 27,
                3 * 13 + 3 * 2 * 13 + 3), cost);
        assertEquals(63 + 126 + 27, cost.total());
        assertTrue(cost.toText(true).startsWith("Search: 9 trials x 3 folds: 63 epoch-cells; nested: + 3 inner "
                + "searches on 2 folds each (126) + 3 refits (27) = 216 epoch-cells, 3.4 x the search alone; 120 "
                + "cells; every trial to the end: 756 epoch-cells."), cost.toText(true));
        // A budget of 50 epoch-cells per search caps the search (63) and each inner search (42): 50 + 3 x 42 + 27.
        assertTrue(cost.toText(true, 50).endsWith("search.budget = 50 epoch-cells per search (4 searches): at most 203 "
                + "epoch-cells in all; trials start while they fit, so fewer than 9 may run.\n"), cost.toText(true, 50));
        assertEquals(cost.toText(true), cost.toText(true, 0));
    }

    @Test
    void aGridSearchTrainsEveryTrialToItsOwnEpochs() {
        JobConfig c = config("strategy = grid, space { \"train.epochs\" = [2, 4] }", "data.folds=5");
        assertEquals(new SearchCost(2, 5, 30, 0, 0, 30, 10), SearchCost.of(c));
    }

    @Test
    void tpeWithRungsCostsWhatAshaCostsAndWithoutRungsEveryTrialToTheEnd() {
        String space = "space { \"train.dropout\" = { uniform = [0.1, 0.9] } }";
        // BOHB: 9 trials on rungs at 1, 3, 9 epochs, as asha: 21 epoch-cells per fold, 13 cells per fold.
        JobConfig bohb = config("strategy = tpe, trials = 9, tpe.startup-trials = 3, eta = 3, min-epochs = 1, "
                + space, "train.epochs=9", "data.folds=3");
        assertEquals(new SearchCost(9, 3, 63, 0, 0, 9 * 9 * 3, 3 * 13), SearchCost.of(bohb));
        // Plain TPE (min-epochs = train.epochs: one rung): 9 trials x 9 epochs on 3 folds.
        JobConfig tpe = config("strategy = tpe, trials = 9, tpe.startup-trials = 3, min-epochs = 9, " + space,
                "train.epochs=9", "data.folds=3");
        assertEquals(new SearchCost(9, 3, 243, 0, 0, 243, 27), SearchCost.of(tpe));
    }

    @Test
    void hyperbandCostsEachBracketFromItsFirstRung() {
        // 17 trials on rungs 1, 3, 9 dealt 9 : 5 : 3. Per fold: bracket 0 9 x 1 + 3 x 2 + 1 x 6 = 21; bracket 1 from
        // 3 epochs 5 x 3 + 1 x 6 = 21; bracket 2 3 x 9 = 27 (Li et al.'s brackets cost about the same). 2 folds.
        JobConfig c = config("strategy = hyperband, trials = 17, eta = 3, min-epochs = 1, space { \"train.dropout\" = "
                + "{ uniform = [0.1, 0.9] } }", "train.epochs=9", "data.folds=2");
        assertEquals(new SearchCost(17, 2, 2 * (21 + 21 + 27), 0, 0, 2 * 17 * 9, 2 * (13 + 6 + 3)), SearchCost.of(c));
    }
}
