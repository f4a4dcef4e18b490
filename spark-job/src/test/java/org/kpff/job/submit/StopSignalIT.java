package org.kpff.job.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.kpff.job.docs.ReliabilityCase;

/**
 * Ctrl-C and SIGTERM sent to a real {@code submit/local.sh run} once its first cell committed: the driver exits
 * 130/143 with one line naming what is committed and the resume command, no stack trace and no ERROR line, no lease
 * and nothing under {@code _staging/} left; that command then trains every missing cell, each exactly once. A second
 * signal exits at once, and the resume still works.
 */
class StopSignalIT {

    /** 6 synthetic classes, alexnet × 4 methods × 2 folds: 8 cells of 3 epochs, two at a time. */
    static final int CELLS = 8;

    @TempDir
    static Path shared;

    @BeforeAll
    static void dataset() throws Exception {
        // The dataset the runs share, generated once (it is not what is tested here).
        SubmitScriptsTest.Run r = SubmitScriptsTest.bashIn(SubmitScriptsTest.REPO, Map.of(),
                SubmitScriptsTest.SUBMIT.resolve("local.sh").toString(), "datagen", "--out",
                shared.resolve("data").toString(), "--classes", "6", "--per-class", "20", "--size", "32");
        assertEquals(0, r.status(), r.err());
    }

    @ParameterizedTest
    @CsvSource({"INT, 1, 130", "TERM, 1, 143", "INT, 2, 130"})
    @ReliabilityCase(fault = "Ctrl-C (SIGINT) or SIGTERM sent to `submit/local.sh run` after its first commit; or "
            + "twice", outcome = "No new cells; cells training are cancelled, commits under way finish; `_staging/` "
            + "empty, lease released; one line with the committed cells and the resume command; exit 130/143, no "
            + "stack trace. A second signal exits at once. The printed command resumes: every cell exactly once")
    void aSignalStopsTheRunCleanlyAndItsResumeCommandFinishesIt(String signal, int times, int status,
            @TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        Path log = tmp.resolve("driver.log");
        List<String> cmd = new ArrayList<>(List.of("env", "--default-signal=INT,TERM", "bash",
                SubmitScriptsTest.SUBMIT.resolve("local.sh").toString(), "run", "--config", "conf/smoke.conf",
                "--data", shared.resolve("data").toString(), "--out", out.toString(), "--set",
                "model.backbones=[alexnet]", "--set", "train.epochs=3", "--set", "eval.every=1"));
        // env and bash exec: the process started here is the driver JVM itself, as in a terminal.
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(SubmitScriptsTest.REPO.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(Map.of("KPFF_DRIVER_MEMORY", "2g", "KPFF_MASTER", "local[2]"));
        Process driver = pb.start();
        try {
            awaitFirstCommit(out, driver, log);
            // The second signal goes as soon as the driver has taken the first (its warning is in the log): sent
            // back to back, both could arrive while the first is still pending, and the kernel delivers two pending
            // signals of one kind as one; sent later, it would find a driver that had already stopped and printed
            // its summary (a stop takes about a second once the cells are cancelled).
            for (int i = 0; i < times; i++) {
                Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(driver.pid())).start();
                assertEquals(0, kill.waitFor());
                if (i + 1 < times) {
                    awaitLine(log, "Press Ctrl-C again", driver);
                }
            }
            Thread.sleep(100);
            assertTrue(driver.waitFor(times == 2 ? 5 : 120, TimeUnit.SECONDS), "the driver exits "
                    + (times == 2 ? "at once on a second signal" : "after stopping"));
        } finally {
            driver.destroyForcibly();
        }
        String printed = Files.readString(log);
        assertEquals(status, driver.exitValue(), printed);
        assertTrue(printed.lines().noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by")
                || l.contains(" ERROR ") || l.contains("Exception in thread")), "no stack trace, no ERROR line:\n"
                + printed);
        List<String> summary = printed.lines().filter(l -> l.contains("resume with:")).toList();
        List<String> committed = List.of(list(out.resolve("cells")));
        assertTrue(committed.size() >= 1 && committed.size() < CELLS, committed.toString());
        String resume;
        if (times == 1) {
            assertEquals(1, summary.size(), printed);
            assertTrue(summary.get(0).startsWith("Stopped by SIG" + signal + ": ") && summary.get(0).contains(
                    committed.size() + " of " + CELLS + " planned in the run"), summary.get(0));
            assertFalse(Files.exists(out.resolve("_staging")), "nothing left in _staging/");
            assertEquals(0, list(out.resolve(".kpff-lease")).length, "the lease is released");
            resume = summary.get(0).substring(summary.get(0).indexOf("resume with: ") + "resume with: ".length());
            assertTrue(resume.startsWith(SubmitScriptsTest.SUBMIT.resolve("local.sh") + " run --out " + out)
                    && resume.endsWith(" --resume"), resume);
            if (signal.equals("INT")) {
                // The stopped run's summary says it is partial.
                SubmitScriptsTest.Run summarized = SubmitScriptsTest.bash(Map.of("KPFF_DRIVER_MEMORY", "2g"),
                        SubmitScriptsTest.SUBMIT.resolve("local.sh").toString(), "summarize", "--out", out.toString());
                assertEquals(0, summarized.status(), summarized.err());
                assertTrue(summarized.out().contains("Partial run: " + committed.size() + " of " + CELLS + " planned "
                        + "cells are committed"), summarized.out());
            }
        } else {
            assertEquals(0, summary.size(), "the second signal exits at once, without the summary:\n" + printed);
            resume = SubmitScriptsTest.SUBMIT.resolve("local.sh") + " run --config "
                    + SubmitScriptsTest.REPO.resolve("conf/smoke.conf") + " --data "
                    + shared.resolve("data") + " --out " + out + " --set 'model.backbones=[alexnet]' --set "
                    + "train.epochs=3 --set eval.every=1 --resume";
        }

