package org.kpff.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kpff.core.data.TestImages.CONF;

import org.kpff.core.Seeds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToDoubleBiFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The synthetic dataset: layout, determinism, and class structure in texture rather than colour. */
class SyntheticScenesTest {

    @TempDir
    Path tmp;

    @Test
    void writesTheUcMercedLayoutAsPngs() throws IOException {
        DatasetListing listing = SyntheticScenes.generate(tmp.resolve("syn").toString(), 3, 4, 20, 1, CONF);
        assertEquals(List.of("class00", "class01", "class02"), listing.classes());
        assertEquals(12, listing.size());
        assertEquals(0, listing.ignoredFiles());
        assertEquals("class01/img003.png", listing.relativePath(7));
        assertTrue(Files.isRegularFile(tmp.resolve("syn/class02/img000.png")));
        try (var files = Files.list(tmp.resolve("syn/class00"))) {
            assertEquals(4, files.count(), "no .crc side files");
        }
        DecodedImages images = DecodedImages.decode(listing, 20, 1, CONF);
        assertEquals(12, images.decodedCount());
    }

    @Test
    void sameSeedGivesTheSameBytesAndAnotherSeedDoesNot() throws IOException {
        SyntheticScenes.generate(tmp.resolve("a").toString(), 2, 3, 16, 99, CONF);
        SyntheticScenes.generate(tmp.resolve("b").toString(), 2, 3, 16, 99, CONF);
        SyntheticScenes.generate(tmp.resolve("c").toString(), 2, 3, 16, 100, CONF);
        for (String file : List.of("class00/img000.png", "class01/img002.png")) {
            byte[] a = Files.readAllBytes(tmp.resolve("a").resolve(file));
            assertArrayEquals(a, Files.readAllBytes(tmp.resolve("b").resolve(file)), file);
            assertFalse(Arrays.equals(a, Files.readAllBytes(tmp.resolve("c").resolve(file))), file);
        }
    }

    /**
     * Nearest-centroid accuracy over 21 classes (chance 4.8%) with half the images for centroids: mean colour alone
     * barely beats chance, a coarse amplitude spectrum of the grey image does far better, so the classes live in
     * texture and layout.
     */
    @Test
    void classesDifferInTextureNotInMeanColour() {
        int classes = 21;
        int perClass = 16;
        int size = 32;
        byte[][][] images = new byte[classes][perClass][];
        for (int c = 0; c < classes; c++) {
            for (int i = 0; i < perClass; i++) {
                images[c][i] = SyntheticScenes.render(c, size, new SplittableRandom(Seeds.derive(3, c, i)));
            }
        }
        double colour = nearestCentroidAccuracy(images, (rgb, k) -> meanColour(rgb, k), 3);
        double texture = nearestCentroidAccuracy(images, (rgb, k) -> spectrum(rgb, size, k), SPECTRUM_BINS);
        assertTrue(colour < 0.25, "mean colour accuracy " + colour);
        assertTrue(texture > 0.6, "spectrum accuracy " + texture);
    }

    private static final int F = 5;
    private static final int SPECTRUM_BINS = (2 * F + 1) * (F + 1);

    private static double meanColour(byte[] rgb, int k) {
        double sum = 0;
        for (int p = k; p < rgb.length; p += 3) {
            sum += rgb[p] & 0xFF;
        }
        return sum / (rgb.length / 3.0);
    }

    /** log(1 + |DFT|) of the standardised grey image at frequency bin k of (u in [−F, F]) × (v in [0, F]). */
    private static double spectrum(byte[] rgb, int size, int k) {
        int u = k / (F + 1) - F;
        int v = k % (F + 1);
        double[] g = new double[size * size];
        double mean = 0;
        for (int p = 0; p < g.length; p++) {
            g[p] = (rgb[3 * p] & 0xFF) + (rgb[3 * p + 1] & 0xFF) + (rgb[3 * p + 2] & 0xFF);
            mean += g[p] / g.length;
        }
        double var = 0;
        for (int p = 0; p < g.length; p++) {
            var += (g[p] - mean) * (g[p] - mean) / g.length;
        }
        double re = 0;
        double im = 0;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double phase = 2 * Math.PI * (u * y + v * x) / size;
                double value = (g[y * size + x] - mean) / Math.sqrt(var + 1e-9);
                re += value * Math.cos(phase);
                im -= value * Math.sin(phase);
            }
        }
        return Math.log1p(Math.hypot(re, im));
    }

    private static double nearestCentroidAccuracy(byte[][][] images, ToDoubleBiFunction<byte[], Integer> feature,
            int dims) {
        int classes = images.length;
        int half = images[0].length / 2;
        double[][][] f = new double[classes][images[0].length][dims];
        for (int c = 0; c < classes; c++) {
            for (int i = 0; i < images[c].length; i++) {
                for (int k = 0; k < dims; k++) {
                    f[c][i][k] = feature.applyAsDouble(images[c][i], k);
                }
            }
        }
        double[][] centroid = new double[classes][dims];
        for (int c = 0; c < classes; c++) {
            for (int i = 0; i < half; i++) {
                for (int k = 0; k < dims; k++) {
                    centroid[c][k] += f[c][i][k] / half;
                }
            }
        }
        int correct = 0;
        int total = 0;
        for (int c = 0; c < classes; c++) {
            for (int i = half; i < images[c].length; i++) {
                double[] x = f[c][i];
                int best = IntStream.range(0, classes).boxed().min((a, b) -> Double.compare(
                        distance(x, centroid[a]), distance(x, centroid[b]))).orElseThrow();
                correct += best == c ? 1 : 0;
                total++;
            }
        }
        return (double) correct / total;
    }

    private static double distance(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += (a[k] - b[k]) * (a[k] - b[k]);
        }
        return s;
    }

    @Test
    void refusesToWriteIntoANonEmptyFolder() {
        Path target = TestImages.write(tmp.resolve("busy/keep.txt"), new byte[] {1}).getParent();
        DatasetException e = assertThrows(DatasetException.class,
                () -> SyntheticScenes.generate(target.toString(), 2, 2, 16, 1, CONF));
        assertTrue(e.getMessage().contains("busy' already exists and is not an empty folder"), e.getMessage());
    }

    @Test
    void argumentsOutOfRangeAreNamed() {
        String out = tmp.resolve("x").toString();
        assertEquals("classes = 1 (must be in [2, 1000])", assertThrows(IllegalArgumentException.class,
                () -> SyntheticScenes.generate(out, 1, 2, 16, 1, CONF)).getMessage());
        assertEquals("perClass = 0 (must be in [1, 100000])", assertThrows(IllegalArgumentException.class,
                () -> SyntheticScenes.generate(out, 2, 0, 16, 1, CONF)).getMessage());
        assertEquals("size = 4 (must be in [8, 4096])", assertThrows(IllegalArgumentException.class,
                () -> SyntheticScenes.generate(out, 2, 2, 4, 1, CONF)).getMessage());
    }
}
