package org.kpff.job.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.fs.statistics.IOStatisticsSource;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.kpff.core.data.SyntheticScenes;
import org.kpff.core.fs.StoreSemantics;
import org.kpff.job.docs.ReliabilityCase;
import org.kpff.job.fault.FaultInjection;
import org.kpff.job.fault.FaultInjector;
import org.kpff.job.results.CellCommitter;
import org.kpff.job.results.ResultSchemas;
import org.kpff.job.results.RunLayout;
import org.kpff.job.results.RunLayout.CellTable;
import org.kpff.job.testing.S3Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job on {@code s3a://} against an S3-compatible server in the test JVM ({@link S3Server}): dataset in and
 * results out with no copy (rename) request at all, summarize and DuckDB read exactly the committed cells, a commit
 * cut off before its marker leaves nothing visible, the lease is refused on S3 without {@code spark.kpff.lease.uri}
 * and exclusive with it, and the requests of one cell commit are counted.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class S3JobTest {

    private static final Logger LOG = LoggerFactory.getLogger(S3JobTest.class);

    @TempDir
    static Path tmp;
    static S3Server s3;
    static SparkSession spark;
    static String data;
    static String out;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.start("kpff");
        spark = s3.configure(SparkSession.builder().master("local[2]").appName("S3JobTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1")
                .config(OutputLease.LEASE_URI_CONF, tmp.resolve("leases").toUri().toString())).getOrCreate();
        data = s3.root() + "/datasets/scenes";
        out = s3.root() + "/runs/r1";
        SyntheticScenes.generate(data, 3, 6, 16, 9, conf());
    }

    @AfterAll
    static void stop() throws Exception {
        if (spark != null) {
            spark.stop();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    static Configuration conf() {
        return spark.sparkContext().hadoopConfiguration();
    }

    @Test
    @Order(1)
    void aGridReadsFromAndWritesToS3WithoutASingleCopy() throws Exception {
        s3.resetCounts();
        JobDriver.Report r = new JobDriver(spark).run(JobEndToEndTest.tiny("model.methods=[concat,kpff]"), data, out,
                false, List.of("run"));
        assertEquals(4, r.ok());
        assertEquals(0, s3.counts().getOrDefault("copyBlob", 0L), "no rename (copy) on S3: " + s3.counts());

        RunLayout layout = new RunLayout(out);
        CellCommitter committer = new CellCommitter(layout, conf());
        assertTrue(committer.direct());
        assertEquals(4, committer.committedCells().size());
        Map<String, Integer> parquetPerCell = new TreeMap<>();
        for (String key : keys(out)) {
            String[] p = key.substring(key.indexOf("/runs/r1/") + "/runs/r1/".length()).split("/");
            assertFalse(p[0].equals("_staging") || key.contains("/_temporary/") || key.contains("/__magic"), key);
            if (p[0].equals("cells") && p[2].endsWith(".parquet")) {
                parquetPerCell.merge(p[1], 1, Integer::sum);
            }
        }
        assertEquals(4, parquetPerCell.size());
        parquetPerCell.values().forEach(n -> assertEquals(1, n, "one cells object per cell: " + parquetPerCell));
        assertEquals(4, spark.read().schema(ResultSchemas.CELLS).parquet(out + "/cells/*").count());
        assertEquals(4 * 2, spark.read().schema(ResultSchemas.METRICS).parquet(out + "/metrics/*").count());
        assertEquals(4 * 9, spark.read().schema(ResultSchemas.PREDICTIONS).parquet(out + "/predictions/*").count());
        assertEquals(18, spark.read().parquet(out + "/folds.parquet").count());
        for (String id : committer.committedCells()) {
            FileSystem fs = new org.apache.hadoop.fs.Path(out).getFileSystem(conf());
            assertTrue(fs.exists(new org.apache.hadoop.fs.Path(layout.checkpointDir(id), "LATEST")), id);
        }
        // The lease lived beside, under spark.kpff.lease.uri, and is released.
        assertTrue(OutputLease.currentOwner(out, tmp.resolve("leases").toUri().toString(), conf()).isEmpty());
    }

    @Test
    @Order(2)
    void summarizeAndDuckDbReadTheCommittedCells() throws Exception {
        String md = new JobDriver(spark).summarize(out);
        assertTrue(md.contains("KPFF") && md.contains("Concat"), md);
        // DuckDB reaches S3 only through its httpfs extension, a download this build does not make: it reads a
        // local copy of the run folder, made with Hadoop's own copy.
        Path local = tmp.resolve("copy");
        FileSystem fs = new org.apache.hadoop.fs.Path(out).getFileSystem(conf());
        assertTrue(FileUtil.copy(fs, new org.apache.hadoop.fs.Path(out), FileSystem.getLocal(conf()),
                new org.apache.hadoop.fs.Path(local.toUri()), false, conf()));
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            String cells = "read_parquet('" + local + "/cells/*/*.parquet')";
            assertEquals(4, JobEndToEndTest.count(c, "SELECT count(DISTINCT cell_id) FROM " + cells));
            assertEquals(4, JobEndToEndTest.count(c, "SELECT count(*) FROM " + cells + " WHERE status = 'ok'"));
            assertEquals(8, JobEndToEndTest.count(c, "SELECT count(*) FROM read_parquet('" + local
                    + "/metrics/*/*.parquet')"));
            assertEquals(2, JobEndToEndTest.count(c, "SELECT count(*) FROM read_parquet('" + local
                    + "/summary.parquet/*.parquet')"));
        }
    }

    @Test
    @Order(3)
    @ReliabilityCase(fault = "On s3a://, a commit cut off after the cell's metrics and predictions, before its "
            + "`cells` object (the marker)", outcome = "The cell is not committed: no reader of `cells` sees it; the "
            + "retried commit replaces the orphans and commits it once; `--resume` removes orphans of a commit that "
            + "never came back")
    void aCommitCutOffBeforeItsMarkerLeavesNoVisibleCell() throws Exception {
        RunLayout layout = new RunLayout(out);
        CellCommitter committer = new CellCommitter(layout, conf());
        Set<String> before = committer.committedCells();
        String id = "alexnet-kpff-f9-cutoff";
        FaultInjector cut = new FaultInjector() {
            @Override
            public void beforeRename(String cell) throws IOException {
                throw new IOException("injected: driver lost before the marker of " + cell);
            }
        };
        try (var faults = FaultInjection.install(cut)) {
            assertThrows(IOException.class, () -> committer.commit(id, tables()));
        }
        FileSystem fs = new org.apache.hadoop.fs.Path(out).getFileSystem(conf());
        assertTrue(fs.exists(new org.apache.hadoop.fs.Path(layout.committed(CellTable.METRICS, id))), "orphan");
        assertFalse(committer.isCommitted(id));
        assertEquals(before, committer.committedCells());
        assertEquals(before.size(), spark.read().schema(ResultSchemas.CELLS).parquet(out + "/cells/*").count());

        assertEquals(2, committer.cleanOrphans(), "the orphaned metrics and predictions folders of the cut-off cell");
        assertFalse(fs.exists(new org.apache.hadoop.fs.Path(layout.committed(CellTable.METRICS, id))));
        committer.commit(id, tables());
        assertTrue(committer.isCommitted(id));
        assertThrows(IllegalStateException.class, () -> committer.commit(id, tables()), "never twice");
        for (CellTable t : CellTable.values()) {
            fs.delete(new org.apache.hadoop.fs.Path(layout.committed(t, id)), true);
        }
        assertEquals(before, committer.committedCells());
    }

    @Test
    @Order(3)
    @ReliabilityCase(fault = "On s3a://, the Spark task writing a cell's `cells` object (the marker) dies halfway "
            + "through its rows", outcome = "The magic committer aborts the task's upload: no `cells` object, the "
            + "cell is not committed and no reader sees a row of it; the retried commit commits it once")
    void aTaskThatDiesInsideTheMarkerWriteLeavesNothingVisible() throws Exception {
        RunLayout layout = new RunLayout(out);
        CellCommitter committer = new CellCommitter(layout, conf());
        Set<String> before = committer.committedCells();
        String id = "alexnet-kpff-f9-taskdies";
        Map<CellTable, CellCommitter.TableWriter> dying = tables();
        dying.put(CellTable.CELLS, dir -> spark.range(5).coalesce(1).map((MapFunction<Long, Long>) x -> {
            if (x == 3) {
                throw new IllegalStateException("injected: the task dies after writing 3 rows of the marker");
            }
            return x;
        }, Encoders.LONG()).write().mode(SaveMode.ErrorIfExists).parquet(dir));
        Exception e = assertThrows(Exception.class, () -> committer.commit(id, dying));
        assertTrue(String.valueOf(e.getMessage()).contains("Job aborted") || e.toString().contains("injected"),
                e.toString());
        assertFalse(committer.isCommitted(id));
        assertEquals(before, committer.committedCells());
        assertFalse(keys(layout.committed(CellTable.CELLS, id)).stream().anyMatch(k -> k.endsWith(".parquet")
                && !k.contains("/__magic")), "no visible cells object");
        assertEquals(before.size(), spark.read().schema(ResultSchemas.CELLS).parquet(out + "/cells/*").count());
        committer.commit(id, tables());
        assertEquals(1, keys(layout.committed(CellTable.CELLS, id)).stream().filter(k -> k.endsWith(".parquet"))
                .count());
        FileSystem fs = new org.apache.hadoop.fs.Path(out).getFileSystem(conf());
        for (CellTable t : CellTable.values()) {
            fs.delete(new org.apache.hadoop.fs.Path(layout.committed(t, id)), true);
        }
    }

    @Test
    @Order(4)
    void requestsOfOneCellCommitAreCounted() throws Exception {
        RunLayout layout = new RunLayout(out);
        FileSystem fs = new org.apache.hadoop.fs.Path(out).getFileSystem(conf());
        Map<String, Long> client = new TreeMap<>();
        Map<String, Long> server = commitCounted(new CellCommitter(layout, conf()), fs, "alexnet-kpff-f9-count",
                client);

        assertEquals(3, server.getOrDefault("completeMultipartUpload", 0L), "one upload per table: " + server);
        assertEquals(0, server.getOrDefault("copyBlob", 0L));
        // The same commit by staging and renaming (forced on S3A): what the job did on S3 before.
        Configuration renaming = new Configuration(conf());
        renaming.set(StoreSemantics.overrideKey("s3a"), "true");
        Map<String, Long> renameClient = new TreeMap<>();
        Map<String, Long> renameServer = commitCounted(new CellCommitter(layout, renaming), fs,
                "alexnet-kpff-f9-rename", renameClient);
        assertTrue(renameServer.getOrDefault("copyBlob", 0L) >= 3, "rename = copy per object: " + renameServer);
        String report = "direct commit (final names, cells object last, magic committer): S3A client " + client
                + "; server " + server + "\nrename commit forced on s3a (staging + rename): S3A client " + renameClient
                + "; server " + renameServer + "\n";
        java.nio.file.Files.writeString(Path.of("target", "s3-commit-requests.txt"), report);
        LOG.info("Requests of one cell commit on s3a: {}", report);
    }

    /** Commits three one-file tables, returns the server's operations and fills {@code client} with S3A's. */
    private static Map<String, Long> commitCounted(CellCommitter committer, FileSystem fs, String id,
            Map<String, Long> client) throws Exception {
        Map<String, Long> before = s3aRequests(fs);
        s3.resetCounts();
        committer.commit(id, tables());
        Map<String, Long> server = s3.counts();
        client.putAll(s3aRequests(fs));
        client.replaceAll((k, v) -> v - before.getOrDefault(k, 0L));
        assertTrue(committer.isCommitted(id));
        for (CellTable t : CellTable.values()) {
            fs.delete(new org.apache.hadoop.fs.Path(new RunLayout(out).committed(t, id)), true);
        }
        return server;
    }

    @Test
    @Order(5)
    @ReliabilityCase(fault = "Two drivers on one s3a:// output folder", outcome = "Without `spark.kpff.lease.uri` "
            + "the run is refused (S3 has no exclusive rename); with it, the second driver is refused naming the "
            + "first")
    void theLeaseOnS3IsRefusedWithoutALeaseUriAndExclusiveWithOne() throws Exception {
        String other = s3.root() + "/runs/r2";
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> OutputLease.acquire(other, null, conf(), "app-1", Duration.ofMinutes(2), Clock.systemUTC()));
        assertTrue(refused.getMessage().contains("s3a://") && refused.getMessage().contains(
                OutputLease.LEASE_URI_CONF), refused.getMessage());
        String leases = tmp.resolve("leases").toUri().toString();
        try (OutputLease first = OutputLease.acquire(other, leases, conf(), "app-1", Duration.ofMinutes(2),
                Clock.systemUTC())) {
            OutputLease.HeldException e = assertThrows(OutputLease.HeldException.class,
                    () -> new JobDriver(spark).run(JobEndToEndTest.tiny("model.methods=[kpff]"), data, other, false,
                            List.of("run")));
            assertTrue(e.getMessage().contains("application app-1"), e.getMessage());
            first.checkHeld();
        }
        IllegalArgumentException onS3 = assertThrows(IllegalArgumentException.class,
                () -> OutputLease.acquire(other, s3.root() + "/leases", conf(), "app-1", Duration.ofMinutes(2),
                        Clock.systemUTC()));
        assertTrue(onS3.getMessage().contains("neither atomic nor exclusive"), onS3.getMessage());
    }

    /** Three one-file tables, written the way ResultWriter writes a cell's. */
    private static Map<CellTable, CellCommitter.TableWriter> tables() {
        Map<CellTable, CellCommitter.TableWriter> m = new EnumMap<>(CellTable.class);
        for (CellTable t : CellTable.values()) {
            m.put(t, dir -> spark.range(3).coalesce(1).write().mode(SaveMode.ErrorIfExists).parquet(dir));
        }
        return m;
    }

    /** The S3A client's request counters (HEAD, LIST, PUT, copy, delete, multipart). */
    static Map<String, Long> s3aRequests(FileSystem fs) {
        Map<String, Long> m = new TreeMap<>();
        ((IOStatisticsSource) fs).getIOStatistics().counters().forEach((k, v) -> {
            if (List.of("object_metadata_request", "object_list_request", "object_put_request",
                    "object_delete_request", "object_bulk_delete_request",
                    "object_multipart_initiated", "multipart_upload_completed", "action_http_get_request",
                    "store_io_request").contains(k)) {
                m.put(k, v);
            }
        });
        return m;
    }

    private static List<String> keys(String root) throws Exception {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(root);
        List<String> keys = new ArrayList<>();
        if (!p.getFileSystem(conf()).exists(p)) {
            return keys;
        }
        RemoteIterator<LocatedFileStatus> it = p.getFileSystem(conf()).listFiles(p, true);
        while (it.hasNext()) {
            keys.add(it.next().getPath().toString());
        }
        return keys;
    }
}