        if (signal.equals("TERM")) {
            return; // SIGTERM ends the attempt as SIGINT does: the two SIGINT cases resume (a few minutes less)
        }
        // The printed command, run by a shell from another folder, finishes the run: every cell exactly once.
        ProcessBuilder again = new ProcessBuilder("bash", "-c", resume).directory(tmp.toFile())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("resume.log").toFile());
        again.environment().putAll(Map.of("KPFF_DRIVER_MEMORY", "2g", "KPFF_MASTER", "local[2]"));
        Process resumed = again.start();
        assertTrue(resumed.waitFor(240, TimeUnit.SECONDS), "resume finished");
        String resumeLog = Files.readString(tmp.resolve("resume.log"));
        assertEquals(0, resumed.exitValue(), resumeLog);
        assertTrue(resumeLog.contains((CELLS - committed.size()) + " trained now") && resumeLog.contains(
                committed.size() + " already committed, 0 incomplete"), resumeLog);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*), count(DISTINCT cell_id) FROM read_parquet('" + out
                        + "/cells/*/*.parquet')")) {
            assertTrue(r.next());
            assertEquals(CELLS, r.getInt(1), "one row per cell");
            assertEquals(CELLS, r.getInt(2), "every cell");
        }
        assertFalse(Files.exists(out.resolve("_staging")), "a finished run keeps no _staging/");
    }

    /** Waits until a cell is committed; fails with the driver's log when the driver exits first. */
    /** Waits (up to 30 s) until the driver's log has a line containing {@code text}. */
    private static void awaitLine(Path log, String text, Process driver) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(log).contains(text)) {
            assertTrue(driver.isAlive() && System.nanoTime() < deadline, "no '" + text + "' in the log:\n"
                    + Files.readString(log));
            Thread.sleep(5);
        }
    }

    private static void awaitFirstCommit(Path out, Process driver, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (list(out.resolve("cells")).length == 0) {
            if (!driver.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("no cell committed (driver alive: " + driver.isAlive() + "):\n"
                        + Files.readString(log));
            }
            Thread.sleep(50);
        }
    }

    private static String[] list(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return new String[0];
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted()
                    .toArray(String[]::new);
        }
    }
}
