package org.kpff.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kpff.core.data.SyntheticScenes;
import org.kpff.job.docs.ReliabilityCase;
import org.kpff.job.fault.FaultPlugin;
import org.kpff.job.results.CellCommitter;
import org.kpff.job.results.RunLayout;
import org.kpff.job.testing.DriverProcess;
import org.kpff.job.testing.S3Server;

/**
 * The real CLI in its own JVM against an S3 server in the test JVM: data from and results to {@code s3a://}, the
 * driver killed with SIGKILL while its second cell trains, {@code run --resume} commits every cell exactly once;
 * the S3 secret, given as a Spark setting ({@code --conf spark.hadoop.fs.s3a.secret.key}, what submit/local.sh
 * turns into a system property), in the environment ({@code AWS_SECRET_ACCESS_KEY}) and in the config (a URI's
 * password in {@code data.uri}), appears in no output, console or log (Spark's event log included).
 */
class S3DriverLossTest {

    /** 3 classes × 6 images, 2 folds × 2 methods. */
    static final int CELLS = 4;

    @Test
    @ReliabilityCase(fault = "On s3a://: driver JVM killed (SIGKILL) mid-grid, then `run --resume`; the S3 secret "
            + "given by `--conf`, the environment and the config", outcome = "Every cell committed exactly once (one "
            + "`cells` object each), the interrupted one from its checkpoint; the secret is in no output file, "
            + "console, log or Spark event log")
    void aKilledDriverOnS3IsResumedExactlyOnceAndNoSecretLeaks(@TempDir Path tmp) throws Exception {
        try (S3Server s3 = S3Server.start("kpff-loss")) {
            Configuration conf = s3.configure(new Configuration());
            String data = s3.root() + "/scenes";
            String out = s3.root() + "/runs/killed";
            SyntheticScenes.generate(data, 3, 6, 16, 9, conf);
            Path pause = Files.createDirectories(tmp.resolve("pause"));
            Path events = Files.createDirectories(tmp.resolve("events"));
            List<String> props = new ArrayList<>();
            s3.hadoopConf(true).forEach((k, v) -> props.add("-Dspark.hadoop." + k + "=" + v));
            props.addAll(List.of("-Dspark.master=local[1]", "-Dspark.kpff.lease.uri=" + tmp.resolve("leases").toUri(),
                    "-Dspark.eventLog.enabled=true", "-Dspark.eventLog.dir=" + events.toUri()));
            String[] grid = {"--data", data, "--out", out, "--set", "data.input-size=16", "--set",
                "model.backbones=[alexnet]", "--set", "model.methods=[concat,kpff]", "--set", "train.epochs=2",
                "--set", "eval.every=1", "--set", "train.batch-size=6", "--set", "model.projection-width=8", "--set",
                "run.max-concurrent-cells=1", "--set", "data.uri=\"hdfs://kpff:" + S3Server.SECRET_KEY
                    + "@namenode:8020/unused\""};

            List<String> killedProps = new ArrayList<>(props);
            killedProps.addAll(List.of("-Dspark.plugins=" + FaultPlugin.class.getName(),
                    "-D" + FaultPlugin.PAUSE_DIR + "=" + pause.toUri()));
            Path killedLog = tmp.resolve("killed.log");
            Process driver = start(killedLog, killedProps, grid);
            String interrupted;
            try {
                Path first = awaitMarker(pause, null, driver, killedLog);
                Files.delete(first);
                Path second = awaitMarker(pause, first.getFileName().toString(), driver, killedLog);
                interrupted = second.getFileName().toString().replace(".pid", "");
                driver.destroyForcibly();
                assertTrue(driver.waitFor(60, TimeUnit.SECONDS));
            } finally {
                driver.destroyForcibly();
            }
            CellCommitter committer = new CellCommitter(new RunLayout(out), conf);
            assertEquals(1, committer.committedCells().size(), committer.committedCells().toString());
            assertFalse(committer.committedCells().contains(interrupted));

            List<String> resume = new ArrayList<>(List.of(grid));
            resume.add("--resume");
            Path resumedLog = tmp.resolve("resumed.log");
            Process again = start(resumedLog, props, resume.toArray(String[]::new));
            try {
                assertTrue(again.waitFor(300, TimeUnit.SECONDS), "resumed driver finished");
            } finally {
                again.destroyForcibly();
            }
            String printed = Files.readString(resumedLog);
            assertEquals(0, again.exitValue(), printed);
            assertTrue(printed.contains("Cells: " + (CELLS - 1) + " trained now (" + (CELLS - 1) + " ok, 0 failed), 1 "
                    + "already committed, 0 incomplete."), printed);
            assertEquals(CELLS, committer.committedCells().size());

            Path local = tmp.resolve("copy");
            FileSystem fs = new org.apache.hadoop.fs.Path(out).getFileSystem(conf);
            assertTrue(FileUtil.copy(fs, new org.apache.hadoop.fs.Path(out), FileSystem.getLocal(conf),
                    new org.apache.hadoop.fs.Path(local.toUri()), false, conf));
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
                String cells = "read_parquet('" + local + "/cells/*/*.parquet')";
                assertEquals(CELLS, count(c, "SELECT count(*) FROM " + cells));
                assertEquals(CELLS, count(c, "SELECT count(DISTINCT cell_id) FROM " + cells));
                assertEquals(1, count(c, "SELECT count(*) FROM " + cells + " WHERE resumed_from = 1 AND cell_id = '"
                        + interrupted + "'"));
                assertEquals(CELLS * 2, count(c, "SELECT count(*) FROM read_parquet('" + local
                        + "/metrics/*/*.parquet')"));
            }

            List<Path> looked = new ArrayList<>(List.of(killedLog, resumedLog, local.resolve("run.json"),
                    local.resolve("resolved.conf"), local.resolve("summary.md")));
            try (Stream<Path> s = Files.list(events)) {
                looked.addAll(s.toList());
            }
            assertTrue(looked.size() >= 7, "both drivers wrote an event log: " + looked);
            for (Path p : looked) {
                String text = Files.readString(p, StandardCharsets.ISO_8859_1);
                assertFalse(text.contains(S3Server.SECRET_KEY), p + " holds the secret");
                assertFalse(text.isEmpty(), p + " is empty");
            }
            assertTrue(Files.readString(local.resolve("run.json")).contains("hdfs://kpff:*********(redacted)@"
                    + "namenode:8020/unused"), "the config's URI is kept, its password masked");
        }
    }

    /** {@code run} in its own JVM ({@link DriverProcess}) with the given system properties. */
    private static Process start(Path log, List<String> properties, String[] grid) throws Exception {
        return DriverProcess.run(log, properties, Map.of("AWS_ACCESS_KEY_ID", S3Server.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY",
                S3Server.SECRET_KEY), grid);
    }

    /** Waits for a pause marker other than {@code seen}; fails with the log's tail when the driver exits first. */
    private static Path awaitMarker(Path pause, String seen, Process driver, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (true) {
            try (Stream<Path> s = Files.list(pause)) {
                List<Path> markers = s.filter(p -> {
                    String n = p.getFileName().toString();
                    return n.endsWith(".pid") && !n.startsWith("_") && !n.equals(seen);
                }).toList();
                if (!markers.isEmpty()) {
                    return markers.get(0);
                }
            }
            if (!driver.isAlive() || System.nanoTime() > deadline) {
                List<String> lines = Files.readAllLines(log);
                throw new AssertionError("no cell paused (driver alive: " + driver.isAlive() + "); log tail:\n"
                        + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
            }
            Thread.sleep(50);
        }
    }

    private static long count(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }
}
