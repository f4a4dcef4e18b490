package org.kpff.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kpff.core.data.SyntheticScenes;
import org.kpff.job.config.JobConfig;

/**
 * The mistakes a new user makes, each answered before any work with the real cause: an unknown key before the
 * synthetic dataset is generated, an --out that is a file or cannot be written, a misspelt subcommand, a plan with a
 * huge epoch count or folds the dataset cannot make, inspect agreeing with run on undecodable images; and which
 * dataset a run uses when --data is absent.
 */
class NewUserEdgesTest {

    @TempDir
    static Path tmp;
    static String data;

    @BeforeAll
    static void generate() {
        data = tmp.resolve("scenes").toString();
        assertEquals(0, CliTest.cli("datagen", "--out", data, "--classes", "3", "--per-class", "6", "--size", "16",
                "--seed", "5").status());
    }

    @Test
    void anUnknownKeyIsReportedBeforeTheSyntheticDatasetIsGenerated() {
        Path synthetic = tmp.resolve("never-generated");
        CliTest.Result r = CliTest.cli("run", "--set", "train.epochz=3", "--synthetic-data", synthetic.toString(),
                "--out", tmp.resolve("unknown-key-run").toString());
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().contains("train.epochz") && r.err().contains("train.epochs"), r.err());
        assertFalse(Files.exists(synthetic), "nothing generated for a config that is refused");
        assertFalse(Files.exists(tmp.resolve("unknown-key-run")));
    }

    @Test
    void theDatasetIsDataThenTheConfigsDataUriThenTheSyntheticOne() throws Exception {
        Path synthetic = tmp.resolve("synthetic");
        RunFolderOptions given = new RunFolderOptions();
        given.data = data;
        given.syntheticData = synthetic.toString();
        JobConfig withUri = JobConfig.loadResource(JobConfig.SMOKE_RESOURCE, List.of("data.uri=" + tmp.resolve("u")));
        assertEquals(data, given.dataUri(withUri), "--data wins");

        RunFolderOptions absent = new RunFolderOptions();
        absent.syntheticData = synthetic.toString();
        assertEquals(tmp.resolve("u").toString(), absent.dataUri(withUri), "the config's data.uri, not ignored");
        assertFalse(Files.exists(synthetic), "no synthetic dataset when data.uri names one");

        JobConfig none = JobConfig.loadResource(JobConfig.SMOKE_RESOURCE, List.of());
        assertEquals(synthetic.toString(), absent.dataUri(none));
        assertTrue(Files.isDirectory(synthetic.resolve("class05")) && SyntheticScenes.isSynthetic(synthetic.toString(),
                new Configuration()), "generated, with its marker");
    }

    @Test
    void anOutThatIsAFileOrUnderOneIsRefusedInWords() throws Exception {
        Path file = Files.writeString(tmp.resolve("afile.txt"), "not a folder");
        CliTest.Result isFile = CliTest.cli("run", "--data", data, "--out", file.toString());
        assertEquals(1, isFile.status());
        assertTrue(isFile.err().contains("--out " + file + " is a file, not a folder"), isFile.err());
        CliTest.Result under = CliTest.cli("run", "--data", data, "--out", file.resolve("run").toString());
        assertTrue(under.err().contains("cannot be created: " + file + " is a file, not a folder"), under.err());
        assertEquals("not a folder", Files.readString(file));
    }

    @Test
    void anOutThatCannotBeCreatedNamesTheReason() {
        // /sys refuses new folders even to root (for whom permissions do not apply).
        assumeTrue(Files.isDirectory(Path.of("/sys/kernel")), "needs Linux's /sys");
        CliTest.Result r = CliTest.cli("run", "--data", data, "--out", "/sys/kpff-test/run");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("--out /sys/kpff-test/run cannot be created in /sys: ")
                && (r.err().contains("operation not permitted") || r.err().contains("permission denied")), r.err());
    }

    @Test
    void aMisspeltSubcommandGetsTheNearestOne() {
        CliTest.Result r = CliTest.cli("rnu", "--config", "conf/smoke.conf");
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("error: 'rnu' is not a subcommand; did you mean 'run'? Subcommands: run, search"),
                r.err());
        assertFalse(r.err().contains("Usage:"), "one line, not the whole usage: " + r.err());
        assertTrue(CliTest.cli("sumarize").err().contains("did you mean 'summarize'?"));
    }

    @Test
    void runHelpDoesNotPromiseAGpuToACpuUser() {
        String help = CliTest.cli("run", "--help").out().replaceAll("\\s+", " ");
        assertTrue(help.contains("one task per cell (one GPU each where the cluster has GPUs)"), help);
    }

    @Test
    void planWithAHugeEpochCountReportsAtOnce() {
        CliTest.Result r = CliTest.cli("plan", "--set", "train.epochs=2000000000", "--set", "eval.every=1", "--set",
                "model.backbones=[alexnet]");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("8 cells, "), r.out());
    }

    @Test
    void planWarnsWhereRunWouldRefuseTheFolds() {
        CliTest.Result uc = CliTest.cli("plan", "--set", "data.folds=1000", "--set", "model.backbones=[alexnet]");
        assertEquals(0, uc.status(), uc.err());
        assertTrue(uc.out().contains("Warning: run would refuse this plan: data.folds = 1000 but UC Merced has 100 "
                + "images per class"), uc.out());
        CliTest.Result small = CliTest.cli("plan", "--data", data, "--set", "data.folds=7");
        assertTrue(small.out().contains("Warning: run would refuse this plan: class 'class00' has 6 image(s)")
                && small.out().contains("fewer than the k = 7 folds"), small.out());
        assertFalse(CliTest.cli("plan", "--data", data, "--set", "data.folds=2").out().contains("Warning"));
    }

    @Test
    void inspectAgreesWithRunOnUndecodableImages() throws Exception {
        Path copy = tmp.resolve("with-bad-images");
        CliTest.cli("datagen", "--out", copy.toString(), "--classes", "3", "--per-class", "6", "--size", "16");
        Files.writeString(copy.resolve("class00").resolve("broken.png"), "not a PNG");
        CliTest.Result strict = CliTest.cli("inspect", "--data", copy.toString(), "--folds", "2");
        assertEquals(1, strict.status(), strict.out());
        assertTrue(strict.out().contains("Usable: NO") && strict.out().contains("1 image file(s) cannot be decoded "
                + "and data.strict = true: run refuses the dataset"), strict.out());
        CliTest.Result lenient = CliTest.cli("inspect", "--data", copy.toString(), "--folds", "2", "--set",
                "data.strict=false");
        assertEquals(0, lenient.status(), lenient.out());
        assertTrue(lenient.out().contains("Usable: yes"), lenient.out());
    }

    @Test
    void theResumeCommandQuotesWhatAShellWouldSplit() {
        assertEquals("kpff run --out /r --set 'model.backbones=[alexnet]' --set 'a=it'\\''s' --resume",
                StopSignals.resumeCommand(List.of("run", "--out", "/r", "--set", "model.backbones=[alexnet]",
                        "--set", "a=it's", "--resume")));
    }
}
