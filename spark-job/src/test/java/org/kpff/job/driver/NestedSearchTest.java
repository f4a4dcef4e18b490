package org.kpff.job.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
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
import org.kpff.job.results.NestedRow;
import org.kpff.job.search.SearchJob;
import org.kpff.job.search.SearchReport;
import org.kpff.job.testing.LocalSpark;

/**
 * A nested grid search on a real local Spark with a generated dataset and 3 folds: the search over all folds (6 cv
 * cells), one inner search per outer fold on the other two (3 × 4 inner cells) and one refit per outer fold (3 outer
 * cells). Read back with DuckDB: no inner cell trains or tests on its outer fold, nested.parquet agrees with the
 * cells, and an interrupted nested search resumes without training any cell twice.
 */
class NestedSearchTest {

    static final int CLASSES = 3;
    static final int PER_CLASS = 12;
    static final int FOLDS = 3;
    static final String LR = "hp['train.learning-rate'][1]";
    static final int CELLS = 2 * FOLDS + FOLDS * 2 * (FOLDS - 1) + FOLDS;

    @TempDir
    static Path tmp;
    static SparkSession spark;
    static String data;

    /** The class's local Spark and its synthetic scenes. */
    @RegisterExtension
    static final LocalSpark SPARK = LocalSpark.master("local[2,2]").withScenes(CLASSES, PER_CLASS, 16, 3);

    @BeforeAll
    static void bindSpark() {
        spark = SPARK.session();
        data = SPARK.data();
    }

    static JobConfig nested(String... more) {
        List<String> o = new ArrayList<>(List.of("data.input-size=16", "data.folds=" + FOLDS, "model.width=0.125",
                "model.projection-width=8", "train.batch-size=8", "eval.every=2", "model.backbones=[alexnet]",
                "model.methods=[kpff]", "train.epochs=2"));
        o.addAll(List.of(more));
        return JobConfig.parse("search { strategy = grid, nested = true, space { \"train.learning-rate\" = [1e-6, "
                + "0.003] } }", "test.conf", o);
    }

