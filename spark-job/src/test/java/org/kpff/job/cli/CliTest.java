package org.kpff.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real command line: every subcommand, exit codes and messages, a whole run and its summary. */
class CliTest {

    @TempDir
    static Path tmp;
    static String data;

    /** Exit status and what the command wrote. */
    record Result(int status, String out, String err) {
    }

    static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(status, out.toString(), err.toString());
    }

    @BeforeAll
    static void generate() {
        data = tmp.resolve("scenes").toString();
        Result r = cli("datagen", "--out", data, "--classes", "3", "--per-class", "6", "--size", "16", "--seed", "5");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("Wrote 18 images in 3 classes"), r.out());
    }

    @Test
    void helpListsTheSubcommands() {
        Result r = cli("--help");
        assertEquals(0, r.status());
        for (String sub : new String[] {"run", "search", "summarize", "equivalence", "plan", "inspect", "datagen"}) {
            assertTrue(r.out().contains(sub), sub + " in " + r.out());
        }
        assertEquals(0, cli("run", "--help").status());
        assertEquals(2, cli("frobnicate").status());
    }

    @Test
    void inspectReportsAGoodDatasetAndFailsOnAMissingOne() {
        Result ok = cli("inspect", "--data", data, "--folds", "2");
        assertEquals(0, ok.status(), ok.err());
        assertTrue(ok.out().contains("class00") && ok.out().contains("16×16"), ok.out());
        String missing = tmp.resolve("nowhere").toString();
        Result bad = cli("inspect", "--data", missing);
        assertEquals(1, bad.status());
        assertTrue(bad.err().contains("nowhere"), bad.err());
    }

    @Test
    void planCountsCellsAndProjectsTime() {
        Result r = cli("plan", "--config", "../conf/smoke.conf", "--data", data, "--tflops", "10", "--slots", "4");
        assertEquals(0, r.status(), r.err());
        // smoke: 2 folds × 3 backbones × 4 methods
        assertTrue(r.out().contains("24 cells"), r.out());
        assertTrue(r.out().contains("alexnet/kpff") && r.out().contains("Projected wall time"), r.out());
        // Totals first, then one line per backbone/method (2 folds each), the notation explained, no cell list.
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(1).startsWith("24 cells, ") && lines.get(2).startsWith("Projected wall time"), r.out());
        assertEquals(12, lines.stream().filter(l -> l.matches("(alexnet|vgg16|inception)/(none|add|concat|kpff) +2 .*"))
                .count(), r.out());
        assertTrue(r.out().contains("<backbone>/<method>@<input>x<width>r<r>: input size in pixels,")
                && r.out().contains("width multiplier, projection width r"), r.out());
        assertFalse(r.out().contains("alexnet-kpff-f0-"), r.out());
        Result all = cli("plan", "--config", "../conf/smoke.conf", "--data", data, "--cells");
        assertTrue(all.out().contains("alexnet-kpff-f0-") && all.out().contains("<8 hex of the hyperparameter point's "
                + "hash>"), all.out());
    }

    @Test
    void reportsPrintedWithPrintReachABufferedStream() {
        // As on a terminal: System.out behind a buffer. A report written with print() must not be lost at exit.
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        PrintWriter buffered = new PrintWriter(new java.io.BufferedWriter(
                new java.io.OutputStreamWriter(bytes, java.nio.charset.StandardCharsets.UTF_8)), true);
        int status = Main.execute(buffered, new PrintWriter(new StringWriter(), true),
                "plan", "--config", "../conf/smoke.conf", "--data", data);
        assertEquals(0, status);
        String printed = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(printed.contains("Projected wall time"), printed);
    }

    @Test
    void runThenSummarizeThroughTheCommandLine() throws Exception {
        String out = tmp.resolve("cli-run").toString();
        String[] grid = {"--config", "../conf/smoke.conf", "--set", "data.input-size=16", "--set",
            "model.backbones=[alexnet]", "--set", "model.methods=[none,kpff]", "--set", "train.epochs=1",
            "--set", "eval.every=1", "--set", "train.batch-size=6", "--set", "model.projection-width=8"};
        Result run = cli(concat(new String[] {"run", "--data", data, "--out", out}, grid));
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("4 trained now (4 ok, 0 failed)"), run.out());
        assertTrue(Files.exists(Path.of(out, "summary.md")));

        Result again = cli(concat(new String[] {"run", "--data", data, "--out", out}, grid));
        assertEquals(1, again.status());
        assertTrue(again.err().contains("--resume"), again.err());

        Result summary = cli("summarize", "--out", out);
        assertEquals(0, summary.status(), summary.err());
        assertTrue(summary.out().contains("KPFF") && summary.out().contains("3 classes, 18 images."), summary.out());
        assertFalse(summary.out().contains("88.10"), "3 classes are not UC Merced: no paper numbers\n" + summary.out());
    }

    @Test
    void searchThroughTheCommandLineWritesABestConfigThatRuns() throws Exception {
        String out = tmp.resolve("cli-search").toString();
        String[] tiny = {"--config", "../conf/search-example.conf", "--set", "data.input-size=16", "--set",
            "model.projection-width=8", "--set", "train.batch-size=6", "--set", "train.epochs=1", "--set",
            "search.strategy=grid", "--set", "search.trials=0", "--set",
            "search.space={\"train.learning-rate\" = [0.0003, 0.003]}"};
        Result r = cli(concat(new String[] {"search", "--data", data, "--out", out}, tiny));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("Strategy **grid**") && r.out().contains("Trials: 2 (2 completed, 0 stopped, "
                + "0 failed, 0 unfinished). Cells: 4 trained now, 0 already committed, 0 incomplete. Epoch-cells: 4 "
                + "of 4."), r.out());
        assertTrue(r.out().contains("Best trial ") && r.out().contains("best.conf"), r.out());
        for (String f : new String[] {"trials", "search.md", "best.conf", "decisions.json", "run.json"}) {
            assertTrue(Files.exists(Path.of(out, f)), f);
        }
        // best.conf runs as it is: no --data, no search section.
        Result run = cli("run", "--config", Path.of(out, "best.conf").toString(), "--out", tmp.resolve("best-run")
                .toString());
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("2 trained now (2 ok, 0 failed)"), run.out());

        // The subcommands refuse each other's configs before any work.
        Result plainSearch = cli("search", "--config", "../conf/smoke.conf", "--data", data, "--out",
                tmp.resolve("never1").toString());
        assertEquals(1, plainSearch.status());
        assertTrue(plainSearch.err().contains("The config has no search"), plainSearch.err());
        Result searchRun = cli("run", "--config", "../conf/search-example.conf", "--data", data, "--out",
                tmp.resolve("never2").toString());
        assertEquals(1, searchRun.status());
        assertTrue(searchRun.err().contains("run it with the search subcommand"), searchRun.err());
        assertTrue(!Files.exists(tmp.resolve("never1")) && !Files.exists(tmp.resolve("never2")), "nothing written");
    }

    @Test
    void badConfigValuesFailBeforeSparkWithEveryProblemNamed() {
        Result r = cli("run", "--data", data, "--out", tmp.resolve("never").toString(), "--set",
                "train.learning-rate=-0.1", "--set", "model.methods=[kpff,sum]", "--set", "train.epoch=3");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("train.learning-rate") && r.err().contains("-0.1"), r.err());
        assertTrue(r.err().contains("sum") && r.err().contains("train.epoch"), r.err());
        assertTrue(!Files.exists(tmp.resolve("never")), "nothing written");
    }

    static String[] concat(String[] a, String[] b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
