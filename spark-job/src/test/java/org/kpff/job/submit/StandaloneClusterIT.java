package org.kpff.job.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kpff.job.cli.Main;
import org.kpff.job.fault.FaultPlugin;
import org.kpff.job.fault.FaultsJar;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * spark-submit for real: a Spark standalone cluster on loopback (a Master and two Workers, each its own JVM started
 * through {@code bin/spark-class} as {@code sbin/start-master.sh} and {@code start-worker.sh} start them, from a
 * Spark home assembled from Maven artifacts by the {@code spark-home} module), each Worker advertising 2 fake GPUs
 * through {@code spark.worker.resource.gpu.*}; the shaded jar submitted through {@code submit/standalone.sh run}
 * with the job's GPU scheduling confs. Every cell's first attempt pauses after its first checkpoint (the
 * {@code spark.kpff.test.pauseDir} fault of the tests' {@code FaultPlugin}), so the test sees 4 cells on the 4 GPUs at once, checks the executors'
 * command lines (the job's JVM options, the fast-path flags among them), refuses a second driver on the same output folder, and then SIGKILLs one Worker and its executor
 * (a lost node): its cells go to the other Worker and resume from their checkpoints. Afterwards it checks the
 * committed results, the GPU addresses and the per-executor concurrency they record, and Spark's event log.
 */
class StandaloneClusterIT {

    private static final Logger LOG = LoggerFactory.getLogger(StandaloneClusterIT.class);

    static final Path ROOT = SubmitScriptsTest.SUBMIT.getParent();
    static final Path SPARK_HOME = ROOT.resolve("spark-home").resolve("target").resolve("spark-home");
    /** 3 classes × 6 images, 2 folds × 4 methods = 8 cells. */
    static final int CELLS = 8;
    static final int GPUS_PER_WORKER = 2;
    static final List<Set<String>> WORKER_GPUS = List.of(Set.of("0", "1"), Set.of("2", "3"));

    private final List<Process> daemons = new ArrayList<>();

    @Test
    void aStandaloneClusterRunsTheGridOnItsGpusAndSurvivesALostWorker(@TempDir Path tmp) throws Exception {
        long t0 = System.nanoTime();
        assertTrue(Files.isDirectory(SPARK_HOME.resolve("jars")), SPARK_HOME + " is built by the spark-home module");
        for (String launcher : List.of("spark-class", "spark-submit")) {
            Files.setPosixFilePermissions(SPARK_HOME.resolve("bin").resolve(launcher),
                    PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path data = tmp.resolve("scenes");
        assertEquals(0, Main.execute("datagen", "--out", data.toString(), "--classes", "3", "--per-class", "6",
                "--size", "16", "--seed", "5"));
        Path out = tmp.resolve("run");
        Path pause = Files.createDirectories(tmp.resolve("pause"));
        Path events = Files.createDirectories(tmp.resolve("events"));
        Process driver = null;
        try {
            int port = freePort();
            String master = "spark://127.0.0.1:" + port;
            Process m = daemon(tmp, "master", Map.of(), "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                    "--port", Integer.toString(port), "--webui-port", "0");
            awaitLog(tmp.resolve("master.log"), "I have been elected leader", m, 120);
            List<Process> workers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                Path discovery = gpuScript(tmp, w);
                Process worker = daemon(tmp, "worker" + w, Map.of("SPARK_WORKER_OPTS",
                        "-Dspark.worker.resource.gpu.amount=" + GPUS_PER_WORKER
                                + " -Dspark.worker.resource.gpu.discoveryScript=" + discovery),
                        "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--webui-port", "0", "--cores",
                        "4", "--memory", "2g", "--work-dir", tmp.resolve("work" + w).toString(), master);
                workers.add(worker);
            }
            for (int w = 0; w < 2; w++) {
                awaitLog(tmp.resolve("worker" + w + ".log"), "Successfully registered with master", workers.get(w),
                        120);
            }
            LOG.info("Cluster up after {} s", seconds(t0));

            Path driverLog = tmp.resolve("driver.log");
            driver = submit(tmp, master, data, out, pause, events, driverLog);

            // All four GPUs busy: four first attempts paused after their first checkpoint, two per Worker.
            Map<String, Long> paused = awaitMarkers(pause, 4, driver, driverLog);
            LOG.info("4 cells paused on the 4 GPUs after {} s: {}", seconds(t0), paused);
            Map<Long, Integer> executorWorker = new HashMap<>();
            for (long pid : new HashSet<>(paused.values())) {
                long parent = ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid)
                        .orElse(-1L);
                for (int w = 0; w < 2; w++) {
                    if (workers.get(w).pid() == parent) {
                        executorWorker.put(pid, w);
                    }
                }
            }
            assertEquals(2, executorWorker.size(), "one executor per Worker, each a child of its Worker: "
                    + paused);
            Map<Integer, Long> cellsPerWorker = paused.values().stream()
                    .collect(Collectors.groupingBy(executorWorker::get, TreeMap::new, Collectors.counting()));
            assertEquals(Map.of(0, 2L, 1, 2L), cellsPerWorker, "2 cells on each Worker's 2 GPUs: " + paused);

            // The executors Spark launched from the Workers run with the job's JVM options, on the cluster's jars.
            List<String> jobOptions = jobJavaOptions();
            for (long pid : executorWorker.keySet()) {
                List<String> argv = commandLine(pid);
                assertTrue(argv.contains("org.apache.spark.executor.CoarseGrainedExecutorBackend"), argv.toString());
                for (String option : jobOptions) {
                    assertTrue(argv.contains(option), "executor " + pid + " lacks " + option + ": " + argv);
                }
                String cp = argv.get(argv.indexOf("-cp") + 1);
                assertTrue(cp.contains(SPARK_HOME.resolve("jars").toString()) && !cp.contains("nd4j"),
                        "the cluster's Spark jars on the class path, the application only in its class loader: " + cp);
            }

            // A second driver on the same output folder is refused, naming the holder.
            String appId = applicationId(events);
            Path secondLog = tmp.resolve("second-driver.log");
            ProcessBuilder secondDriver = new ProcessBuilder("bash", SubmitScriptsTest.SUBMIT.resolve("local.sh")
                    .toString(), "run", "--resume", "--config", SubmitScriptsTest.REPO.resolve("conf/smoke.conf")
                    .toString(), "--data", data.toString(), "--out", out.toString()).redirectErrorStream(true)
                    .redirectOutput(secondLog.toFile());
            secondDriver.environment().putAll(Map.of("SPARK_LOCAL_IP", "127.0.0.1", "KPFF_MASTER", "local[1]",
                    "KPFF_DRIVER_MEMORY", "1g"));
            Process second = secondDriver.start();
            daemons.add(second);
            assertTrue(second.waitFor(5, TimeUnit.MINUTES), "the second driver ends");
            String refused = Files.readString(secondLog);
            assertEquals(1, second.exitValue(), tail(refused));
            assertTrue(refused.contains("is in use by another driver") && refused.contains("application " + appId),
                    tail(refused));

            // A lost node: SIGKILL Worker 1 and its executor while two of its cells are paused.
            long lostExecutor = executorWorker.entrySet().stream().filter(e -> e.getValue() == 1).findFirst()
                    .orElseThrow().getKey();
            Set<String> lostCells = paused.entrySet().stream().filter(e -> e.getValue() == lostExecutor)
                    .map(Map.Entry::getKey).collect(Collectors.toSet());
            workers.get(1).destroyForcibly();
            ProcessHandle.of(lostExecutor).ifPresent(ProcessHandle::destroyForcibly);
            assertTrue(workers.get(1).waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, workers.get(1).exitValue(), "Worker 1 killed by SIGKILL");
            LOG.info("Killed Worker 1 (pid {}) and its executor {} holding {} after {} s", workers.get(1).pid(),
                    lostExecutor, lostCells, seconds(t0));
            // Release every paused first attempt, now and as later cells pause, until the driver ends.
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(8);
            while (driver.isAlive() && System.nanoTime() < deadline) {
                try (Stream<Path> s = Files.list(pause)) {
                    for (Path marker : s.filter(p -> p.getFileName().toString().endsWith(".pid")).toList()) {
                        Files.deleteIfExists(marker);
                    }
                }
                driver.waitFor(200, TimeUnit.MILLISECONDS);
            }
            assertFalse(driver.isAlive(), "the driver ends within 8 minutes of the kill; log " + driverLog);
            String log = Files.readString(driverLog);
            assertEquals(0, driver.exitValue(), tail(log));
            assertTrue(log.contains(CELLS + " trained now (" + CELLS + " ok, 0 failed), 0 already committed, "
                    + "0 incomplete"), tail(log));
            LOG.info("Run finished after {} s", seconds(t0));

            checkResults(out, lostCells, appId);
            checkEventLog(events, appId);
            assertTrue(log.contains("trained on the CPU: the application jar has ND4J's CPU backend"), tail(log));
            String executorLog = executorStderr(tmp.resolve("work0"));
            assertTrue(executorLog.contains("Spark assigned GPU") && executorLog.contains("the cell trains on the CPU"),
                    "the executor warns that its GPU stays idle");
            LOG.info("StandaloneClusterIT done in {} s", seconds(t0));
        } finally {
            if (driver != null) {
                stop(driver);
            }
            for (int i = daemons.size() - 1; i >= 0; i--) {
                stop(daemons.get(i));
            }
        }
    }

    /** The committed results: each cell once, the GPUs Spark assigned, never more cells than GPUs per executor. */
    private static void checkResults(Path out, Set<String> lostCells, String appId) throws Exception {
        try (Stream<Path> s = Files.list(out.resolve("cells"))) {
            assertEquals(CELLS, s.count(), "every cell committed");
        }
        assertFalse(Files.exists(out.resolve(".kpff-lease").resolve("000000000001")), "the lease was released");
        record Cell(String id, String executor, String gpu, String device, Timestamp start, Timestamp end,
                int attempts, int resumedFrom, String engine) {
        }
        List<Cell> cells = new ArrayList<>();
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
                Statement st = db.createStatement();
                ResultSet rs = st.executeQuery("SELECT cell_id, executor_id, gpu, device, started_at, finished_at, "
                        + "attempts, resumed_from, engine, status FROM read_parquet('" + out
                        + "/cells/*/*.parquet')")) {
            while (rs.next()) {
                assertEquals("ok", rs.getString("status"));
                cells.add(new Cell(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getTimestamp(5), rs.getTimestamp(6), rs.getInt(7), rs.getInt(8), rs.getString(9)));
            }
        }
        assertEquals(CELLS, cells.size(), "one row per cell");
        assertEquals(CELLS, cells.stream().map(Cell::id).distinct().count(), "no cell committed twice");
        Map<String, List<Cell>> byExecutor = cells.stream().collect(Collectors.groupingBy(Cell::executor));
        for (Map.Entry<String, List<Cell>> e : byExecutor.entrySet()) {
            Set<String> gpus = e.getValue().stream().map(Cell::gpu).collect(Collectors.toSet());
            assertTrue(WORKER_GPUS.stream().anyMatch(w -> w.containsAll(gpus)),
                    "executor " + e.getKey() + " used only its Worker's GPU addresses: " + gpus);
            // Sweep the executor's [start, end] intervals: at most 2 cells at once, never two on one address.
            List<Cell> c = e.getValue();
            for (Cell a : c) {
                List<Cell> during = c.stream().filter(b -> !b.start().after(a.start()) && b.end().after(a.start()))
                        .toList();
                assertTrue(during.size() <= GPUS_PER_WORKER, "more cells than GPUs in flight on executor "
                        + e.getKey() + " at " + a.start() + ": " + during);
                assertEquals(during.size(), during.stream().map(Cell::gpu).distinct().count(),
                        "two concurrent cells share a GPU address: " + during);
            }
        }
        for (Cell c : cells) {
            assertEquals("cpu", c.device(), "the CPU jar computes on the CPU: " + c);
            // The fast path reached the executors Spark launched: oneDNN for every conv/BN/pool layer.
            assertTrue(c.engine().startsWith("cpu-onednn-") && !c.engine().contains("+plain"), c.toString());
            assertTrue(WORKER_GPUS.stream().anyMatch(w -> w.contains(c.gpu())), "gpu holds Spark's address: " + c);
            if (lostCells.contains(c.id())) {
                assertEquals(2, c.attempts(), "retried after the lost Worker: " + c);
                assertEquals(1, c.resumedFrom(), "resumed from its epoch-1 checkpoint: " + c);
            } else {
                assertEquals(1, c.attempts(), c.toString());
                assertEquals(0, c.resumedFrom(), c.toString());
            }
        }
        Set<String> lostOn = cells.stream().filter(c -> lostCells.contains(c.id())).map(Cell::executor)
                .collect(Collectors.toSet());
        assertEquals(1, lostOn.size(), "the lost cells finished on the surviving executor: " + lostOn);
        // Each row records its last attempt, and after the loss every attempt ran on the surviving executor.
        assertEquals(lostOn, byExecutor.keySet(), "every cell's last attempt ran on the surviving executor");
        LOG.info("Results of {}: {}", appId, cells);
    }

    /** Spark's event log was written for a History Server: application start and end, both executors, the loss. */
    private static void checkEventLog(Path events, String appId) throws IOException {
        Path log = events.resolve(appId);
        assertTrue(Files.isRegularFile(log), "event log " + log + " (not .inprogress: the application ended)");
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        assertEquals(1, count(lines, "\"Event\":\"SparkListenerApplicationStart\""));
        assertEquals(1, count(lines, "\"Event\":\"SparkListenerApplicationEnd\""));
        assertEquals(2, count(lines, "\"Event\":\"SparkListenerExecutorAdded\""));
        assertEquals(1, count(lines, "\"Event\":\"SparkListenerExecutorRemoved\""));
        String env = lines.stream().filter(l -> l.contains("\"Event\":\"SparkListenerEnvironmentUpdate\""))
                .findFirst().orElseThrow();
        assertTrue(env.contains("\"spark.kryo.registrator\":\"org.nd4j.kryo.Nd4jRegistrator,"
                + "org.kpff.job.exec.KryoRegistration\"") && env.contains("\"spark.task.resource.gpu.amount\":\"1\""),
                "the job's Kryo and GPU confs reached Spark");
    }

    private static long count(List<String> lines, String s) {
        return lines.stream().filter(l -> l.contains(s)).count();
    }

    /** Submits the grid through submit/standalone.sh (client mode: this process is the driver). */
    private Process submit(Path tmp, String master, Path data, Path out, Path pause, Path events, Path log)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of("bash", SubmitScriptsTest.SUBMIT.resolve("standalone.sh")
                .toString(),
                "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
                "--conf", "spark.driver.memory=1g", "--conf", "spark.task.cpus=1",
                "--conf", "spark.eventLog.enabled=true", "--conf", "spark.eventLog.dir=" + events.toUri(),
                // The pause fault: the tests' FaultPlugin (in a jar beside the application jar) installs it in the
                // driver and in every executor from this conf.
                "--jars", FaultsJar.write(tmp.resolve("faults.jar")).toString(),
                "--conf", "spark.plugins=" + FaultPlugin.class.getName(),
                "--conf", FaultPlugin.PAUSE_DIR + "=" + pause.toUri(),
                "run", "--config", "conf/smoke.conf", "--data", data.toString(), "--out", out.toString(),
                "--set", "data.input-size=16", "--set", "model.backbones=[alexnet]", "--set", "train.epochs=2",
                "--set", "eval.every=1", "--set", "train.batch-size=6", "--set", "model.projection-width=8",
                "--set", "run.max-concurrent-cells=" + CELLS));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.putAll(clusterEnv());
        env.put("SPARK_MASTER", master);
        env.put("KPFF_GPUS_PER_EXECUTOR", Integer.toString(GPUS_PER_WORKER));
        env.put("KPFF_EXECUTOR_CORES", "4");
        env.put("KPFF_EXECUTOR_MEMORY", "1g");
        env.put("KPFF_EXECUTOR_OVERHEAD", "512m");
        env.put("KPFF_GPU_DISCOVERY", gpuScript(tmp, 0).toString());
        Process p = pb.start();
        LOG.info("Submitted (driver pid {}): {}", p.pid(), cmd);
        return p;
    }

    /** Starts a Spark daemon through bin/spark-class, logging to {@code <name>.log}. */
    private Process daemon(Path tmp, String name, Map<String, String> extraEnv, String mainClass, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of(SPARK_HOME.resolve("bin").resolve("spark-class").toString(),
                mainClass));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".log").toFile());
        pb.environment().putAll(clusterEnv());
        pb.environment().put("SPARK_DAEMON_MEMORY", "256m");
        pb.environment().putAll(extraEnv);
        Process p = pb.start();
        daemons.add(p);
        return p;
    }

    /** Loopback only, the assembled Spark home. */
    private static Map<String, String> clusterEnv() {
        return Map.of("SPARK_HOME", SPARK_HOME.toString(), "SPARK_LOCAL_IP", "127.0.0.1", "SPARK_LOCAL_HOSTNAME",
                "localhost", "SPARK_SCALA_VERSION", "2.12");
    }

    /** A discovery script printing Worker w's fake GPU addresses. */
    private static Path gpuScript(Path tmp, int w) throws IOException {
        Path script = tmp.resolve("gpus-" + w + ".sh");
        if (!Files.exists(script)) {
            String addresses = WORKER_GPUS.get(w).stream().sorted().map(a -> "\"" + a + "\"")
                    .collect(Collectors.joining(","));
            Files.writeString(script, "#!/usr/bin/env bash\necho '{\"name\":\"gpu\",\"addresses\":[" + addresses
                    + "]}'\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return script;
    }

    /** The JVM options submit/common.sh gives drivers and executors, one per element. */
    private static List<String> jobJavaOptions() throws Exception {
        SubmitScriptsTest.Run r = SubmitScriptsTest.bash(Map.of(), "-c", "source '"
                + SubmitScriptsTest.SUBMIT.resolve("common.sh") + "' && printf '%s\\n' $KPFF_JAVA_OPTS");
        assertEquals(0, r.status(), r.err());
        List<String> options = r.out().lines().filter(l -> !l.isBlank()).toList();
        assertTrue(options.contains("--add-opens=java.base/java.nio=ALL-UNNAMED"), options.toString());
        return options;
    }

    private static List<String> commandLine(long pid) throws IOException {
        byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
        return List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
    }

    /** Waits for n pause markers ({@code <cell id>.pid} holding the executor's pid); returns cell id to pid. */
    private static Map<String, Long> awaitMarkers(Path pause, int n, Process driver, Path log) throws Exception {
        Map<String, Long> markers = new TreeMap<>();
        await(() -> {
            markers.clear();
            try (Stream<Path> s = Files.list(pause)) {
                for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".pid")).toList()) {
                    String name = p.getFileName().toString();
                    markers.put(name.substring(0, name.length() - ".pid".length()),
                            Long.parseLong(Files.readString(p).trim()));
                }
            } catch (IOException | NumberFormatException e) {
                return false;
            }
            return markers.size() >= n;
        }, driver, log, 360, n + " cells paused at once");
        return markers;
    }

    /** The application id: the name of its (in-progress) event log. */
    private static String applicationId(Path events) throws IOException {
        try (Stream<Path> s = Files.list(events)) {
            List<String> names = s.map(p -> p.getFileName().toString()).toList();
            assertEquals(1, names.size(), "one event log: " + names);
            assertTrue(names.get(0).startsWith("app-"), names.toString());
            return names.get(0).replace(".inprogress", "");
        }
    }

    private static void awaitLog(Path log, String line, Process p, int seconds) throws Exception {
        await(() -> {
            try {
                return Files.exists(log) && Files.readString(log).contains(line);
            } catch (IOException e) {
                return false;
            }
        }, p, log, seconds, "'" + line + "'");
    }

    private static void await(BooleanSupplier done, Process p, Path log, int seconds, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!done.getAsBoolean()) {
            if (p != null && !p.isAlive()) {
                throw new AssertionError("Process ended (status " + p.exitValue() + ") before " + what + ":\n"
                        + tail(Files.readString(log)));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("No " + what + " within " + seconds + " s:\n" + tail(Files.readString(log)));
            }
            Thread.sleep(250);
        }
    }

    private static String executorStderr(Path workDir) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> s = Files.walk(workDir)) {
            for (Path p : s.filter(f -> f.getFileName().toString().equals("stderr")).toList()) {
                sb.append(Files.readString(p));
            }
        }
        return sb.toString();
    }

    /** SIGKILLs a process and everything it started (executors are children of their Worker). */
    private static void stop(Process p) {
        List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
        all.add(p.toHandle());
        for (ProcessHandle h : all) {
            h.destroyForcibly();
        }
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("Process {} did not end: {}", h.pid(), e.toString());
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String tail(String log) {
        return log.length() <= 6000 ? log : log.substring(log.length() - 6000);
    }

    private static String seconds(long t0) {
        return String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9);
    }
}
