package org.kpff.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kpff.job.docs.ReliabilityCase;
import org.kpff.job.fault.FaultPlugin;
import org.kpff.job.testing.DriverProcess;

/**
 * A driver killed mid-grid: the real CLI runs in its own JVM, is killed with SIGKILL while a cell trains (one cell
 * committed, the next paused after its first checkpoint), and {@code run --resume} in a new driver trains only the
 * missing cells, the interrupted one from its checkpoint, with exact totals and both attempts in run.json.
 */
class DriverLossTest {

    /** 3 classes × 6 images, 2 folds × 4 methods = 8 cells, 9 held-out images per cell. */
    static final int CELLS = 8;
    static final int EPOCHS = 2;

    @Test
    @ReliabilityCase(fault = "Driver JVM killed (SIGKILL) mid-grid, then `run --resume`", outcome = "Only the "
            + "missing cells run (the interrupted one from its checkpoint); committed cells are untouched; totals "
            + "exact, no duplicates; run.json holds both attempts")
    void aKilledDriverIsResumedWithOnlyTheMissingCells(@TempDir Path tmp) throws Exception {
        String data = tmp.resolve("scenes").toString();
        assertEquals(0, CliTest.cli("datagen", "--out", data, "--classes", "3", "--per-class", "6", "--size", "16",
                "--seed", "5").status());
        Path out = tmp.resolve("run");
        Path pause = Files.createDirectories(tmp.resolve("pause"));
        String[] grid = {"--data", data, "--out", out.toString(), "--set", "data.input-size=16", "--set",
            "model.backbones=[alexnet]", "--set", "train.epochs=" + EPOCHS, "--set", "eval.every=1", "--set",
            "train.batch-size=6", "--set", "model.projection-width=8", "--set", "run.max-concurrent-cells=1"};

        Path log = tmp.resolve("driver.log");
        Process driver = startDriver(pause, log, grid);
        String interrupted;
        try {
            // Cell 1 pauses after epoch 1: release it and let it commit; cell 2 pauses: kill the driver there.
            Path first = awaitMarker(pause, Set.of(), driver, log);
            Files.delete(first);
            Path second = awaitMarker(pause, Set.of(first.getFileName().toString()), driver, log);
            String firstCell = cellOf(first);
            interrupted = cellOf(second);
            assertTrue(Files.isDirectory(out.resolve("cells").resolve(firstCell)), "cell 1 committed");
            assertTrue(Files.exists(out.resolve("checkpoints").resolve(interrupted).resolve("LATEST")));
            assertEquals(Long.toString(driver.pid()), Files.readString(second).trim(), "the cell runs in the driver");
            driver.destroyForcibly();
            assertTrue(driver.waitFor(60, TimeUnit.SECONDS));
            assertEquals(137, driver.exitValue(), "killed by SIGKILL");
        } finally {
            driver.destroyForcibly();
        }
        List<String> committed = list(out.resolve("cells"));
        assertEquals(1, committed.size(), committed.toString());
        List<String> firstCellFiles = list(out.resolve("cells").resolve(committed.get(0)));
        JsonNode killed = new ObjectMapper().readTree(out.resolve("run.json").toFile());
        assertEquals(1, killed.path("attempts").size());
        assertFalse(killed.path("attempts").get(0).has("ended"), "the killed attempt never ended");

        CliTest.Result again = CliTest.cli(CliTest.concat(new String[] {"run", "--resume"}, grid));
        assertEquals(0, again.status(), again.err());
        assertTrue(again.out().contains((CELLS - 1) + " trained now (" + (CELLS - 1) + " ok, 0 failed), 1 already "
                + "committed, 0 incomplete"), again.out());

        assertEquals(firstCellFiles, list(out.resolve("cells").resolve(committed.get(0))), "cell 1 not rewritten");
        String cells = "read_parquet('" + out + "/cells/*/*.parquet')";
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            assertEquals(CELLS, count(c, "SELECT count(*) FROM " + cells));
            assertEquals(CELLS, count(c, "SELECT count(DISTINCT cell_id) FROM " + cells));
            assertEquals(1, count(c, "SELECT count(*) FROM " + cells + " WHERE resumed_from = 1 AND cell_id = '"
                    + interrupted + "'"));
            assertEquals(CELLS - 1, count(c, "SELECT count(*) FROM " + cells + " WHERE resumed_from = 0"));
            assertEquals(CELLS * EPOCHS, count(c, "SELECT count(*) FROM read_parquet('" + out
                    + "/metrics/*/*.parquet')"));
            assertEquals(CELLS * 9, count(c, "SELECT count(*) FROM read_parquet('" + out
                    + "/predictions/*/*.parquet')"));
        }
        JsonNode runJson = new ObjectMapper().readTree(out.resolve("run.json").toFile());
        JsonNode attempts = runJson.path("attempts");
        assertEquals(2, attempts.size(), attempts.toString());
        assertEquals(CELLS, attempts.get(0).path("cells_planned").asInt());
        assertFalse(attempts.get(0).has("ended"));
        assertTrue(attempts.get(1).path("resume").asBoolean());
        assertEquals(CELLS - 1, attempts.get(1).path("cells_planned").asInt());
        assertEquals(1, attempts.get(1).path("cells_already_committed").asInt());
        assertEquals(CELLS - 1, attempts.get(1).path("cells_ok").asInt());
        assertTrue(attempts.get(1).has("ended"));
    }

    @Test
    @ReliabilityCase(fault = "Cells whose Spark task fails every retry (`spark.task.maxFailures` = 2, injected "
            + "after each attempt's evaluation)", outcome = "`run` exits 1 naming them incomplete (nothing of them "
            + "committed); `run --resume` trains them from their checkpoints and exits 0")
    void cellsThatExhaustTheirRetriesExitWithStatusOneAndResume(@TempDir Path tmp) throws Exception {
        String data = tmp.resolve("scenes").toString();
        assertEquals(0, CliTest.cli("datagen", "--out", data, "--classes", "3", "--per-class", "6", "--size", "16",
                "--seed", "5").status());
        Path out = tmp.resolve("run");
        // Three epochs: each of the two attempts has an epoch left to train and fail after.
        String[] grid = {"--data", data, "--out", out.toString(), "--set", "data.input-size=16", "--set",
            "model.backbones=[alexnet]", "--set", "model.methods=[kpff]", "--set", "train.epochs=3", "--set",
            "eval.every=1", "--set", "train.batch-size=6", "--set", "model.projection-width=8"};
        Path log = tmp.resolve("driver.log");
        Process driver = start(log, List.of("-Dspark.master=local[1,2]", "-Dspark.plugins=" + FaultPlugin.class.getName(),
                "-D" + FaultPlugin.FAIL_AFTER_EPOCH + "=1", "-D" + FaultPlugin.FAIL_ATTEMPTS + "=99"), grid);
        try {
            assertTrue(driver.waitFor(240, TimeUnit.SECONDS), "driver finished");
        } finally {
            driver.destroyForcibly();
        }
        String printed = Files.readString(log);
        assertEquals(1, driver.exitValue(), printed);
        assertTrue(printed.contains("Cells: 0 trained now (0 ok, 0 failed), 0 already committed, 2 incomplete."),
                printed);
        assertFalse(Files.isDirectory(out.resolve("cells")) && !list(out.resolve("cells")).isEmpty(),
                "nothing committed");

        List<String> resume = new ArrayList<>(List.of("run"));
        resume.addAll(List.of(grid));
        resume.add("--resume");
        CliTest.Result r = CliTest.cli(resume.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("Cells: 2 trained now (2 ok, 0 failed), 0 already committed, 0 incomplete."),
                r.out());
        assertEquals(2, list(out.resolve("cells")).size());
    }

    /** The CLI in its own JVM: the test classpath, Spark's --add-opens, local[1], the pause hook on. */
    private static Process startDriver(Path pause, Path log, String[] grid) throws Exception {
        return start(log, List.of("-Dspark.master=local[1]", "-Dspark.plugins=" + FaultPlugin.class.getName(),
                "-D" + FaultPlugin.PAUSE_DIR + "=" + pause.toUri()), grid);
    }

    /** {@code run} in its own JVM ({@link DriverProcess}) with the given system properties. */
    private static Process start(Path log, List<String> properties, String[] grid) throws Exception {
        return DriverProcess.run(log, properties, Map.of(), grid);
    }

    /** Waits for a pause marker not in {@code seen}; fails with the driver's log when the driver exits first. */
    private static Path awaitMarker(Path pause, Set<String> seen, Process driver, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (true) {
            List<String> markers = list(pause).stream().filter(n -> n.endsWith(".pid") && !n.startsWith("_")
                    && !seen.contains(n)).toList();
            if (!markers.isEmpty()) {
                return pause.resolve(markers.get(0));
            }
            if (!driver.isAlive() || System.nanoTime() > deadline) {
                List<String> lines = Files.readAllLines(log);
                throw new AssertionError("no cell paused (driver alive: " + driver.isAlive() + "); driver log tail:\n"
                        + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
            }
            Thread.sleep(50);
        }
    }

    private static String cellOf(Path marker) {
        return marker.getFileName().toString().replace(".pid", "");
    }

    private static List<String> list(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private static long count(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }
}
