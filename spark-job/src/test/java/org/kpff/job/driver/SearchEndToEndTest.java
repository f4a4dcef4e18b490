package org.kpff.job.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.kpff.job.fault.ScriptedFaults;
import org.kpff.job.fault.FaultInjection;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.kpff.job.config.JobConfig;
import org.kpff.job.results.ResultSchemas;
import org.kpff.job.search.Decision;
import org.kpff.job.search.SearchJob;
import org.kpff.job.search.SearchReport;
import org.kpff.job.testing.LocalSpark;

/**
 * Searches on a real local Spark with a generated dataset: a grid search expands exactly; successive halving on a
 * space with a learning rate far too small, a good one and one far too large stops the bad ones at the first rung,
 * finds the good one, trains fewer epoch-cells than the grid, and an interrupted search resumes to the same
 * decisions without training a committed cell again. Tables are read back with DuckDB.
 */
class SearchEndToEndTest {

    static final int CLASSES = 3;
    static final int PER_CLASS = 16;
    static final int FOLDS = 2;
    static final String GOOD_LR = "0.003";

    @TempDir
    static Path tmp;
    static SparkSession spark;
    static String data;

    /** The class's local Spark and its synthetic scenes. */
    @RegisterExtension
    static final LocalSpark SPARK = LocalSpark.master("local[2,2]")
            .withScenes(CLASSES, PER_CLASS, 16, 3);

    @BeforeAll
    static void bindSpark() {
        spark = SPARK.session();
        data = SPARK.data();
    }

    /** Tiny AlexNet/KPFF cells on 16 px; a space of three learning rates: far too small, good, far too large. */
    static JobConfig tiny(String search, String... more) {
        List<String> o = new ArrayList<>(List.of("data.input-size=16", "data.folds=" + FOLDS, "model.width=0.125",
                "model.projection-width=8", "train.batch-size=8", "eval.every=1", "model.backbones=[alexnet]",
                "model.methods=[kpff]"));
        o.addAll(List.of(more));
        return JobConfig.parse("search { " + search + ", space { \"train.learning-rate\" = [1e-7, " + GOOD_LR
                + ", 30] } }", "test.conf", o);
    }

    static long count(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    static String table(String out, String name) {
        return "read_parquet('" + Path.of(java.net.URI.create(out)) + "/" + name + "/*/*.parquet')";
    }

    static String trials(String out) {
        return "read_parquet('" + Path.of(java.net.URI.create(out)) + "/trials/*.parquet')";
    }

    @Test
    void gridSearchExpandsExactlyAndWritesTrialsARankedSummaryAndARunnableBestConfig() throws Exception {
        String out = tmp.resolve("grid").toUri().toString();
        JobConfig config = tiny("strategy = grid", "train.epochs=3");
        SearchReport r = new SearchJob(spark).search(config, data, out, false, List.of("search"));
        assertEquals(3, r.trials());
        assertEquals(3 * FOLDS, r.cellsRun());
        assertEquals(3 * FOLDS * 3, r.epochCells());
        assertEquals(r.fullEpochCells(), r.epochCells());
        assertEquals(3, r.completed() + r.failed());
        assertEquals(0, r.stopped() + r.unfinished());
        assertEquals(GOOD_LR, r.best().hp().get("train.learning-rate"), r.markdown());
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            assertEquals(3 * FOLDS, count(c, "SELECT count(DISTINCT cell_id) FROM " + table(out, "cells")));
            // The cells are exactly the plain grid's: one per point and fold, hp = the point.
            assertEquals(3, count(c, "SELECT count(DISTINCT hp['train.learning-rate'][1]) FROM " + table(out, "cells")));
            assertEquals(0, count(c, "SELECT count(*) FROM " + table(out, "cells") + " WHERE cardinality(hp) <> 1"));
            assertEquals(3, count(c, "SELECT count(*) FROM " + trials(out)));
            assertEquals(1, count(c, "SELECT count(*) FROM " + trials(out) + " WHERE rank = 1 AND "
                    + "hp['train.learning-rate'][1] = '" + GOOD_LR + "' AND status = 'completed' AND epochs = 3"));
            assertEquals(3, count(c, "SELECT count(*) FROM " + trials(out) + " WHERE rung = 0 AND epoch_cells = 6"));
            assertColumns(c, trials(out));
        }
        Path root = Path.of(java.net.URI.create(out));
        String md = Files.readString(root.resolve("search.md"));
        assertTrue(md.contains("Strategy **grid**") && md.contains("| 1 | ") && md.contains("Best: trial"), md);
        JobConfig best = JobConfig.load(root.resolve("best.conf"), List.of());
        assertFalse(best.search().enabled());
        assertEquals(0.003, best.train().learningRate());
        assertEquals(3, best.train().epochs());
        assertEquals(data, best.data().uri());
        assertTrue(Files.readString(root.resolve("best.conf")).startsWith("# best.conf: the best trial of the grid"));
        assertTrue(Files.exists(root.resolve("summary.md")) && Files.exists(root.resolve("decisions.json")));
        assertFalse(Files.exists(root.resolve("_staging")), "a finished search keeps no empty _staging/");
    }

