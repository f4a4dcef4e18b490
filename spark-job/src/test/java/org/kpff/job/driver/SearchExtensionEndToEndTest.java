package org.kpff.job.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.kpff.job.config.JobConfig;
import org.kpff.job.search.Decision;
import org.kpff.job.search.DecisionJournal;
import org.kpff.job.search.SearchJob;
import org.kpff.job.search.SearchReport;
import org.kpff.job.testing.LocalSpark;

/**
 * Extending a finished search on a real local Spark with a generated dataset: {@code --resume} with a larger
 * {@code search.trials} trains only the new trials' cells (and the promotions they lead to), and ends with exactly
 * the trials, decisions and scores of a new search of the larger size; every other change is refused.
 */
class SearchExtensionEndToEndTest {

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

    /** Tiny AlexNet/KPFF cells over a log-uniform learning rate. */
    static JobConfig config(String search, String... more) {
        List<String> o = new ArrayList<>(List.of("data.input-size=16", "data.folds=" + FOLDS, "model.width=0.125",
                "model.projection-width=8", "train.batch-size=8", "eval.every=1", "model.backbones=[alexnet]",
                "model.methods=[kpff]"));
        o.addAll(List.of(more));
        return JobConfig.parse("search { " + search + ", space { \"train.learning-rate\" = { log-uniform = [1e-4, "
                + "0.05] } } }", "test.conf", o);
    }

    static SearchReport search(JobConfig c, String out, boolean resume) throws Exception {
        return new SearchJob(spark).search(c, data, out, resume, List.of("search"));
    }

    static String uri(String name) {
        return tmp.resolve(name).toUri().toString();
    }

