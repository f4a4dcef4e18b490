package org.kpff.job.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.SortedMap;
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
import org.kpff.job.search.SearchTrials;
import org.kpff.job.testing.LocalSpark;

/**
 * A tpe search on a real local Spark with a generated dataset: its start-up trials are random search's, the next
 * are proposed from their scores, and a search interrupted mid-way resumes to the same trials and decisions without
 * training a committed cell again.
 */
class TpeSearchEndToEndTest {

    static final int FOLDS = 2;

    @TempDir
    static Path tmp;
    static SparkSession spark;
    static String data;

    /** The class's local Spark and its synthetic scenes. */
    @RegisterExtension
    static final LocalSpark SPARK = LocalSpark.master("local[2,2]").withScenes(3, 16, 16, 3);

    @BeforeAll
    static void bindSpark() {
        spark = SPARK.session();
        data = SPARK.data();
    }

    /** Four one-epoch trials of tiny AlexNet/KPFF cells over a log-uniform learning rate; two start-up trials. */
    static JobConfig tpe(int seed) {
        return JobConfig.parse("search { strategy = tpe, trials = 4, seed = " + seed + ", tpe { startup-trials = 2, "
                + "in-flight = 1 }, space { \"train.learning-rate\" = { log-uniform = [1e-4, 0.1] } } }", "test.conf",
                List.of("data.input-size=16", "data.folds=" + FOLDS, "model.width=0.125", "model.projection-width=8",
                        "train.batch-size=8", "eval.every=1", "model.backbones=[alexnet]", "model.methods=[kpff]",
                        "train.epochs=1"));
    }

    static List<SortedMap<String, String>> journalTrials(String out) throws Exception {
        return DecisionJournal.read(out + "/decisions.json", new org.apache.hadoop.conf.Configuration()).orElseThrow()
                .trials();
    }

    @Test
    void tpeStartsWithRandomSearchsTrialsProposesTheRestAndResumesToTheSameTrials() throws Exception {
        JobConfig config = tpe(11);
        String out = tmp.resolve("tpe").toUri().toString();
        SearchReport r = new SearchJob(spark).search(config, data, out, false, List.of("search"));
        assertEquals(4, r.trials(), r.markdown());
        assertEquals(4 * FOLDS, r.cellsRun());
        assertEquals(4 * FOLDS, r.epochCells());
        assertEquals(4, r.completed() + r.failed(), r.markdown());
        List<SortedMap<String, String>> points = journalTrials(out);
        assertEquals(4, points.size());
        List<SortedMap<String, String>> random = SearchTrials.points(JobConfig.parse("search { strategy = random, "
                + "trials = 4, seed = 11, space { \"train.learning-rate\" = { log-uniform = [1e-4, 0.1] } } }",
                "test.conf", List.of("model.backbones=[alexnet]", "model.methods=[kpff]")).search());
        // Trials 0 and 1 learn from fewer than 2 results: random search's; 2 and 3 are TPE's proposals.
        assertEquals(random.subList(0, 2), points.subList(0, 2));
        assertNotEquals(random.get(2), points.get(2));
        assertNotEquals(random.get(3), points.get(3));
        assertTrue(r.markdown().contains("Strategy **tpe**") && r.markdown().contains("proposed by TPE"),
                r.markdown());
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            var s = c.createStatement();
            var rs = s.executeQuery("SELECT count(DISTINCT hp['train.learning-rate'][1]) FROM read_parquet('"
                    + Path.of(java.net.URI.create(out)) + "/cells/*/*.parquet')");
            rs.next();
            assertEquals(4, rs.getLong(1));
        }

        // The same search, interrupted after 3 committed cells, then resumed: the same trials and decisions.
        String out2 = tmp.resolve("tpe-resumed").toUri().toString();
        try (var faults = FaultInjection.install(ScriptedFaults.stopAfterCells(3))) {
            assertThrows(IllegalStateException.class,
                    () -> new SearchJob(spark).search(config, data, out2, false, List.of("search")));
        }
        long committedBefore;
        try (var s = Files.list(Path.of(java.net.URI.create(out2)).resolve("cells"))) {
            committedBefore = s.count();
        }
        assertTrue(committedBefore >= 3 && committedBefore < 4 * FOLDS, "committed before: " + committedBefore);
        SearchReport resumed = new SearchJob(spark).search(config, data, out2, true, List.of("search", "--resume"));
        assertEquals(committedBefore, resumed.cellsRestored());
        assertEquals(4 * FOLDS - committedBefore, resumed.cellsRun(), "no committed cell trained again");
        assertEquals(points, journalTrials(out2));
        assertEquals(r.decisions(), resumed.decisions());
        assertEquals(r.best().trial(), resumed.best().trial());
        assertEquals(r.best().meanAccuracy(), resumed.best().meanAccuracy());
    }
}
