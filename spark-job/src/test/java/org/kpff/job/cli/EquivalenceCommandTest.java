package org.kpff.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kpff.job.driver.EquivalenceCheck;

/**
 * The {@code equivalence} command on a real run: KPFF cells trained by the job (W at 100× the learning rate, so that
 * it moves away from I), folded into Concat networks and compared on their held-out folds; W recorded per evaluation.
 */
class EquivalenceCommandTest {

    @TempDir
    static Path tmp;

    @Test
    void kpffCellsOfARunEqualTheirFoldedConcatNetworks() throws Exception {
        String data = tmp.resolve("scenes").toString();
        assertEquals(0, CliTest.cli("datagen", "--out", data, "--classes", "3", "--per-class", "6", "--size", "16",
                "--seed", "5").status());
        String out = tmp.resolve("run").toString();
        CliTest.Result run = CliTest.cli("run", "--config", "../conf/smoke.conf", "--data", data, "--out", out,
                "--set", "data.input-size=16", "--set", "model.backbones=[alexnet]", "--set", "model.methods=[kpff]",
                "--set", "model.projection-width=8", "--set", "train.batch-size=6", "--set", "train.epochs=2",
                "--set", "eval.every=1", "--set", "model.fusion-lr-scale=100");
        assertEquals(0, run.status(), run.err());

        // W at every evaluation: 2 folds × 2 evaluations, each a 3 × 3 matrix
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*), min(len(fusion_w)), max(len(fusion_w)) FROM "
                        + "read_parquet('" + out + "/metrics/*/*.parquet')")) {
            r.next();
            assertEquals(4, r.getLong(1));
            assertEquals(9, r.getLong(2));
            assertEquals(9, r.getLong(3));
        }
        assertTrue(Files.exists(Path.of(out, "w-distance.png")), "the W-over-training plot");

        CliTest.Result eq = CliTest.cli("equivalence", "--out", out);
        assertEquals(0, eq.status(), eq.err());
        assertTrue(eq.out().contains("2 of 2 KPFF cells checked; 0 different predictions"), eq.out());
        assertTrue(Files.readString(Path.of(out, "equivalence.md")).contains("V·(W ⊗ I_r)"));

        EquivalenceCheck.Report report = EquivalenceCheck.run(out, null, new Configuration());
        assertEquals(2, report.checked());
        for (EquivalenceCheck.CellCheck cell : report.cells()) {
            assertEquals(9, cell.images(), "half of 18 images held out per fold");
            assertEquals(0, cell.different(), cell.toString());
            assertTrue(cell.maxDifference() < 1e-5, cell.toString());
            assertTrue(cell.distanceFromI() > 0.01, "W moved, so the fold is not a copy of V: " + cell);
        }

        // a cell whose checkpoint is gone is listed as not checked; the others still are
        String gone = report.cells().get(0).cellId();
        try (Stream<Path> files = Files.walk(Path.of(out, "checkpoints", gone))) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        CliTest.Result partial = CliTest.cli("equivalence", "--out", out);
        assertEquals(0, partial.status(), partial.err());
        assertTrue(partial.out().contains("| " + gone + " | AlexNet | 0 | — | — | not checked: no checkpoint"),
                partial.out());
        assertTrue(partial.out().contains("1 of 2 KPFF cells checked"), partial.out());

        CliTest.Result none = CliTest.cli("equivalence", "--out", tmp.resolve("nothing").toString());
        assertEquals(1, none.status());
        assertTrue(none.err().contains("No run at") && none.err().contains("run.json does not exist"), none.err());
    }
}
