package org.kpff.job.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command for real: {@code submit/local.sh run --config conf/smoke.conf --out DIR} on the shaded
 * jar, generating its synthetic dataset (the grid is shrunk with --set to keep the build short).
 */
class LocalScriptIT {

    @Test
    void localScriptGeneratesDataRunsTheJobAndSummarizes(@TempDir Path tmp) throws Exception {
        Map<String, String> env = Map.of("KPFF_DATA_DIR", tmp.resolve("data").toString(), "KPFF_DRIVER_MEMORY", "2g",
                "KPFF_MASTER", "local[2]");
        String out = tmp.resolve("out").toString();
        SubmitScriptsTest.Run r = SubmitScriptsTest.bashIn(SubmitScriptsTest.REPO, env,
                SubmitScriptsTest.SUBMIT.resolve("local.sh").toString(),
                "run", "--config", "conf/smoke.conf", "--set", "model.backbones=[alexnet]", "--set",
                "model.methods=[concat,kpff]", "--set", "train.epochs=1", "--set", "eval.every=1", "--out", out);
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("Generating a synthetic scene dataset") && r.err().contains("Dataset: "
                + tmp.resolve("data") + ", generated synthetic scenes (neither --data nor the config's data.uri names "
                + "a dataset)"), r.err());
        assertTrue(r.out().contains("4 trained now (4 ok, 0 failed)"), r.out());
        assertTrue(Files.exists(Path.of(out, "summary.md")) && Files.exists(Path.of(out, "run.json")));
        assertTrue(Files.isDirectory(tmp.resolve("data").resolve("class00")));
        String summary = Files.readString(Path.of(out, "summary.md"));
        assertTrue(summary.contains("The images are generated synthetic scenes") && summary.contains(
                "Chance level (guessing among 6 classes): 16.7 %."), summary);
        assertFalse(Files.exists(Path.of(out, "_staging")), "a finished run keeps no _staging/");

        SubmitScriptsTest.Run s = SubmitScriptsTest.bash(env, SubmitScriptsTest.SUBMIT.resolve("local.sh").toString(),
                "summarize", "--out", out);
        assertEquals(0, s.status(), s.err());
        assertTrue(s.out().contains("KPFF"), s.out());
    }
}