    /** The trials table, one line per trial in trial order: everything but the epoch-cells and outer fold. */
    static List<String> trials(String out) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT trial, hp, status, rank, rung, epochs, mean_accuracy, "
                        + "fold_accuracies, rung_accuracies FROM read_parquet('" + Path.of(URI.create(out))
                        + "/trials/*.parquet') ORDER BY trial")) {
            while (r.next()) {
                StringBuilder b = new StringBuilder();
                for (int i = 1; i <= 9; i++) {
                    b.append(r.getString(i)).append(" | ");
                }
                rows.add(b.toString());
            }
        }
        return rows;
    }

    /** Decisions by rung (the interleaving of rungs depends on when results arrived; each rung's order does not). */
    static Map<Integer, List<Decision>> perRung(List<Decision> ds) {
        Map<Integer, List<Decision>> m = new TreeMap<>();
        ds.forEach(d -> m.computeIfAbsent(d.rung(), k -> new ArrayList<>()).add(d));
        return m;
    }

    static long cellFiles(String out) throws Exception {
        try (var s = Files.list(Path.of(URI.create(out)).resolve("cells"))) {
            return s.count();
        }
    }

    @Test
    void anAshaSearchExtendedFromThreeToSixTrialsTrainsOnlyTheNewCellsAndEqualsASixTrialSearch() throws Exception {
        String asha = "strategy = asha, eta = 3, min-epochs = 1, seed = 3, trials = ";
        String small = uri("asha-3");
        SearchReport three = search(config(asha + 3, "train.epochs=3"), small, false);
        // Rungs at 1 and 3 epochs: the best of the 3 trials goes on, the other two stop.
        assertEquals(3 * FOLDS + FOLDS, three.cellsRun(), three.markdown());
        assertEquals(2, three.stopped() + three.failed(), three.markdown());
        byte[] runJson = Files.readAllBytes(Path.of(URI.create(small)).resolve("run.json"));

        // Any other change, and a smaller trial count, are refused naming the key and both values; the run is kept.
        IllegalArgumentException eta = assertThrows(IllegalArgumentException.class,
                () -> search(config(asha.replace("eta = 3", "eta = 2") + 6, "train.epochs=3"), small, true));
        assertTrue(eta.getMessage().contains("search.eta: 3 -> 2") && eta.getMessage().contains("search.trials may "
                + "change"), eta.getMessage());
        IllegalArgumentException fewer = assertThrows(IllegalArgumentException.class,
                () -> search(config(asha + 2, "train.epochs=3"), small, true));
        assertTrue(fewer.getMessage().contains("search.trials = 2") && fewer.getMessage().contains("started with "
                + "search.trials = 3"), fewer.getMessage());
        assertArrayEquals(runJson, Files.readAllBytes(Path.of(URI.create(small)).resolve("run.json")));

        JobConfig six = config(asha + 6, "train.epochs=3");
        SearchReport extended = search(six, small, true);
        String freshOut = uri("asha-6");
        SearchReport fresh = search(six, freshOut, false);
        // Six trials: rung 0 promotes the best of the first 3 (as the 3-trial search did), then the best 2 of 6 (a
        // trial the small search stopped may be one of them).
        assertEquals(6 * FOLDS + 2 * FOLDS, fresh.cellsRun(), fresh.markdown());
        assertEquals(3 * FOLDS + FOLDS, extended.cellsRestored(), "every cell of the small search replayed");
        assertEquals(fresh.cellsRun() - extended.cellsRestored(), extended.cellsRun(), "no cell trained twice");
        assertEquals(fresh.cellsRun(), cellFiles(small));
        assertEquals(perRung(fresh.decisions()), perRung(extended.decisions()));
        assertEquals(trials(freshOut), trials(small));
        assertEquals(fresh.best(), extended.best());
        assertEquals(fresh.epochCells(), extended.epochCells());
        Path root = Path.of(URI.create(small));
        assertEquals(Files.readString(Path.of(URI.create(freshOut)).resolve("best.conf")).replace(freshOut, small),
                Files.readString(root.resolve("best.conf")));
        assertEquals(6, DecisionJournal.read(small + "/decisions.json", new org.apache.hadoop.conf.Configuration())
                .orElseThrow().trials().size());
        String md = Files.readString(root.resolve("search.md"));
        assertTrue(md.contains(", 6 trials, "), md);
        assertTrue(Files.readString(root.resolve("run.json")).contains("search.trials: 3 -> 6"));
    }

    @Test
    void aTpeSearchExtendedFromThreeToFiveTrialsProposesTheSameTrialsAsAFiveTrialSearch() throws Exception {
        String tpe = "strategy = tpe, seed = 7, tpe { startup-trials = 2, in-flight = 1 }, trials = ";
        String small = uri("tpe-3");
        SearchReport three = search(config(tpe + 3, "train.epochs=1"), small, false);
        assertEquals(3 * FOLDS, three.cellsRun(), three.markdown());
        JobConfig five = config(tpe + 5, "train.epochs=1");
        SearchReport extended = search(five, small, true);
        String freshOut = uri("tpe-5");
        SearchReport fresh = search(five, freshOut, false);
        assertEquals(5 * FOLDS, fresh.cellsRun());
        assertEquals(3 * FOLDS, extended.cellsRestored());
        assertEquals(2 * FOLDS, extended.cellsRun(), "only the two new trials trained");
        assertEquals(trials(freshOut), trials(small));
        assertEquals(perRung(fresh.decisions()), perRung(extended.decisions()));
        assertEquals(fresh.best(), extended.best());
    }

    @Test
    void aNestedSearchExtendedFromTwoToThreeTrialsGrowsEveryInnerSearchAndRefitsOnlyWhereTheWinnerChanged()
            throws Exception {
        String random = "strategy = random, nested = true, seed = 2, trials = ";
        String out = uri("nested-2");
        SearchReport two = search(config(random + 2, "train.epochs=1", "data.folds=3"), out, false);
        int cellsTwo = 2 * 3 + 3 * 2 * 2 + 3;
        assertEquals(cellsTwo, two.cellsRun(), two.markdown());
        SearchReport three = search(config(random + 3, "train.epochs=1", "data.folds=3"), out, true);
        // The new trial on every fold of the search over all folds and of each inner search, and a new refit for
        // each outer fold whose inner winner changed (a winner that stayed keeps its committed refit).
        int changed = 0;
        for (int i = 0; i < 3; i++) {
            var before = two.nested().get(i);
            var after = three.nested().get(i);
            assertEquals(i, after.outerFold());
            if (before.trial().equals(after.trial())) {
                assertEquals(before.cellId(), after.cellId());
                assertEquals(before.outerAccuracy(), after.outerAccuracy());
            } else {
                changed++;
            }
        }
        assertEquals(3 + 3 * 2 + changed, three.cellsRun(), three.markdown());
        assertEquals(cellsTwo - changed, three.cellsRestored(), "every committed cell but a replaced refit replayed");
        assertEquals(cellsTwo + three.cellsRun(), cellFiles(out), "no cell committed twice");
        assertEquals(changed > 0, three.warnings().stream().anyMatch(w -> w.contains("not cells of this search")),
                three.warnings().toString());
        for (int i = 0; i < 3; i++) {
            assertEquals(3, DecisionJournal.read(out + "/decisions-outer-" + i + ".json",
                    new org.apache.hadoop.conf.Configuration()).orElseThrow().trials().size());
        }
        assertEquals(3, three.trials());
        assertEquals(0, three.unfinished(), three.markdown());
    }

    @Test
    void searchMdShowsAParetoFrontOfAccuracyAgainstFlopsOrSecondsAndItsPlot() throws Exception {
        // Two projection widths change the network's FLOPs; two learning rates its accuracy.
        JobConfig grid = JobConfig.parse("search { strategy = grid, space { \"model.projection-width\" = [4, 16], "
                + "\"train.learning-rate\" = [1e-7, 0.003] } }", "test.conf", List.of("data.input-size=16",
                        "data.folds=" + FOLDS, "model.width=0.125", "train.batch-size=8", "eval.every=1",
                        "model.backbones=[alexnet]", "model.methods=[kpff]", "train.epochs=1"));
        String out = uri("pareto");
        SearchReport r = search(grid, out, false);
        assertEquals(4, r.completed() + r.failed(), r.markdown());
        Path root = Path.of(URI.create(out));
        List<double[]> rows = paretoRows(Files.readString(root.resolve("search.md")), "MFLOPs");
        assertEquals(4 - r.failed(), rows.size());
        assertEquals(2, rows.stream().mapToDouble(x -> x[1]).distinct().count(), "two networks, two FLOPs counts");
        assertFront(rows);
        assertPng(root.resolve("search-pareto.png"));
        // The winner stays the most accurate trial, whatever its cost.
        double best = rows.stream().mapToDouble(x -> x[0]).max().orElseThrow();
        assertEquals(best, Math.round(10000 * r.best().meanAccuracy()) / 100.0, 1e-9);

        // search.cost does not change what the search trains: a resume with seconds trains nothing, rewrites search.md.
        JobConfig seconds = grid.withOverrides(Map.of("search.cost", "seconds"));
        SearchReport again = search(seconds, out, true);
        assertEquals(0, again.cellsRun());
        String md = Files.readString(root.resolve("search.md"));
        assertTrue(md.contains("search.cost = seconds"), md);
        List<double[]> timed = paretoRows(md, "s");
        assertEquals(rows.size(), timed.size());
        assertTrue(timed.stream().allMatch(x -> x[1] > 0), md);
        assertFront(timed);
        assertPng(root.resolve("search-pareto.png"));
    }

    /** search.md's Pareto table: {accuracy %, cost, on front 1/0} per row. */
    static List<double[]> paretoRows(String md, String unit) {
        String section = md.substring(md.indexOf("## Accuracy against cost"));
        List<double[]> rows = new ArrayList<>();
        for (String line : section.split("\n")) {
            String[] c = line.split("\\|");
            if (c.length == 6 && c[1].strip().matches("\\d+")) {
                String cost = c[4].strip();
                assertTrue(cost.endsWith(" " + unit), line);
                rows.add(new double[] {Double.parseDouble(c[3].strip()),
                        Double.parseDouble(cost.substring(0, cost.length() - unit.length() - 1)),
                        c[5].strip().equals("yes") ? 1 : 0});
            }
        }
        return rows;
    }

    /**
     * The front is not empty, no trial dominates a front member, and every other trial is dominated. The table's
     * values are rounded, which keeps order but not ties: a strict dominance in both rounded values is one in the
     * exact values, and an exact dominance is a weak one in the rounded values.
     */
    static void assertFront(List<double[]> rows) {
        assertTrue(rows.stream().anyMatch(x -> x[2] == 1), "an empty front");
        for (double[] a : rows) {
            if (a[2] == 1) {
                assertTrue(rows.stream().noneMatch(b -> b[0] > a[0] && b[1] < a[1]), java.util.Arrays.toString(a));
            } else {
                assertTrue(rows.stream().anyMatch(b -> b != a && b[2] == 1 && b[0] >= a[0] && b[1] <= a[1]),
                        java.util.Arrays.toString(a));
            }
        }
    }

    static void assertPng(Path png) throws Exception {
        byte[] b = Files.readAllBytes(png);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(b, 4));
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
        assertEquals(900, image.getWidth());
    }
}
