package org.kpff.job.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kpff.job.config.JobConfig;
import org.kpff.job.exec.KryoRegistration;
import org.kpff.job.testing.LocalSpark;

/**
 * A stop request (what SIGINT and SIGTERM make) in the middle of a grid, in both run modes: the driver ends the
 * attempt with {@link RunStopped} once a cell has committed, having committed fewer cells than planned, with nothing
 * in {@code _staging/}, the lease released and {@code stopped_by} in run.json; a resume trains the rest, each cell
 * exactly once.
 */
class StopRequestTest {

    /** alexnet × 4 methods × 2 folds. */
    static final int CELLS = 8;

    @RegisterExtension
    static final LocalSpark SPARK = LocalSpark.master("local[2]")
            .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
            .config("spark.kryo.registrator", KryoRegistration.REGISTRATORS)
            .withScenes(3, 6, 16, 13);

    @AfterEach
    void forget() {
        StopRequest.clear();
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "data-parallel"})
    void aStopRequestEndsTheAttemptCleanlyAndTheResumeFinishesIt(String mode, @TempDir Path tmp) throws Exception {
        List<String> overrides = new ArrayList<>(List.of("data.input-size=16", "data.folds=2", "model.width=0.125",
                "model.projection-width=8", "train.epochs=3", "train.batch-size=6", "eval.every=1",
                "model.backbones=[alexnet]", "run.mode=" + mode));
        if (mode.equals("data-parallel")) {
            overrides.add("run.data-parallel.workers=2");
        }
        JobConfig config = JobConfig.loadResource(JobConfig.SMOKE_RESOURCE, overrides);
        Path out = tmp.resolve("run");
        JobDriver driver = new JobDriver(SPARK.session());
        Thread watcher = new Thread(() -> {
            // Ctrl-C as soon as the first cell is committed.
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
            while (System.nanoTime() < deadline && names(out.resolve("cells")).isEmpty()) {
                sleep();
            }
            StopRequest.request(new StopRequest.Reason("SIGINT", 130));
        });
        watcher.start();
        RunStopped stopped = assertThrows(RunStopped.class, () -> driver.run(config, SPARK.data(), out.toString(),
                false, List.of("run")));
        watcher.join();
        assertEquals("SIGINT", stopped.reason().signal());
        int committed = names(out.resolve("cells")).size();
        assertTrue(committed >= 1 && committed < CELLS, committed + " of " + CELLS);
        assertEquals(committed, stopped.committedTotal());
        assertEquals(committed, stopped.committedNow());
        assertEquals(CELLS, stopped.planned());
        assertFalse(Files.exists(out.resolve("_staging")), "nothing left in _staging/");
        assertTrue(names(out.resolve(".kpff-lease")).isEmpty(), "the lease is released");
        JsonNode attempt = new ObjectMapper().readTree(out.resolve("run.json").toFile()).path("attempts").get(0);
        assertEquals("SIGINT", attempt.path("stopped_by").asText());
        assertTrue(attempt.has("ended"));

        StopRequest.clear();
        JobDriver.Report resumed = driver.run(config, SPARK.data(), out.toString(), true, List.of("run", "--resume"));
        assertEquals(CELLS - committed, resumed.ok());
        assertEquals(committed, resumed.skipped());
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*), count(DISTINCT cell_id) FROM read_parquet('" + out
                        + "/cells/*/*.parquet')")) {
            assertTrue(r.next());
            assertEquals(CELLS, r.getInt(1));
            assertEquals(CELLS, r.getInt(2));
        }
        assertFalse(Files.exists(out.resolve("_staging")), "a finished run keeps no _staging/");
    }

    private static List<String> names(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).toList();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
