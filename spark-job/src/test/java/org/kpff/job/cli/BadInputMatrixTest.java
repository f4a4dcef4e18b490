package org.kpff.job.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kpff.job.docs.ReliabilityCase;

/**
 * Bad input through the real command line ({@code Main.execute}): each case exits non-zero with one message that
 * names the problem, and leaves no output folder behind; grayscale, odd-size and stray non-image files work.
 */
class BadInputMatrixTest {

    @TempDir
    static Path tmp;
    /** 3 classes × 6 synthetic 16×16 PNGs. */
    static Path base;
    static final ObjectMapper JSON = new ObjectMapper();

    /** A one-epoch grid of 2 cells (alexnet × none × 2 folds) at 16 px: seconds per run. */
    static final String[] GRID = {"--set", "data.input-size=16", "--set", "data.folds=2", "--set",
        "model.backbones=[alexnet]", "--set", "model.methods=[none]", "--set", "train.epochs=1", "--set", "eval.every=1",
        "--set", "train.batch-size=6", "--set", "model.projection-width=8"};

    @BeforeAll
    static void generate() {
        base = tmp.resolve("base");
        assertEquals(0, CliTest.cli("datagen", "--out", base.toString(), "--classes", "3", "--per-class", "6", "--size",
                "16", "--seed", "5").status());
    }

    /** {@code run --data data --out out} with the tiny grid and more options. */
    static CliTest.Result run(Path data, Path out, String... more) {
        String[] head = {"run", "--data", data.toString(), "--out", out.toString()};
        return CliTest.cli(CliTest.concat(CliTest.concat(head, GRID), more));
    }

