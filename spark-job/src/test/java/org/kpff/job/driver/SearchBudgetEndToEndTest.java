package org.kpff.job.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.kpff.job.config.JobConfig;
import org.kpff.job.fault.FaultInjection;
import org.kpff.job.fault.ScriptedFaults;
import org.kpff.job.search.DecisionJournal;
import org.kpff.job.search.SearchJob;
import org.kpff.job.search.SearchReport;
import org.kpff.job.testing.LocalSpark;

/**
 * search.budget on a real local Spark with a generated dataset: a random search of many trials stops starting them
 * when the next would pass the budget, spends no more epoch-cells than the budget, runs more trials with a larger
 * one, and a budgeted ASHA search interrupted mid-way resumes to the same decisions within the same budget.
 */
class SearchBudgetEndToEndTest {

    static final int FOLDS = 2;

    @TempDir
    static Path tmp;
    static SparkSession spark;
    static String data;

    /** The class's local Spark and its synthetic scenes. */
    @RegisterExtension
    static final LocalSpark SPARK = LocalSpark.master("local[2,2]").withScenes(3, 12, 16, 3);

    @BeforeAll
    static void bindSpark() {
        spark = SPARK.session();
        data = SPARK.data();
    }

    static JobConfig tiny(String search, int epochs) {
        return tiny(search, epochs, FOLDS);
    }

    static JobConfig tiny(String search, int epochs, int folds) {
        List<String> o = new ArrayList<>(List.of("data.input-size=16", "data.folds=" + folds, "model.width=0.125",
                "model.projection-width=8", "train.batch-size=8", "eval.every=1", "model.backbones=[alexnet]",
                "model.methods=[kpff]", "train.epochs=" + epochs));
        return JobConfig.parse("search { " + search + ", space { \"train.learning-rate\" = { log-uniform = "
                + "[1e-4, 0.1] } } }", "test.conf", o);
    }

    @Test
    void aRandomSearchSpendsAtMostItsBudgetAndALargerBudgetRunsMoreTrials() throws Exception {
        // 20 one-epoch trials on 2 folds cost 2 epoch-cells each: a budget of 5 affords 2 trials, 9 affords 4.
        SearchReport small = new SearchJob(spark).search(tiny("strategy = random, trials = 20, seed = 3, budget = 5",
                1), data, tmp.resolve("b5").toUri().toString(), false, List.of("search"));
        SearchReport large = new SearchJob(spark).search(tiny("strategy = random, trials = 20, seed = 3, budget = 9",
                1), data, tmp.resolve("b9").toUri().toString(), false, List.of("search"));
        assertEquals(List.of(2, 4L, 4, 8L), List.of(small.trials(), small.epochCells(), large.trials(),
                large.epochCells()));
        assertEquals(0, small.unfinished() + large.unfinished(), small.markdown());
        assertTrue(small.markdown().contains("Budget: **4** of 5 epoch-cells spent by the search over all folds, 2 "
                + "trials started"), small.markdown());
        assertEquals("Budget: 8 of 9 epoch-cells spent by the search over all folds (4 trials started).",
                large.budget());
        // The same first trials: the budget takes random search's first draws.
        assertEquals(small.decisions().subList(0, 2).stream().map(d -> d.trial()).toList(), List.of(0, 1));
    }

    @Test
    void aBudgetedAshaSearchInterruptedMidWayResumesToTheSameDecisions() throws Exception {
        // Rungs at 1 and 3 epochs: a trial's first rung reserves 2, a promotion 4, and 4 are kept back for a climb.
        JobConfig config = tiny("strategy = asha, trials = 30, seed = 5, eta = 3, min-epochs = 1, budget = 16", 3);
        String out = tmp.resolve("asha").toUri().toString();
        SearchReport whole = new SearchJob(spark).search(config, data, out, false, List.of("search"));
        assertTrue(whole.epochCells() <= 16, whole.markdown());
        assertTrue(whole.completed() >= 1, whole.markdown());
        assertEquals(0, whole.unfinished());

        String out2 = tmp.resolve("asha-resumed").toUri().toString();
        try (var faults = FaultInjection.install(ScriptedFaults.stopAfterCells(4))) {
            assertThrows(IllegalStateException.class,
                    () -> new SearchJob(spark).search(config, data, out2, false, List.of("search")));
        }
        DecisionJournal.Budget recorded = DecisionJournal.read(out2 + "/decisions.json",
                new org.apache.hadoop.conf.Configuration()).orElseThrow().budget();
        assertEquals(16, recorded.epochCells());
        assertTrue(recorded.started() >= 2, recorded.toString());
        long committed;
        try (var s = Files.list(Path.of(java.net.URI.create(out2)).resolve("cells"))) {
            committed = s.count();
        }
        SearchReport resumed = new SearchJob(spark).search(config, data, out2, true, List.of("search", "--resume"));
        assertEquals(committed, resumed.cellsRestored());
        assertEquals(whole.decisions(), resumed.decisions());
        assertEquals(whole.epochCells(), resumed.epochCells());
        assertEquals(whole.trials(), resumed.trials());
    }

    @Test
    void aBudgetedNestedSearchRefitsEveryOuterFoldsWinner() throws Exception {
        // An inner study can end in next(), when its budget closes admission and stops the waiting trials, not only
        // when a cell finishes: its refit must still run (it did not, and the nested estimate read "0 of 3").
        JobConfig config = tiny("strategy = asha, nested = true, trials = 30, seed = 5, eta = 3, min-epochs = 1, "
                + "budget = 14", 3, 3);
        SearchReport r = new SearchJob(spark).search(config, data, tmp.resolve("nested").toUri().toString(), false,
                List.of("search"));
        assertEquals(3, r.nested().size(), r.markdown());
        assertTrue(r.markdown().contains("over 3 of 3 outer folds"), r.markdown());
        assertEquals(0, r.unfinished(), r.markdown());
    }
}
