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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kpff.core.data.SyntheticScenes;
import org.kpff.job.config.JobConfig;
import org.kpff.job.results.ResultSchemas;

/**
 * The whole job on a real local Spark with a generated dataset: exact row counts in every table, the schema read
 * back by DuckDB (a Parquet reader that is not Spark), resume, refusals, and a fault injected mid-cell.
 */
class JobEndToEndTest {

    /** 3 classes × 8 images, 2 folds → 12 held-out images per fold. */
    static final int CLASSES = 3;
    static final int PER_CLASS = 8;
    static final int IMAGES = CLASSES * PER_CLASS;

    @TempDir
    static Path tmp;
    static SparkSession spark;
    static String data;

    @BeforeAll
    static void startSpark() {
        // local[2, 2]: two task slots, and a failed task is retried once (as on a cluster).
        spark = SparkSession.builder().master("local[2,2]").appName("JobEndToEndTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1").getOrCreate();
        data = tmp.resolve("data").toUri().toString();
        SyntheticScenes.generate(data, CLASSES, PER_CLASS, 16, 3, new Configuration());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

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

    @Test
    void runWritesExactTablesThatDuckDbReadsAndResumeRunsOnlyTheMissingCells() throws Exception {
        String out = tmp.resolve("run1").toUri().toString();
        JobDriver driver = new JobDriver(spark);
        JobDriver.Report report = driver.run(tiny(), data, out, false, List.of("run"));
        int cells = 2 * 4; // folds × methods (one backbone)
        assertEquals(cells, report.planned());
        assertEquals(cells, report.ok());
        assertEquals(0, report.failed() + report.incomplete());
        assertTrue(report.summary().contains("KPFF") && report.summary().contains("AlexNet"), report.summary());

        Path root = Path.of(java.net.URI.create(out));
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            assertEquals(cells, count(c, "SELECT count(*) FROM " + glob(out, "cells")));
            assertEquals(cells, count(c, "SELECT count(DISTINCT cell_id) FROM " + glob(out, "cells")));
            assertEquals(cells, count(c, "SELECT count(*) FROM " + glob(out, "cells") + " WHERE status = 'ok'"));
            assertEquals(cells * 2, count(c, "SELECT count(*) FROM " + glob(out, "metrics")));
            assertEquals(cells * IMAGES / 2, count(c, "SELECT count(*) FROM " + glob(out, "predictions")));
            assertEquals(IMAGES, count(c, "SELECT count(*) FROM read_parquet('" + root + "/folds.parquet/*.parquet')"));
            assertEquals(IMAGES / 2, count(c, "SELECT count(*) FROM read_parquet('" + root
                    + "/folds.parquet/*.parquet') WHERE fold = 0"));
            assertEquals(4, count(c, "SELECT count(*) FROM read_parquet('" + root + "/summary.parquet/*.parquet')"));
            // Paired comparisons: add vs none; concat vs none, add; kpff vs none, add, concat.
            assertEquals(6, count(c, "SELECT count(*) FROM read_parquet('" + root + "/comparisons.parquet/*.parquet')"));
            // Only KPFF cells carry a learned 3×3 W; every cell decoded the dataset at most once per JVM.
            assertEquals(2, count(c, "SELECT count(*) FROM " + glob(out, "cells") + " WHERE len(learned_w) = 9"));
            assertEquals(2, count(c, "SELECT count(*) FROM " + glob(out, "cells") + " WHERE learned_w IS NOT NULL"));
            // The executor JVM decoded the dataset once for all cells of the run (the counter is per JVM).
            assertEquals(1, count(c, "SELECT count(DISTINCT jvm_decodes) FROM " + glob(out, "cells")));
            assertEquals(0, count(c, "SELECT count(*) FROM " + glob(out, "cells") + " WHERE final_accuracy < 0 OR "
                    + "final_accuracy > 1 OR best_accuracy < final_accuracy"));
            assertSchema(c, glob(out, "cells"), ResultSchemas.CELLS.fields());
            assertSchema(c, glob(out, "metrics"), ResultSchemas.METRICS.fields());
            assertSchema(c, glob(out, "predictions"), ResultSchemas.PREDICTIONS.fields());
        }
        assertTrue(Files.exists(root.resolve("run.json")) && Files.exists(root.resolve("summary.md"))
                && Files.exists(root.resolve("resolved.conf")));
        // Plots beside summary.md: Table 1 as bars, learning curves per backbone, one W heat map per KPFF cell.
        for (String png : List.of("accuracy.png", "curves-alexnet.png", "w-alexnet-kpff-f0-e3b0c442.png",
                "w-alexnet-kpff-f1-e3b0c442.png")) {
            byte[] bytes = Files.readAllBytes(root.resolve(png));
            assertTrue(bytes.length > 1000 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G', png + " is a PNG");
        }
        try (Stream<Path> s = Files.list(root)) {
            assertEquals(2, s.filter(p -> p.getFileName().toString().startsWith("w-")).count(), "one W plot per KPFF cell");
        }
        String runJson = Files.readString(root.resolve("run.json"));
        assertTrue(runJson.contains("\"config_fingerprint\"") && runJson.contains("\"cells_ok\" : 8"), runJson);

        // Interrupt: three cells' commits vanish (as if the driver died before them); resume trains exactly those.
        List<String> ids;
        try (Stream<Path> s = Files.list(root.resolve("cells"))) {
            ids = s.map(p -> p.getFileName().toString()).sorted().limit(3).toList();
        }
        for (String id : ids) {
            deleteTree(root.resolve("cells").resolve(id));
        }
        JobDriver.Report resumed = driver.run(tiny(), data, out, true, List.of("run", "--resume"));
        assertEquals(3, resumed.planned());
        assertEquals(5, resumed.skipped());
        assertEquals(3, resumed.ok());
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            assertEquals(cells, count(c, "SELECT count(*) FROM " + glob(out, "cells")));
            assertEquals(cells * 2, count(c, "SELECT count(*) FROM " + glob(out, "metrics")), "no duplicate metrics");
            assertEquals(cells * IMAGES / 2, count(c, "SELECT count(*) FROM " + glob(out, "predictions")));
        }
        assertTrue(Files.readString(root.resolve("run.json")).contains("\"cells_planned\" : 3"));

        // A finished run again: nothing to do.
        assertEquals(0, driver.run(tiny(), data, out, true, List.of("run", "--resume")).planned());

        // Refusals: a non-empty output without --resume, and --resume with a different config.
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
    void configErrorsComeBeforeAnySparkWork() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tiny("train.learning-rate=-1", "model.backbones=[resnet]"));
        assertTrue(e.getMessage().contains("train.learning-rate") && e.getMessage().contains("resnet"), e.getMessage());
    }

    private static void assertSchema(Connection c, String source, StructField[] fields) throws Exception {
        Map<String, String> actual = new LinkedHashMap<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("DESCRIBE SELECT * FROM " + source)) {
            while (r.next()) {
                actual.put(r.getString(1), r.getString(2));
            }
        }
        List<String> expected = java.util.Arrays.stream(fields).map(StructField::name).toList();
        assertEquals(expected, new ArrayList<>(actual.keySet()), "columns of " + source);
        assertFalse(actual.containsValue(null));
        Set<String> types = actual.values().stream().collect(Collectors.toSet());
        assertTrue(types.contains("VARCHAR"), types.toString());
    }

    private static void deleteTree(Path p) throws Exception {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