    @Test
    void ashaStopsTheBadLearningRatesEarlyFindsTheBestTrainsFewerEpochCellsAndResumesToTheSameDecisions()
            throws Exception {
        String search = "strategy = asha, eta = 3, min-epochs = 3, seed = 5";
        JobConfig config = tiny(search, "train.epochs=9");
        String out = tmp.resolve("asha").toUri().toString();
        SearchReport r = new SearchJob(spark).search(config, data, out, false, List.of("search"));
        // Rungs at 3 and 9 epochs. Rung 0: after all three results the best third (one trial) goes on to the full
        // budget; the other two stop (or fail) at rung 0.
        assertEquals(3, r.trials(), r.markdown());
        assertEquals(GOOD_LR, r.best().hp().get("train.learning-rate"), r.markdown());
        assertEquals(1, r.completed(), r.markdown());
        assertEquals(2, r.stopped() + r.failed(), r.markdown());
        assertEquals(1, r.best().rung());
        assertEquals(9, r.best().epochs());
        // Epoch-cells: 3 trials × 3 epochs + (9 − 3) for the good one, on 2 folds = 30; the grid: 54.
        assertEquals(FOLDS * (3 * 3 + 6), r.epochCells());
        assertEquals(FOLDS * 3 * 9, r.fullEpochCells());
        assertEquals(3 * FOLDS + FOLDS, r.cellsRun());
        Path root = Path.of(java.net.URI.create(out));
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            assertEquals(4 * FOLDS, count(c, "SELECT count(*) FROM " + table(out, "cells")));
            // The promoted rung continued from the previous rung's checkpoint instead of retraining.
            assertEquals(FOLDS, count(c, "SELECT count(*) FROM " + table(out, "cells") + " WHERE epochs = 9 AND "
                    + "resumed_from = 3 AND status = 'ok'"));
            // Epochs actually trained by the ok cells = the trials' epoch-cells (a failed cell records none).
            assertEquals(count(c, "SELECT sum(epoch_cells) FROM " + trials(out) + " WHERE status <> 'failed'"),
                    count(c, "SELECT sum(epochs - resumed_from) FROM " + table(out, "cells") + " WHERE status = 'ok'"));
            // The good trial's rung-2 cells have the whole learning curve, restored evaluations included.
            assertEquals(9 * FOLDS, count(c, "SELECT count(*) FROM " + table(out, "metrics")
                    + " WHERE hp['train.epochs'][1] = '9'"));
            assertEquals(2, count(c, "SELECT count(*) FROM " + trials(out) + " WHERE rung = 0 AND status IN "
                    + "('stopped', 'failed') AND epoch_cells = 6"));
            assertEquals(1, count(c, "SELECT count(*) FROM " + trials(out) + " WHERE rank = 1 AND rung = 1 AND "
                    + "status = 'completed' AND len(rung_accuracies) = 2 AND epoch_cells = 18"));
        }
        JobConfig best = JobConfig.load(root.resolve("best.conf"), List.of());
        assertEquals(0.003, best.train().learningRate());
        assertEquals(9, best.train().epochs());
        assertTrue(Files.readString(root.resolve("search.md")).contains("| 0 | 3 | 3 | 1 |"), r.markdown());
        assertTrue(r.markdown().contains("not nested") && r.markdown().contains("optimistic"), r.markdown());
        for (String png : List.of("search-history.png", "search-rungs.png")) {
            java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(root.resolve(png).toFile());
            assertEquals(900, image.getWidth(), png);
        }

