package org.kpff.job.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.kpff.job.config.JobConfig;
import org.kpff.job.fault.FaultInjection;
import org.kpff.job.fault.ScriptedFaults;
import org.kpff.job.search.Action;
import org.kpff.job.search.Decision;
import org.kpff.job.search.SearchJob;
import org.kpff.job.search.SearchReport;
import org.kpff.job.testing.LocalSpark;

/**
 * A hyperband search on a real local Spark with a generated dataset: trials dealt to two brackets, the exact cells
 * and epoch-cells, bracket fields in decisions.json and a line per bracket in search.md, and a search interrupted
 * mid-way resuming to the same decisions without training a committed cell again.
 */
class HyperbandEndToEndTest {

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

    /** 5 trials, rungs at 1 and 3 epochs: brackets of 3 trials from 1 epoch and 2 from 3 epochs (Li et al.). */
    static JobConfig hyperband() {
        return JobConfig.parse("search { strategy = hyperband, trials = 5, seed = 4, eta = 3, min-epochs = 1, space { "
                + "\"train.learning-rate\" = { log-uniform = [1e-4, 0.1] } } }", "test.conf", List.of(
                        "data.input-size=16", "data.folds=" + FOLDS, "model.width=0.125", "model.projection-width=8",
                        "train.batch-size=8", "eval.every=1", "model.backbones=[alexnet]", "model.methods=[kpff]",
                        "train.epochs=3"));
    }

    @Test
    void twoBracketsTrainExactlyTheirCellsAndAnInterruptedSearchResumesToTheSameDecisions() throws Exception {
        JobConfig config = hyperband();
        String out = tmp.resolve("hb").toUri().toString();
        SearchReport r = new SearchJob(spark).search(config, data, out, false, List.of("search"));
        // Trials 0, 2, 4 in bracket 0 (1 epoch; the best of them on to 3), trials 1, 3 in bracket 1 (3 epochs): per
        // fold 3 x 1 + 1 x 2 + 2 x 3 = 11 epoch-cells and 3 + 1 + 2 = 6 cells, unless a trial failed.
        assertEquals(5, r.trials());
        assertEquals(0, r.failed(), r.markdown());
        assertEquals(FOLDS * 6, r.cellsRun());
        assertEquals(FOLDS * 11, r.epochCells());
        assertEquals(3, r.completed(), r.markdown());
        for (Decision d : r.decisions()) {
            assertEquals(d.trial() % 2, d.bracket(), d.toString());
        }
        assertEquals(2, r.decisions().stream().filter(d -> d.bracket() == 1 && d.action() == Action.COMPLETE).count());
        String journal = Files.readString(Path.of(java.net.URI.create(out)).resolve("decisions.json"));
        assertTrue(journal.contains("\"bracket\" : 1"), journal);
        assertTrue(r.markdown().contains("- bracket 1: starts at 3 epochs (rungs [3]); 2 trials, 2 reached 3 epochs; "
                + FOLDS * 6 + " epoch-cells"), r.markdown());
        assertTrue(r.markdown().contains("- bracket 0: starts at 1 epochs (rungs [1, 3]); 3 trials, 1 reached 3 "
                + "epochs; " + FOLDS * 5 + " epoch-cells"), r.markdown());

        String out2 = tmp.resolve("hb-resumed").toUri().toString();
        try (var faults = FaultInjection.install(ScriptedFaults.stopAfterCells(3))) {
            assertThrows(IllegalStateException.class,
                    () -> new SearchJob(spark).search(config, data, out2, false, List.of("search")));
        }
        long committed;
        try (var s = Files.list(Path.of(java.net.URI.create(out2)).resolve("cells"))) {
            committed = s.count();
        }
        SearchReport resumed = new SearchJob(spark).search(config, data, out2, true, List.of("search", "--resume"));
        assertEquals(committed, resumed.cellsRestored());
        assertEquals(FOLDS * 6 - committed, resumed.cellsRun(), "no committed cell trained again");
        assertEquals(r.decisions(), resumed.decisions());
        assertEquals(r.best().trial(), resumed.best().trial());
    }
}