    /** A copy of the base dataset to spoil. */
    static Path copyOfBase(String name) throws IOException {
        Path dst = tmp.resolve(name);
        try (Stream<Path> s = Files.walk(base)) {
            for (Path p : s.toList()) {
                Path q = dst.resolve(base.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else if (!p.getFileName().toString().startsWith(".")) {
                    Files.copy(p, q);
                }
            }
        }
        return dst;
    }

    /** Exit 1, the message names every fragment, and the output folder was never created. */
    static void assertRefused(CliTest.Result r, Path out, String... fragments) {
        assertEquals(1, r.status(), r.out() + r.err());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "'" + f + "' in: " + r.err());
        }
        assertFalse(Files.exists(out), "nothing written at " + out);
    }

    @Test
    @ReliabilityCase(fault = "Corrupt TIFF (default `data.strict=true`)", outcome = "Exit 1 before training: \"data.strict = "
            + "true and 1 of 19 images … cannot be decoded: …/broken.tif (…)\"; no output folder")
    void corruptTiffRefusesAStrictRun() throws Exception {
        Path data = copyOfBase("corrupt-strict");
        Files.write(data.resolve("class01/broken.tif"), corruptTiff());
        Path out = tmp.resolve("out-corrupt-strict");
        assertRefused(run(data, out), out, "data.strict = true and 1 of 19 images",
                "class01/broken.tif", "cannot be decoded");
    }

    @Test
    @ReliabilityCase(fault = "Truncated PNG (default `data.strict=true`)", outcome = "Exit 1 before training, naming the "
            + "file: \"…/cut.png (truncated or corrupt PNG data: …)\"; no output folder")
    void truncatedPngRefusesAStrictRun() throws Exception {
        Path data = copyOfBase("truncated-strict");
        byte[] png = Files.readAllBytes(data.resolve("class02/img000.png"));
        Files.write(data.resolve("class02/cut.png"), Arrays.copyOf(png, png.length / 2));
        Path out = tmp.resolve("out-truncated");
        assertRefused(run(data, out), out, "class02/cut.png (truncated or corrupt PNG");
    }

    @Test
    @ReliabilityCase(fault = "Corrupt TIFF with `data.strict=false`", outcome = "Exit 0; a warning names the "
            + "file; run.json `dataset.undecodable` lists it with the reason; every cell skips it")
    void corruptTiffIsSkippedAndNamedWhenNotStrict() throws Exception {
        Path data = copyOfBase("corrupt-lenient");
        Files.write(data.resolve("class01/broken.tif"), corruptTiff());
        Path out = tmp.resolve("out-corrupt-lenient");
        CliTest.Result r = run(data, out, "--set", "data.strict=false");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("warning: 1 image(s) cannot be decoded") && r.err().contains("broken.tif"), r.err());
        JsonNode dataset = JSON.readTree(out.resolve("run.json").toFile()).path("dataset");
        assertEquals(19, dataset.path("images").asInt());
        assertEquals(1, dataset.path("undecodable").size());
        assertEquals("class01/broken.tif", dataset.path("undecodable").get(0).path("image").asText());
        assertTrue(dataset.path("undecodable").get(0).path("reason").asText().contains("corrupt TIF data"), dataset.toString());
        assertEquals(18, predictions(out), "every decodable image predicted once, the broken one skipped");
    }

    @Test
    @ReliabilityCase(fault = "Empty class folder", outcome = "Exit 1: \"Class folder '…/class03' has no images "
            + "(expected files ending in .tif, …)\"; no output folder")
    void anEmptyClassFolderIsRefused() throws Exception {
        Path data = copyOfBase("empty-class");
        Files.createDirectories(data.resolve("class03"));
        Path out = tmp.resolve("out-empty-class");
        assertRefused(run(data, out), out, "class03' has no images");
    }

    @Test
    @ReliabilityCase(fault = "Non-image files beside the images (`notes.txt`, `Thumbs.db`, a README in the root)",
            outcome = "Exit 0; ignored and counted (run.json `dataset.ignored_files` = 3)")
    void nonImageFilesAreIgnoredAndCounted() throws Exception {
        Path data = copyOfBase("non-image");
        Files.writeString(data.resolve("class00/notes.txt"), "field notes");
        Files.write(data.resolve("class01/Thumbs.db"), new byte[] {1, 2, 3});
        Files.writeString(data.resolve("README.md"), "scenes");
        Path out = tmp.resolve("out-non-image");
        CliTest.Result r = run(data, out);
        assertEquals(0, r.status(), r.err());
        JsonNode dataset = JSON.readTree(out.resolve("run.json").toFile()).path("dataset");
        assertEquals(3, dataset.path("ignored_files").asInt());
        assertEquals(18, dataset.path("images").asInt());
        assertEquals(18, predictions(out));
    }

    @Test
    @ReliabilityCase(fault = "Grayscale PNG/TIFF and odd-size images (17×23, 40×31, 16×16)", outcome = "Exit 0; grey "
            + "is replicated to RGB, every image resized to the input size; all cells ok")
    void grayscaleAndOddSizeImagesWork() throws Exception {
        Path data = tmp.resolve("gray-odd");
        int[][] sizes = {{17, 23}, {40, 31}, {16, 16}};
        for (int c = 0; c < 3; c++) {
            Path dir = Files.createDirectories(data.resolve("class" + c));
            for (int i = 0; i < 6; i++) {
                int[] wh = sizes[i % 3];
                boolean gray = i % 2 == 0;
                BufferedImage img = new BufferedImage(wh[0], wh[1], gray ? BufferedImage.TYPE_BYTE_GRAY
                        : BufferedImage.TYPE_INT_RGB);
                Random rnd = new Random(31L * c + i);
                for (int y = 0; y < wh[1]; y++) {
                    for (int x = 0; x < wh[0]; x++) {
                        int v = Math.min(255, 60 * c + rnd.nextInt(60));
                        img.setRGB(x, y, (v << 16) | (v << 8) | (255 - v));
                    }
                }
                String ext = i % 3 == 1 ? "tif" : "png";
                assertTrue(ImageIO.write(img, ext.equals("tif") ? "tiff" : "png", dir.resolve("img" + i + "." + ext)
                        .toFile()), ext + " writer");
            }
        }
        Path out = tmp.resolve("out-gray-odd");
        CliTest.Result r = run(data, out);
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("2 trained now (2 ok, 0 failed)"), r.out());
        assertEquals(18, predictions(out));
    }

    @Test
    @ReliabilityCase(fault = "Unknown backbone (`model.backbones=[resnet]`)", outcome = "Exit 1 before Spark starts: "
            + "the key, the value and the allowed ones; no output folder")
    void anUnknownBackboneIsRefused() {
        Path out = tmp.resolve("out-backbone");
        assertRefused(run(base, out, "--set", "model.backbones=[resnet]"), out, "model.backbones", "resnet",
                "alexnet, vgg16, inception");
    }

    @Test
    @ReliabilityCase(fault = "Unknown fusion method (`model.methods=[sum]`)", outcome = "Exit 1 before Spark starts: "
            + "the key, the value and the allowed ones; no output folder")
    void anUnknownMethodIsRefused() {
        Path out = tmp.resolve("out-method");
        assertRefused(run(base, out, "--set", "model.methods=[kpff,sum]"), out, "model.methods", "sum",
                "none, add, concat, kpff");
    }

    @Test
    @ReliabilityCase(fault = "Negative learning rate", outcome = "Exit 1 before Spark starts, naming "
            + "`train.learning-rate` and -0.1; no output folder")
    void aNegativeLearningRateIsRefused() {
        Path out = tmp.resolve("out-lr");
        assertRefused(run(base, out, "--set", "train.learning-rate=-0.1"), out, "train.learning-rate", "-0.1");
    }

    @Test
    @ReliabilityCase(fault = "Unknown config key (`train.epoch`)", outcome = "Exit 1 before Spark starts, with a "
            + "did-you-mean (`train.epochs`); no output folder")
    void anUnknownConfigKeyIsRefused() {
        Path out = tmp.resolve("out-key");
        assertRefused(run(base, out, "--set", "train.epoch=3"), out, "train.epoch", "train.epochs");
    }

    @Test
    @ReliabilityCase(fault = "More folds than the smallest class has images (`data.folds=7`, 6 per class)",
            outcome = "Exit 1: \"class 'class00' has 6 image(s), … fewer than the k = 7 folds\"; no output folder")
    void moreFoldsThanTheSmallestClassIsRefused() {
        Path out = tmp.resolve("out-folds");
        assertRefused(run(base, out, "--set", "data.folds=7"), out, "class 'class00' has 6 image(s)",
                "fewer than the k = 7 folds");
    }

    @Test
    @ReliabilityCase(fault = "Data URI that does not exist", outcome = "Exit 1: \"Dataset root '…' does not exist; "
            + "expected a folder with one sub-folder per class …\"; no output folder")
    void aMissingDataFolderIsRefused() {
        Path out = tmp.resolve("out-missing");
        assertRefused(run(tmp.resolve("nowhere"), out), out, "nowhere' does not exist");
    }

    @Test
    @ReliabilityCase(fault = "Data URI with a scheme no FileSystem serves (`nosuch://host/x`)", outcome = "Exit 1, "
            + "naming the URI and the scheme; no output folder")
    void aDataUriOfAnUnknownSchemeIsRefused() {
        Path out = tmp.resolve("out-scheme");
        CliTest.Result r = CliTest.cli(CliTest.concat(new String[] {"run", "--data", "nosuch://host/x", "--out",
            out.toString()}, GRID));
        assertRefused(r, out, "nosuch://host/x", "scheme 'nosuch'");
    }

    @Test
    @ReliabilityCase(fault = "Existing output folder without `--resume`", outcome = "Exit 1: \"… is not empty (it "
            + "holds a run); pass --resume …\"; the run is left byte for byte as it was")
    void anExistingRunWithoutResumeIsRefusedAndLeftAlone() throws Exception {
        Path out = finishedRun();
        byte[] before = Files.readAllBytes(out.resolve("run.json"));
        CliTest.Result r = run(base, out);
        assertEquals(1, r.status());
        assertTrue(r.err().contains("is not empty (it holds a run); pass --resume"), r.err());
        assertArrayEquals(before, Files.readAllBytes(out.resolve("run.json")));
    }

    @Test
    void aFolderThatHoldsNoRunIsRefusedWithoutSuggestingResume() throws Exception {
        Path out = tmp.resolve("out-not-a-run");
        Files.createDirectories(out);
        Files.writeString(out.resolve("notes.txt"), "not a run");
        for (String[] extra : List.of(new String[0], new String[] {"--resume"})) {
            CliTest.Result r = run(base, out, extra);
            assertEquals(1, r.status(), r.err());
            assertTrue(r.err().contains("is not empty and holds no KPFF run (no run.json)") && r.err().contains(
                    "choose a new or empty folder for --out"), r.err());
            assertFalse(r.err().contains("pass --resume"), r.err());
            assertEquals(List.of("notes.txt"), listNames(out));
        }
    }

    private static List<String> listNames(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    @ReliabilityCase(fault = "`--resume` with a different config", outcome = "Exit 1, naming the differing keys "
            + "(`train.dropout`, `train.epochs`); the run is left as it was")
    void resumeWithADifferentConfigIsRefusedNamingTheKeys() throws Exception {
        Path out = finishedRun();
        byte[] before = Files.readAllBytes(out.resolve("run.json"));
        CliTest.Result r = run(base, out, "--resume", "--set", "train.epochs=2", "--set", "train.dropout=0.25");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("with a different config") && r.err().contains("train.epochs")
                && r.err().contains("train.dropout"), r.err());
        assertArrayEquals(before, Files.readAllBytes(out.resolve("run.json")));
    }

    private static Path finished;

    /** One finished run of the base dataset, made on first use. */
    static synchronized Path finishedRun() {
        if (finished == null) {
            Path out = tmp.resolve("out-finished");
            CliTest.Result r = run(base, out);
            assertEquals(0, r.status(), r.err());
            finished = out;
        }
        return finished;
    }

    /** A TIFF header followed by garbage. */
    static byte[] corruptTiff() {
        byte[] b = new byte[512];
        new Random(7).nextBytes(b);
        b[0] = 'I';
        b[1] = 'I';
        b[2] = 42;
        b[3] = 0;
        return b;
    }

    static long predictions(Path out) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM read_parquet('" + out
                        + "/predictions/*/*.parquet')")) {
            r.next();
            return r.getLong(1);
        }
    }
}
