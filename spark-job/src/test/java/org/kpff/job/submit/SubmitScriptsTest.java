package org.kpff.job.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The spark-submit wrappers: syntax, the command each would run (dry run), and GPU discovery with a fake nvidia-smi. */
class SubmitScriptsTest {

    static final Path SUBMIT = Path.of("..", "submit").toAbsolutePath().normalize();
    /** The repository root: where the README's commands run, so that their relative paths mean what they say. */
    static final Path REPO = SUBMIT.getParent();
    /** What submit/common.sh adds to every JVM that trains cells, in this order. */
    static final List<String> HEAP_OPTS = List.of("-XX:+ExplicitGCInvokesConcurrent", "-XX:MinHeapFreeRatio=5",
            "-XX:MaxHeapFreeRatio=20", "-XX:GCTimeRatio=6");

    /** Exit status and output of a script run. */
    record Run(int status, String out, String err) {
    }

    static Run bash(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return bashIn(null, env, args);
    }

    /** Runs a script in the working directory {@code dir} (this JVM's when null). */
    static Run bashIn(Path dir, Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        pb.environment().putAll(env);
        Path out = Files.createTempFile("script", ".out");
        Path err = Files.createTempFile("script", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("script timed out: " + cmd);
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @ParameterizedTest
    @ValueSource(strings = {"local.sh", "standalone.sh", "yarn.sh", "k8s.sh", "common.sh", "gpu-discovery.sh"})
    void scriptsParse(String script) throws Exception {
        Run r = bash(Map.of(), "-n", SUBMIT.resolve(script).toString());
        assertEquals(0, r.status(), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"standalone.sh", "yarn.sh", "k8s.sh"})
    void clusterScriptsSetGpuSchedulingAndPassConfsThrough(String script) throws Exception {
        Map<String, String> env = Map.of("SPARK_MASTER", "spark://master:7077",
                "KPFF_K8S_MASTER", "k8s://https://api:6443", "KPFF_IMAGE", "registry/kpff:0.1",
                "KPFF_GPUS_PER_EXECUTOR", "2");
        Run r = bash(env, SUBMIT.resolve(script).toString(), "--dry-run", "--conf", "spark.eventLog.enabled=false",
                "run", "--config", "conf/paper.conf", "--data", "hdfs:///ucm", "--out", "hdfs:///runs/p");
        assertEquals(0, r.status(), r.err());
        List<String> argv = r.out().lines().toList();
        assertTrue(argv.get(0).endsWith("spark-submit"), argv.toString());
        assertTrue(argv.contains("spark.task.resource.gpu.amount=1"), argv.toString());
        assertTrue(argv.contains("spark.executor.resource.gpu.amount=2"), argv.toString());
        assertTrue(argv.stream().anyMatch(a -> a.startsWith("spark.executor.resource.gpu.discoveryScript=")
                && a.endsWith("gpu-discovery.sh")), argv.toString());
        assertTrue(argv.stream().anyMatch(a -> a.startsWith("spark.executor.memoryOverhead=")), argv.toString());
        assertTrue(argv.stream().anyMatch(a -> a.startsWith("spark.driver.extraJavaOptions=")
                && a.contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED")), argv.toString());
        for (String side : List.of("spark.driver.extraJavaOptions=", "spark.executor.extraJavaOptions=")) {
            String opts = argv.stream().filter(o -> o.startsWith(side)).findFirst().orElseThrow();
            assertEquals(HEAP_OPTS, List.of(opts.split(" ")).stream().filter(HEAP_OPTS::contains).toList(),
                    "cells return their heap with concurrent cycles on the " + side + " side: " + opts);
        }
        assertTrue(argv.contains("spark.eventLog.enabled=false"), "user --conf passed through: " + argv);
        assertTrue(argv.contains("org.kpff.job.cli.Main"), argv.toString());
        assertEquals(List.of("run", "--config", "conf/paper.conf", "--data", "hdfs:///ucm", "--out", "hdfs:///runs/p"),
                argv.subList(argv.size() - 7, argv.size()), "job arguments last");
    }

    @Test
    void clusterScriptsRefuseAMissingMaster() throws Exception {
        Run r = bash(Map.of(), SUBMIT.resolve("standalone.sh").toString(), "--dry-run", "run");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("SPARK_MASTER"), r.err());
    }

    @ParameterizedTest
    @CsvSource({"run, conf/smoke.conf", "search, conf/search-example.conf"})
    void localScriptDryRunUsesAnEmbeddedSpark(String subcommand, String config, @TempDir Path tmp) throws Exception {
        Run r = bashIn(REPO, Map.of("KPFF_DRY_RUN", "1", "KPFF_DATA_DIR", tmp.resolve("d").toString()),
                SUBMIT.resolve("local.sh").toString(), subcommand, "--config", config, "--out", "runs/x");
        assertEquals(0, r.status(), r.err());
        List<String> argv = r.out().lines().toList();
        assertEquals("java", argv.get(0));
        assertEquals(List.of(subcommand, "--config", REPO.resolve(config).toString()), argv.subList(argv.indexOf("org.kpff.job.cli.Main") + 1,
                argv.indexOf("org.kpff.job.cli.Main") + 4));
        assertTrue(argv.contains("-Dspark.master=local[*]") && argv.contains("org.kpff.job.cli.Main"), argv.toString());
        assertEquals(tmp.resolve("d").toString(), argv.get(argv.indexOf("--synthetic-data") + 1),
                "the job is told where the synthetic dataset goes (used when neither --data nor data.uri is set): "
                        + argv);
        assertFalse(argv.contains("--data"), "the config's data.uri is not overridden: " + argv);
        assertFalse(Files.exists(tmp.resolve("d")), "the script itself generates nothing (the job does, after it "
                + "validated the config)");
        assertTrue(argv.contains("-Dspark.network.timeout=3600s"), "a paused local run survives: " + argv);
    }

    /**
     * The collector options with which a finished cell returns its heap without a full collection (HeapReturn and
     * README "Training speed", Memory): in local.sh's JVM, which is driver and executor; KPFF_HEAP_OPTS replaces them.
     */
    @Test
    void localScriptStartsTheJvmWithConcurrentExplicitGcAndTightHeapFreeRatios() throws Exception {
        Run r = bash(Map.of("KPFF_DRY_RUN", "1"), SUBMIT.resolve("local.sh").toString(), "run", "--config",
                "conf/smoke.conf", "--data", "/d", "--out", "runs/x");
        assertEquals(0, r.status(), r.err());
        List<String> argv = r.out().lines().toList();
        assertEquals(HEAP_OPTS, argv.stream().filter(HEAP_OPTS::contains).toList(), argv.toString());
        Run defaults = bash(Map.of("KPFF_DRY_RUN", "1", "KPFF_HEAP_OPTS", ""), SUBMIT.resolve("local.sh").toString(),
                "run", "--config", "conf/smoke.conf", "--data", "/d", "--out", "runs/x");
        assertEquals(0, defaults.status(), defaults.err());
        assertTrue(defaults.out().lines().noneMatch(a -> a.contains("HeapFreeRatio") || a.contains("ExplicitGC")
                || a.contains("GCTimeRatio")),
                "KPFF_HEAP_OPTS= leaves the JVM's defaults: " + defaults.out());
    }

    @Test
    void localScriptResolvesRelativePathsAgainstTheCallersWorkingDirectory(@TempDir Path caller) throws Exception {
        Run r = bashIn(caller, Map.of("KPFF_DRY_RUN", "1", "KPFF_DATA_DIR", "syn"), SUBMIT.resolve("local.sh").toString(),
                "run", "--config", "my.conf", "--data=d/corrupt", "--out", "runs/x", "--set", "train.epochs=1");
        assertEquals(0, r.status(), r.err());
        List<String> argv = r.out().lines().toList();
        List<String> job = argv.subList(argv.indexOf("org.kpff.job.cli.Main") + 1, argv.size());
        assertEquals(List.of("run", "--config", caller.resolve("my.conf").toString(), "--data="
                + caller.resolve("d/corrupt"), "--out", caller.resolve("runs/x").toString(), "--set", "train.epochs=1",
                "--synthetic-data", caller.resolve("syn").toString()), job);
        Run uris = bashIn(caller, Map.of("KPFF_DRY_RUN", "1"), SUBMIT.resolve("local.sh").toString(), "inspect",
                "--data", "hdfs://nn:8020/ucm", "--out", "/abs/run", "--config=file:///c.conf");
        List<String> kept = uris.out().lines().toList();
        assertEquals(List.of("inspect", "--data", "hdfs://nn:8020/ucm", "--out", "/abs/run", "--config=file:///c.conf"),
                kept.subList(kept.indexOf("org.kpff.job.cli.Main") + 1, kept.size()), "URIs and absolute paths stay");
    }

    @Test
    void localScriptKeepsSparksNetworkTimeoutForAClusterMaster() throws Exception {
        Run r = bash(Map.of("KPFF_DRY_RUN", "1", "KPFF_MASTER", "spark://host:7077"),
                SUBMIT.resolve("local.sh").toString(), "run", "--config", "conf/smoke.conf", "--data", "/d", "--out",
                "runs/x");
        assertEquals(0, r.status(), r.err());
        List<String> argv = r.out().lines().toList();
        assertTrue(argv.contains("-Dspark.master=spark://host:7077"), argv.toString());
        assertTrue(argv.stream().noneMatch(a -> a.startsWith("-Dspark.network.timeout")), argv.toString());
        Run custom = bash(Map.of("KPFF_DRY_RUN", "1", "KPFF_NETWORK_TIMEOUT", "600s"),
                SUBMIT.resolve("local.sh").toString(), "run", "--config", "conf/smoke.conf", "--data", "/d", "--out",
                "runs/x");
        assertTrue(custom.out().lines().toList().contains("-Dspark.network.timeout=600s"), custom.out());
    }

    @Test
    void localScriptPassesConfAsSparkSubmitDoesAndNeverPrintsASecret() throws Exception {
        Run r = bash(Map.of("KPFF_DRY_RUN", "1"), SUBMIT.resolve("local.sh").toString(), "run", "--conf",
                "spark.hadoop.fs.s3a.endpoint=http://127.0.0.1:9000", "--conf=spark.kpff.lease.uri=file:///tmp/leases",
                "--conf", "spark.hadoop.fs.s3a.secret.key=Sekr3tValue", "--conf", "fs.s3a.path.style.access=true",
                "--config", "conf/smoke.conf", "--data", "s3a://b/scenes", "--out", "s3a://b/runs/x");
        assertEquals(0, r.status(), r.err());
        List<String> argv = r.out().lines().toList();
        assertTrue(argv.contains("-Dspark.hadoop.fs.s3a.endpoint=http://127.0.0.1:9000")
                && argv.contains("-Dspark.kpff.lease.uri=file:///tmp/leases"), argv.toString());
        assertTrue(argv.contains("-Dspark.hadoop.fs.s3a.secret.key=*********(redacted)"), argv.toString());
        assertFalse(r.out().contains("Sekr3tValue") || r.err().contains("Sekr3tValue"), r.out());
        assertTrue(r.err().contains("ignoring non-Spark config property: fs.s3a.path.style.access"), r.err());
        // The job's CLI gets the rest: a relative --config resolved against the caller's directory, URIs untouched.
        List<String> cli = argv.subList(argv.indexOf("org.kpff.job.cli.Main") + 1, argv.size());
        assertEquals(List.of("run", "--config", Path.of("conf/smoke.conf").toAbsolutePath().toString(), "--data",
                "s3a://b/scenes", "--out", "s3a://b/runs/x"), cli.subList(0, Math.min(7, cli.size())),
                "--conf goes to Spark, not to the job's CLI");
        assertTrue(cli.stream().noneMatch(a -> a.equals("--conf") || a.startsWith("--conf=") || a.contains("s3a.")),
                cli.toString());
        Run bad = bash(Map.of("KPFF_DRY_RUN", "1"), SUBMIT.resolve("local.sh").toString(), "run", "--conf",
                "spark.executor.memory");
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("--conf 'spark.executor.memory': expected key=value"), bad.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--help", "-h", "--version"})
    void localScriptHelpPreparesNoDataset(String flag, @TempDir Path tmp) throws Exception {
        Run r = bash(Map.of("KPFF_DRY_RUN", "1", "KPFF_DATA_DIR", tmp.resolve("d").toString()),
                SUBMIT.resolve("local.sh").toString(), "run", flag);
        assertEquals(0, r.status(), r.err());
        List<String> argv = r.out().lines().toList();
        assertEquals(List.of("run", flag), argv.subList(argv.indexOf("org.kpff.job.cli.Main") + 1, argv.size()),
                "help is passed on as it is, with no --data for a dataset to generate: " + argv);
        assertFalse(Files.exists(tmp.resolve("d")));
    }

    @Test
    void gpuDiscoveryPrintsNvidiaSmiIndices(@TempDir Path bin) throws Exception {
        fake(bin, "printf '0\\n1\\n 3 \\n'");
        Run r = bash(Map.of("PATH", bin + ":" + System.getenv("PATH")), SUBMIT.resolve("gpu-discovery.sh").toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("{\"name\":\"gpu\",\"addresses\":[\"0\",\"1\",\"3\"]}", r.out().strip());
    }

    @Test
    void gpuDiscoveryFailsClearlyWhenNvidiaSmiFails(@TempDir Path bin) throws Exception {
        fake(bin, "echo 'NVIDIA-SMI has failed' >&2; exit 9");
        Run r = bash(Map.of("PATH", bin + ":" + System.getenv("PATH")), SUBMIT.resolve("gpu-discovery.sh").toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("nvidia-smi failed"), r.err());
    }

    private static void fake(Path bin, String body) throws IOException {
        Path smi = bin.resolve("nvidia-smi");
        Files.writeString(smi, "#!/usr/bin/env bash\n" + body + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