    static long count(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    static String table(String out, String name) {
        return "read_parquet('" + Path.of(URI.create(out)) + "/" + name + "/*/*.parquet')";
    }

    static String plain(String out, String name) {
        return "read_parquet('" + Path.of(URI.create(out)) + "/" + name + "/*.parquet')";
    }

    @Test
    void noInnerCellSeesItsOuterFoldAndTheNestedTableAgreesWithTheCellsAndAResumeTrainsNothingTwice()
            throws Exception {
        String out = tmp.resolve("nested").toUri().toString();
        SearchReport r = new SearchJob(spark).search(nested(), data, out, false, List.of("search"));
        assertEquals(CELLS, r.cellsRun(), r.markdown());
        assertEquals(0, r.unfinished(), r.markdown());
        assertEquals(FOLDS, r.nested().size());
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            String cells = table(out, "cells");
            assertEquals(2 * FOLDS, count(c, "SELECT count(*) FROM " + cells + " WHERE role = 'cv' AND outer_fold IS "
                    + "NULL"));
            assertEquals(FOLDS * 2 * (FOLDS - 1), count(c, "SELECT count(*) FROM " + cells + " WHERE role = 'inner'"));
            assertEquals(FOLDS, count(c, "SELECT count(*) FROM " + cells + " WHERE role = 'outer' AND fold = "
                    + "outer_fold"));
            // The invariant: no inner cell is tested on its outer fold ...
            assertEquals(0, count(c, "SELECT count(*) FROM " + cells + " WHERE role = 'inner' AND (outer_fold IS NULL"
                    + " OR fold = outer_fold)"));
            // ... and every image an inner cell predicted lies in its own held-out fold, never in its outer fold.
            String innerPredictions = "SELECT p.image, k.fold AS image_fold, c.fold, c.outer_fold FROM "
                    + table(out, "predictions") + " p JOIN " + cells + " c ON p.cell_id = c.cell_id JOIN "
                    + plain(out, "folds.parquet") + " k ON p.image = k.image WHERE c.role = 'inner'";
            assertEquals(FOLDS * 2 * (FOLDS - 1) * CLASSES * PER_CLASS / FOLDS,
                    count(c, "SELECT count(*) FROM (" + innerPredictions + ")"));
            assertEquals(0, count(c, "SELECT count(*) FROM (" + innerPredictions + ") WHERE image_fold <> fold OR "
                    + "image_fold = outer_fold"));
            // Each outer fold's inner search scored both trials on exactly the two other folds.
            assertEquals(FOLDS * 2, count(c, "SELECT count(*) FROM (SELECT outer_fold, " + LR + " AS lr, list(fold ORDER BY"
                    + " fold) AS fs FROM " + cells + " WHERE role = 'inner' GROUP BY outer_fold, lr) WHERE fs = CASE outer_fold"
                    + " WHEN 0 THEN [1, 2] WHEN 1 THEN [0, 2] ELSE [0, 1] END"));
            // nested.parquet: one row per outer fold; its outer accuracy is the refit's, its inner score the mean of
            // the chosen point's inner cells.
            String nested = plain(out, "nested.parquet");
            assertEquals(FOLDS, count(c, "SELECT count(*) FROM " + nested + " n JOIN " + cells + " c ON n.cell_id = "
                    + "c.cell_id WHERE c.role = 'outer' AND c.fold = n.outer_fold AND c.final_accuracy = "
                    + "n.outer_accuracy AND c." + LR + " = n." + LR));
            assertEquals(FOLDS, count(c, "SELECT count(*) FROM " + nested + " n JOIN (SELECT outer_fold, " + LR
                    + " AS lr, avg(final_accuracy) AS m FROM " + cells + " WHERE role = 'inner' GROUP BY outer_fold, lr)"
                    + " i ON n.outer_fold = i.outer_fold AND n." + LR + " = i.lr WHERE abs(i.m - n.inner_score) < 1e-12"));
            // Seeds do not depend on the point or the role: the refit of outer fold i is the cv cell of the same
            // point on fold i, bit for bit.
            assertEquals(FOLDS, count(c, "SELECT count(*) FROM " + cells + " o JOIN " + cells + " v ON o." + LR + " = v." + LR
                    + " AND o.fold = v.fold WHERE o.role = 'outer' AND v.role = 'cv' AND o.seed = v.seed AND "
                    + "o.final_accuracy = v.final_accuracy"));
            // The summary is the cross-validation of the cv cells only: one row per point.
            assertEquals(2, count(c, "SELECT count(*) FROM " + plain(out, "summary.parquet")));
            assertEquals(2 + FOLDS * 2, count(c, "SELECT count(*) FROM " + plain(out, "trials")));
        }
        String md = Files.readString(Path.of(URI.create(out)).resolve("search.md"));
        assertTrue(md.startsWith("# Hyperparameter search\n\n**Nested estimate: "), md);
        assertTrue(md.contains("Non-nested selection score: ") && md.contains("Optimism of selecting on the test "
                + "folds: "), md);
        double mean = r.nested().stream().mapToDouble(NestedRow::outerAccuracy).average().orElseThrow();
        assertTrue(md.contains(String.format(java.util.Locale.ROOT, "**Nested estimate: %.2f ± ", 100 * mean)), md);
        assertTrue(Files.readString(Path.of(URI.create(out)).resolve("best.conf")).contains("The nested estimate"));

        // The same nested search, its driver killed after 11 committed cells, then resumed.
        String out2 = tmp.resolve("nested-resumed").toUri().toString();
        try (var faults = FaultInjection.install(ScriptedFaults.stopAfterCells(11))) {
            IllegalStateException died = assertThrows(IllegalStateException.class,
                    () -> new SearchJob(spark).search(nested(), data, out2, false, List.of("search")));
            assertTrue(died.getMessage().contains("Stopped after 11 committed cells"), died.getMessage());
        }
        long before;
        try (var s = Files.list(Path.of(URI.create(out2)).resolve("cells"))) {
            before = s.count();
        }
        assertTrue(before >= 11 && before < CELLS, "committed before: " + before);
        SearchReport resumed = new SearchJob(spark).search(nested(), data, out2, true, List.of("search", "--resume"));
        assertEquals(before, resumed.cellsRestored());
        assertEquals(CELLS - before, resumed.cellsRun(), "no committed cell trained again");
        assertEquals(r.nested(), resumed.nested());
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            assertEquals(CELLS, count(c, "SELECT count(DISTINCT cell_id) FROM " + table(out2, "cells")));
            assertEquals(CELLS, count(c, "SELECT count(*) FROM " + table(out2, "cells")));
            assertEquals(0, count(c, "SELECT count(*) FROM " + table(out2, "cells") + " WHERE attempts <> 1"));
        }
    }
}
