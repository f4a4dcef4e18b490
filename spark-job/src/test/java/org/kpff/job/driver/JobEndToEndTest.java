package org.kpff.job.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.kpff.job.cli.Main;
import org.kpff.job.config.JobConfig;
import org.kpff.job.fault.FaultInjection;
import org.kpff.job.fault.ScriptedFaults;
import org.kpff.job.results.ResultSchemas;
import org.kpff.job.testing.LocalSpark;
import org.kpff.job.testing.ParquetSchemas;

/**
 * The whole job on a real local Spark with a generated dataset: exact row counts in every table, the schema read
 * back by DuckDB (a Parquet reader that is not Spark), resume, refusals, and a fault injected mid-cell.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JobEndToEndTest {

    /** 3 classes × 8 images, 2 folds → 12 held-out images per fold. */
    static final int CLASSES = 3;
    static final int PER_CLASS = 8;
    static final int IMAGES = CLASSES * PER_CLASS;

    @TempDir
    static Path tmp;
    static SparkSession spark;
    static String data;

    /** local[2, 2]: two task slots, and a failed task is retried once (as on a cluster). */
    @RegisterExtension
    static final LocalSpark SPARK = LocalSpark.master("local[2,2]")
            .withScenes(CLASSES, PER_CLASS, 16, 3);


    /** The smoke grid shrunk to seconds: 16 px, width 1/8, r 8, 2 epochs evaluated after each. */
    static JobConfig tiny(String... more) {
        List<String> o = new ArrayList<>(List.of("data.input-size=16", "data.folds=2", "model.width=0.125",
                "model.projection-width=8", "train.epochs=2", "train.batch-size=8", "eval.every=1",
                "model.backbones=[alexnet]", "train.learning-rate=0.003"));
        o.addAll(List.of(more));
        return JobConfig.loadResource(JobConfig.SMOKE_RESOURCE, o);
    }

    static long count(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    static String glob(String out, String table) {
        return "read_parquet('" + Path.of(java.net.URI.create(out)) + "/" + table + "/*/*.parquet')";
    }

    /** The grid of {@link #tiny()}: folds × methods, one backbone. */
    static final int CELLS = 2 * 4;

    /** The run the ordered cases read (and, from {@code @Order(2)} on, resume), made once for the class. */
    static String out;
    static Path root;
    static JobDriver.Report report;

    @BeforeAll
    static void runTheGrid() throws Exception {
        spark = SPARK.session();
        data = SPARK.data();
        out = tmp.resolve("run1").toUri().toString();
        root = Path.of(java.net.URI.create(out));
        report = new JobDriver(spark).run(tiny(), data, out, false, List.of("run"));
    }

    @Test
    @Order(1)
    void aRunTrainsAndCommitsEveryCellOnce() throws Exception {
        assertEquals(CELLS, report.planned());
        assertEquals(CELLS, report.ok());
        assertEquals(0, report.failed() + report.incomplete());
        assertTrue(report.summary().contains("KPFF") && report.summary().contains("AlexNet"), report.summary());
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            assertEquals(CELLS, count(c, "SELECT count(*) FROM " + glob(out, "cells")));
            assertEquals(CELLS, count(c, "SELECT count(DISTINCT cell_id) FROM " + glob(out, "cells")));
            assertEquals(CELLS, count(c, "SELECT count(*) FROM " + glob(out, "cells") + " WHERE status = 'ok'"));
            assertEquals(CELLS * 2, count(c, "SELECT count(*) FROM " + glob(out, "metrics")));
            assertEquals(CELLS * IMAGES / 2, count(c, "SELECT count(*) FROM " + glob(out, "predictions")));
            assertEquals(IMAGES, count(c, "SELECT count(*) FROM read_parquet('" + root + "/folds.parquet/*.parquet')"));
            assertEquals(IMAGES / 2, count(c, "SELECT count(*) FROM read_parquet('" + root
                    + "/folds.parquet/*.parquet') WHERE fold = 0"));
            assertEquals(0, count(c, "SELECT count(*) FROM " + glob(out, "cells") + " WHERE final_accuracy < 0 OR "
                    + "final_accuracy > 1 OR best_accuracy < final_accuracy"));
        }
    }

    @Test
    @Order(1)
    void theSummaryHasOneRowPerMethodAndEveryPairedComparison() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            assertEquals(4, count(c, "SELECT count(*) FROM read_parquet('" + root + "/summary.parquet/*.parquet')"));
            // Paired comparisons: add vs none; concat vs none, add; kpff vs none, add, concat.
            assertEquals(6, count(c, "SELECT count(*) FROM read_parquet('" + root + "/comparisons.parquet/*.parquet')"));
        }
    }

    @Test
    @Order(1)
    void onlyKpffCellsCarryALearnedWAndEveryCellItsConfusionMatrix() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            // Only KPFF cells carry a learned 3×3 W.
            assertEquals(2, count(c, "SELECT count(*) FROM " + glob(out, "cells") + " WHERE len(learned_w) = 9"));
            assertEquals(2, count(c, "SELECT count(*) FROM " + glob(out, "cells") + " WHERE learned_w IS NOT NULL"));
            // A 3 × 3 confusion matrix per cell counting its held-out half of the images; its trace is the correct
            // ones, so trace / images is the final accuracy.
            assertEquals(CELLS, count(c, "SELECT count(*) FROM " + glob(out, "cells") + " WHERE len(confusion) = 9 "
                    + "AND list_sum(confusion) = " + IMAGES / 2 + " AND abs((confusion[1] + confusion[5] + "
                    + "confusion[9]) / " + IMAGES / 2 + ".0 - final_accuracy) < 1e-9"));
            // Job-level throughput: 2 epochs on the training half plus 2 evaluations of the held-out half, per
            // second of the epoch loop.
            assertEquals(CELLS, count(c, "SELECT count(*) FROM " + glob(out, "cells") + " WHERE images_per_second > 0"
                    + " AND abs(images_per_second * train_seconds - " + (2 * IMAGES / 2 + 2 * IMAGES / 2) + ") < 1e-6"));
        }
    }

    @Test
    @Order(1)
    void theExecutorDecodedTheDatasetOnceForAllCells() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            // The executor JVM decoded the dataset once for all cells of the run (the counter is per JVM).
            assertEquals(1, count(c, "SELECT count(DISTINCT jvm_decodes) FROM " + glob(out, "cells")));
        }
    }

    @Test
    @Order(1)
    void everyTableHasTheDocumentedColumnsAndTypes() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            ParquetSchemas.assertSchema(c, glob(out, "cells"), ResultSchemas.CELLS);
            ParquetSchemas.assertSchema(c, glob(out, "metrics"), ResultSchemas.METRICS);
            ParquetSchemas.assertSchema(c, glob(out, "predictions"), ResultSchemas.PREDICTIONS);
        }
    }

    @Test
    @Order(1)
    void runJsonSummaryAndPlotsAreWrittenBesideTheTables() throws Exception {
        assertTrue(Files.exists(root.resolve("run.json")) && Files.exists(root.resolve("summary.md"))
                && Files.exists(root.resolve("resolved.conf")));
        // Plots beside summary.md: Table 1 as bars, learning curves per backbone, one W heat map per KPFF cell.
        for (String png : List.of("accuracy.png", "curves-alexnet.png", "w-alexnet-kpff-f0-e3b0c442.png",
                "w-alexnet-kpff-f1-e3b0c442.png")) {
            byte[] bytes = Files.readAllBytes(root.resolve(png));
            assertTrue(bytes.length > 1000 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G', png + " is a PNG");
        }
        try (Stream<Path> s = Files.list(root)) {
            // w-<cell id>.png heat maps (w-distance.png, the distance of W from I over epochs, is one plot for all).
            assertEquals(2, s.filter(p -> p.getFileName().toString().startsWith("w-alexnet-")).count(),
                    "one W plot per KPFF cell");
        }
        String runJson = Files.readString(root.resolve("run.json"));
        assertTrue(runJson.contains("\"config_fingerprint\"") && runJson.contains("\"cells_ok\" : 8"), runJson);
        // The build's commit, on the run and on its attempt (GitCommitTest checks it is the HEAD built from).
        com.fasterxml.jackson.databind.JsonNode info = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(runJson);
        assertEquals(GitCommit.describe(), info.path("git_commit").asText());
        assertEquals(GitCommit.describe(), info.path("attempts").get(0).path("git_commit").asText());
        // The driver's own cost (DriverStats): every committed cell timed, each with one commit, a decision per
        // cell handed out and per cell ended (plus the final empty ask), and the summary's time.
        com.fasterxml.jackson.databind.JsonNode driver = info.path("attempts").get(0).path("driver");
        assertEquals(8, driver.path("cells").asInt(), driver.toString());
        assertTrue(driver.path("decisions").asInt() >= 2 * 8 + 1, driver.toString());
        assertTrue(driver.path("commit_seconds").asDouble() > 0
                && driver.path("commit_seconds").asDouble() <= driver.path("cell_overhead_seconds").asDouble()
                && driver.path("summary_seconds").asDouble() > 0, driver.toString());
    }

    @Test
    @Order(2)
    void resumeTrainsOnlyTheCellsWhoseCommitsVanished() throws Exception {
        // Interrupt: three cells' commits vanish (as if the driver died before them); resume trains exactly those.
        List<String> ids;
        try (Stream<Path> s = Files.list(root.resolve("cells"))) {
            ids = s.map(p -> p.getFileName().toString()).sorted().limit(3).toList();
        }
        for (String id : ids) {
            deleteTree(root.resolve("cells").resolve(id));
        }
        JobDriver.Report resumed = new JobDriver(spark).run(tiny(), data, out, true, List.of("run", "--resume"));
        assertEquals(3, resumed.planned());
        assertEquals(5, resumed.skipped());
        assertEquals(3, resumed.ok());
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            assertEquals(CELLS, count(c, "SELECT count(*) FROM " + glob(out, "cells")));
            assertEquals(CELLS * 2, count(c, "SELECT count(*) FROM " + glob(out, "metrics")), "no duplicate metrics");
            assertEquals(CELLS * IMAGES / 2, count(c, "SELECT count(*) FROM " + glob(out, "predictions")));
        }
        assertTrue(Files.readString(root.resolve("run.json")).contains("\"cells_planned\" : 3"));
    }

    @Test
    @Order(3)
    void aFinishedRunHasNothingToDo() throws Exception {
        assertEquals(0, new JobDriver(spark).run(tiny(), data, out, true, List.of("run", "--resume")).planned());
    }

    @Test
    @Order(3)
    void aRunFolderIsRefusedWithoutResumeOrWithAnotherConfig() {
        JobDriver driver = new JobDriver(spark);
        IllegalArgumentException noResume = assertThrows(IllegalArgumentException.class,
                () -> driver.run(tiny(), data, out, false, List.of("run")));
        assertTrue(noResume.getMessage().contains("--resume") && noResume.getMessage().contains(out), noResume.getMessage());
        IllegalArgumentException changed = assertThrows(IllegalArgumentException.class,
                () -> driver.run(tiny("train.epochs=3", "train.dropout=0.25"), data, out, true, List.of("run")));
        assertTrue(changed.getMessage().contains("train.epochs") && changed.getMessage().contains("train.dropout"),
                changed.getMessage());
    }

    @Test
    void aFailedTaskIsRetriedAndResumesFromItsCheckpoint() throws Exception {
        String out = tmp.resolve("faulty").toUri().toString();
        try (var faults = FaultInjection.install(ScriptedFaults.failAfterEpoch(1, 1))) {
            JobDriver.Report r = new JobDriver(spark).run(tiny("model.methods=[kpff]", "data.folds=2"), data, out,
                    false, List.of("run"));
            assertEquals(2, r.ok());
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            // Attempt 1 died after epoch 1's checkpoint; attempt 2 restored it and trained epoch 2 only.
            assertEquals(2, count(c, "SELECT count(*) FROM " + glob(out, "cells") + " WHERE attempts = 2 AND "
                    + "resumed_from = 1 AND epochs = 2"));
            assertEquals(4, count(c, "SELECT count(*) FROM " + glob(out, "metrics")), "epoch 1 restored, not repeated");
        }
    }

    @Test
    void configErrorsComeBeforeAnySparkWork() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tiny("train.learning-rate=-1", "model.backbones=[resnet]"));
        assertTrue(e.getMessage().contains("train.learning-rate") && e.getMessage().contains("resnet"), e.getMessage());

        // The same mistakes through the real entry point, beside a live Spark that counts every job it starts.
        Path refused = tmp.resolve("refused");
        AtomicInteger jobs = new AtomicInteger();
        SparkListener counter = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart start) {
                jobs.incrementAndGet();
            }
        };
        spark.sparkContext().addSparkListener(counter);
        StringWriter err = new StringWriter();
        int status;
        try {
            status = Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "run",
                    "--data", data, "--out", refused.toString(), "--set", "train.learning-rate=-1", "--set",
                    "model.backbones=[resnet]");
            spark.sparkContext().listenerBus().waitUntilEmpty(60_000);
        } finally {
            spark.sparkContext().removeSparkListener(counter);
        }
        assertEquals(1, status, err.toString());
        assertTrue(err.toString().contains("train.learning-rate") && err.toString().contains("resnet"), err.toString());
        assertEquals(0, jobs.get(), "no Spark job started");
        assertFalse(spark.sparkContext().isStopped(), "the session was not touched (none was made and closed)");
        assertFalse(Files.exists(refused), "no output folder");
    }

    private static void deleteTree(Path p) throws Exception {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
