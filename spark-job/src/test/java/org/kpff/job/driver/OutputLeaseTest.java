package org.kpff.job.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kpff.job.docs.ReliabilityCase;
import org.kpff.job.results.RunLayout;
import org.kpff.job.testing.FakeClock;

/**
 * The run folder's single-writer lease on a local file system and on a real HDFS (MiniDFSCluster): a second driver
 * is refused naming the holder, a stale lease is taken over after the timeout and its old holder stops, racing
 * drivers get exactly one lease, and a folder created only for the lease is removed again.
 */
class OutputLeaseTest {

    static final Duration LONG = Duration.ofMinutes(10);

    @TempDir
    static Path tmp;
    static MiniDFSCluster hdfs;
    static final Configuration CONF = new Configuration();

    @BeforeAll
    static void start() throws Exception {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("hdfs").toString());
        hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs.waitActive();
    }

    @AfterAll
    static void stop() {
        if (hdfs != null) {
            hdfs.shutdown();
        }
    }

    private static int folders;

    /** A fresh run folder URI on the given file system. */
    static synchronized String folder(String fs) {
        folders++;
        return fs.equals("hdfs") ? hdfs.getURI() + "/runs/r" + folders : tmp.resolve("runs").resolve("r" + folders)
                .toUri().toString();
    }

    static FileSystem fileSystem(String out) throws Exception {
        return new org.apache.hadoop.fs.Path(out).getFileSystem(CONF);
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "hdfs"})
    @ReliabilityCase(fault = "Two drivers on one output folder (a second run, or a `--resume` while the first still "
            + "runs)", outcome = "The second is refused: \"Output … is in use by another driver (host …, application "
            + "…, pid …, since …, last heartbeat … ago)\"; on file:// and hdfs://")
    void aSecondDriverIsRefusedNamingTheHolder(String fs) throws Exception {
        String out = folder(fs);
        try (OutputLease first = OutputLease.acquire(out, CONF, "app-first", LONG)) {
            OutputLease.HeldException e = assertThrows(OutputLease.HeldException.class,
                    () -> OutputLease.acquire(out, CONF, "app-second", LONG));
            assertTrue(e.getMessage().contains("application app-first") && e.getMessage().contains("host "
                    + OutputLease.hostName()) && e.getMessage().contains("pid " + ProcessHandle.current().pid())
                    && e.getMessage().contains("in use by another driver"), e.getMessage());
            assertEquals(1, first.generation());
            first.checkHeld();
        }
        try (OutputLease second = OutputLease.acquire(out, CONF, "app-second", LONG)) {
            assertEquals(1, second.generation(), "a released lease leaves no owner file: numbering starts again");
            assertEquals("app-second", OutputLease.currentOwner(out, CONF).orElseThrow().holder().applicationId());
        }
        assertTrue(OutputLease.currentOwner(out, CONF).isEmpty(), "released");
        assertFalse(fileSystem(out).exists(new org.apache.hadoop.fs.Path(out)),
                "a folder created only for the lease is removed with it");
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "hdfs"})
    @ReliabilityCase(fault = "A driver whose lease heartbeat stopped (killed on another host, or paused)", outcome
            = "Its lease is taken over once the heartbeat is older than `spark.kpff.lease.timeout` (120 s); the old "
            + "holder, should it wake, fails its next commit (\"lost the lease\"); a driver killed on the same host "
            + "is taken over at once")
    void aStaleLeaseIsTakenOverAfterTheTimeoutAndItsHolderStops(String fs) throws Exception {
        String out = folder(fs);
        // Heartbeats every LONG / 4 of wall time never fire during the test: the fake clock and beat() drive it.
        FakeClock clock = new FakeClock(Instant.parse("2026-12-04T10:00:00Z"));
        OutputLease stalled = OutputLease.acquire(out, null, CONF, "app-stalled", LONG, clock);
        stalled.stopHeartbeat();
        clock.advance(LONG.minusSeconds(1));
        assertThrows(OutputLease.HeldException.class, () -> OutputLease.acquire(out, null, CONF, "app-next", LONG,
                clock), "refused while the heartbeat is younger than the timeout");
        clock.advance(Duration.ofSeconds(2));
        try (OutputLease next = OutputLease.acquire(out, null, CONF, "app-next", LONG, clock)) {
            assertEquals(2, next.generation());
            IllegalStateException lost = assertThrows(IllegalStateException.class, stalled::checkHeld);
            assertTrue(lost.getMessage().contains("lost the lease") && lost.getMessage().contains("app-next"),
                    lost.getMessage());
            stalled.close();
            next.checkHeld();
            // A live holder's heartbeat keeps it: past the timeout, a beat in between, another driver is refused.
            clock.advance(LONG.plusSeconds(1));
            next.beat();
            OutputLease.HeldException held = assertThrows(OutputLease.HeldException.class,
                    () -> OutputLease.acquire(out, null, CONF, "app-third", LONG, clock));
            assertTrue(held.getMessage().contains("last heartbeat 0.0 s ago"), held.getMessage());
            next.checkHeld();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "hdfs"})
    void racingDriversGetExactlyOneLease(String fs) throws Exception {
        String out = folder(fs);
        int drivers = 6;
        ExecutorService pool = Executors.newFixedThreadPool(drivers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<OutputLease>> tries = new ArrayList<>();
        try {
            for (int i = 0; i < drivers; i++) {
                String app = "app-" + i;
                tries.add(pool.submit(() -> {
                    go.await();
                    try {
                        return OutputLease.acquire(out, CONF, app, LONG);
                    } catch (OutputLease.HeldException e) {
                        return null;
                    }
                }));
            }
            go.countDown();
            List<OutputLease> won = new ArrayList<>();
            for (Future<OutputLease> f : tries) {
                OutputLease l = f.get(60, TimeUnit.SECONDS);
                if (l != null) {
                    won.add(l);
                }
            }
            assertEquals(1, won.size(), "exactly one of " + drivers + " racing drivers holds the lease");
            assertEquals(won.get(0).holder().token(),
                    OutputLease.currentOwner(out, CONF).orElseThrow().holder().token());
            won.get(0).close();
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "hdfs"})
    void aFolderWithARunIsKeptWhenTheLeaseIsReleased(String fs) throws Exception {
        String out = folder(fs);
        try (OutputLease l = OutputLease.acquire(out, CONF, "app", LONG)) {
            FileSystem f = fileSystem(out);
            try (var o = f.create(new org.apache.hadoop.fs.Path(out, "run.json"))) {
                o.write('{');
            }
        }
        assertTrue(fileSystem(out).exists(new org.apache.hadoop.fs.Path(out, "run.json")));
        assertFalse(fileSystem(out).exists(new org.apache.hadoop.fs.Path(new RunLayout(out).leaseDir())));
    }

    @org.junit.jupiter.api.Test
    void aTimeoutIsASparkTimeString() {
        assertEquals(Duration.ofSeconds(90), OutputLease.parseTimeout("90s"));
        assertEquals(Duration.ofMinutes(2), OutputLease.parseTimeout("2min"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OutputLease.parseTimeout("soon"));
        assertTrue(e.getMessage().contains("spark.kpff.lease.timeout = 'soon'"), e.getMessage());
        assertTrue(Files.isDirectory(tmp));
    }
}