        // best.conf reproduces the winning trial's cells bit for bit: same seeds, same batches, although the
        // search's cells trained 3 epochs, checkpointed, and continued to 9 at the next rung.
        String rerun = tmp.resolve("best-rerun").toUri().toString();
        JobDriver.Report again = new JobDriver(spark).run(best, best.data().uri(), rerun, false, List.of("run"));
        assertEquals(FOLDS, again.ok());
        String winning = table(out, "cells") + " WHERE hp['train.learning-rate'][1] = '" + GOOD_LR
                + "' AND hp['train.epochs'][1] = '9'";
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            assertEquals(FOLDS, count(c, "SELECT count(*) FROM (SELECT * FROM " + winning + ") s JOIN "
                    + table(rerun, "cells") + " b ON s.fold = b.fold WHERE s.seed = b.seed AND s.final_accuracy = "
                    + "b.final_accuracy AND s.confusion = b.confusion"));
            String winningPredictions = table(out, "predictions") + " WHERE hp['train.learning-rate'][1] = '"
                    + GOOD_LR + "' AND hp['train.epochs'][1] = '9'";
            long images = count(c, "SELECT count(*) FROM " + winningPredictions);
            assertEquals(CLASSES * PER_CLASS, images, "every image is held out once");
            assertEquals(images, count(c, "SELECT count(*) FROM (SELECT * FROM " + winningPredictions + ") s JOIN "
                    + table(rerun, "predictions") + " b ON s.fold = b.fold AND s.image = b.image WHERE "
                    + "s.predicted = b.predicted AND s.probabilities = b.probabilities"));
        }

        // The same search, interrupted after 3 committed cells (as if the driver died), then resumed.
        String out2 = tmp.resolve("asha-resumed").toUri().toString();
        try (var faults = FaultInjection.install(ScriptedFaults.stopAfterCells(3))) {
            IllegalStateException died = assertThrows(IllegalStateException.class,
                    () -> new SearchJob(spark).search(config, data, out2, false, List.of("search")));
            assertTrue(died.getMessage().contains("Stopped after 3 committed cells"), died.getMessage());
        }
        Path root2 = Path.of(java.net.URI.create(out2));
        long committedBefore;
        try (var s = Files.list(root2.resolve("cells"))) {
            committedBefore = s.count();
        }
        assertTrue(committedBefore >= 3 && committedBefore < 4 * FOLDS, "committed before: " + committedBefore);
        SearchReport resumed = new SearchJob(spark).search(config, data, out2, true, List.of("search",
                "--resume"));
        assertEquals(committedBefore, resumed.cellsRestored());
        assertEquals(4 * FOLDS - committedBefore, resumed.cellsRun(), "no committed cell trained again");
        assertEquals(perRung(r.decisions()), perRung(resumed.decisions()));
        assertEquals(r.epochCells(), resumed.epochCells());
        assertEquals(r.best().trial(), resumed.best().trial());
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            assertEquals(4 * FOLDS, count(c, "SELECT count(DISTINCT cell_id) FROM " + table(out2, "cells")));
            assertEquals(4 * FOLDS, count(c, "SELECT count(*) FROM " + table(out2, "cells")));
        }
        String journal = Files.readString(root2.resolve("decisions.json"));
        assertTrue(journal.contains("\"action\" : \"complete\""), journal);

        // A resumed search with another seed is refused (search keys are in a search's fingerprint).
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                () -> new SearchJob(spark).search(tiny(search.replace("seed = 5", "seed = 6"), "train.epochs=9"),
                        data, out2, true, List.of("search")));
        assertTrue(other.getMessage().contains("search.seed"), other.getMessage());
        // And a plain run refuses a search config.
        IllegalArgumentException plain = assertThrows(IllegalArgumentException.class,
                () -> new JobDriver(spark).run(config, data, tmp.resolve("never").toUri().toString(), false, List.of()));
        assertTrue(plain.getMessage().contains("search subcommand"), plain.getMessage());
    }

    @Test
    void aSearchOverFusionMethodsSearchesTheFusionInitOnlyWhereTheMethodIsKpff() throws Exception {
        JobConfig config = JobConfig.parse("search { strategy = grid, space { \"model.methods\" = [none, kpff], "
                + "\"model.fusion-init\" = { choice = [identity, add], when = { \"model.methods\" = kpff } } } }",
                "test.conf", List.of("data.input-size=16", "data.folds=" + FOLDS, "model.width=0.125",
                        "model.projection-width=8", "train.batch-size=8", "eval.every=1", "model.backbones=[alexnet]",
                        "model.methods=[kpff]", "train.epochs=1", "train.learning-rate=0.003"));
        String out = tmp.resolve("methods").toUri().toString();
        SearchReport r = new SearchJob(spark).search(config, data, out, false, List.of("search"));
        assertEquals(3, r.trials(), r.markdown());
        assertEquals(3 * FOLDS, r.cellsRun());
        assertTrue(r.markdown().contains("on alexnet / none, kpff"), r.markdown());
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            String cells = table(out, "cells");
            assertEquals(FOLDS, count(c, "SELECT count(*) FROM " + cells + " WHERE fusion = 'none' AND cardinality(hp)"
                    + " = 1 AND hp['model.methods'][1] = 'none'"));
            // The kpff cells start W as their point says; the none cells have no W and no fusion-init key.
            assertEquals(2 * FOLDS, count(c, "SELECT count(*) FROM " + cells + " WHERE fusion = 'kpff' AND "
                    + "hp['model.fusion-init'][1] = fusion_init AND learned_w IS NOT NULL"));
            assertEquals(3, count(c, "SELECT count(*) FROM " + trials(out)));
        }
        JobConfig best = JobConfig.load(Path.of(java.net.URI.create(out)).resolve("best.conf"), List.of());
        assertEquals(1, best.methods().size());
        assertEquals(r.best().hp().get("model.methods"), best.methods().get(0).id());
    }

    @Test
    void aSearchWhoseTrialsAllSitAtChanceWarnsThatItsChoiceIsNoise() throws Exception {
        // Two learning rates so small that one epoch leaves every trial at chance (1/3).
        JobConfig config = JobConfig.parse("search { strategy = grid, space { \"train.learning-rate\" = [1e-9, "
                + "2e-9] } }", "test.conf", List.of("data.input-size=16", "data.folds=" + FOLDS, "model.width=0.125",
                "model.projection-width=8", "train.batch-size=8", "eval.every=1", "model.backbones=[alexnet]",
                "model.methods=[kpff]", "train.epochs=1"));
        String out = tmp.resolve("noisy").toUri().toString();
        SearchReport r = new SearchJob(spark).search(config, data, out, false, List.of("search"));
        assertEquals(1, r.warnings().size(), r.markdown());
        assertTrue(r.warnings().get(0).contains("rung 0 (1 epochs) is at chance"), r.warnings().get(0));
        String md = Files.readString(Path.of(java.net.URI.create(out)).resolve("search.md"));
        assertTrue(md.contains("**Warning:** rung 0 (1 epochs) is at chance"), md);
    }

    static Map<Integer, List<String>> perRung(List<Decision> ds) {
        Map<Integer, List<String>> m = new java.util.TreeMap<>();
        for (Decision d : ds) {
            m.computeIfAbsent(d.rung(), k -> new ArrayList<>()).add(d.action().id() + " " + d.trial());
        }
        return m;
    }

    private static void assertColumns(Connection c, String source) throws Exception {
        List<String> actual = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("DESCRIBE SELECT * FROM " + source)) {
            while (r.next()) {
                actual.add(r.getString(1));
            }
        }
        assertEquals(java.util.Arrays.stream(ResultSchemas.TRIALS.fields()).map(f -> f.name()).toList(), actual);
    }
}
