package org.kpff.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kpff.core.data.TestImages.CONF;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real UC Merced images in {@code $KPFF_TEST_DATA} (see shared/data/README.md): ucmerced-mini (original TIFFs,
 * 21 × 5) and ucmerced-64 (all 2,100 as 64×64 PNG). Skipped when the variable is not set.
 */
class RealImagesDataTest {

    private static final List<String> CLASSES = List.of("agricultural", "airplane", "baseballdiamond", "beach",
            "buildings", "chaparral", "denseresidential", "forest", "freeway", "golfcourse", "harbor", "intersection",
            "mediumresidential", "mobilehomepark", "overpass", "parkinglot", "river", "runway", "sparseresidential",
            "storagetanks", "tenniscourt");
    private static final long SEED = 2024;

    static Path data;

    /** Per test rather than per class, so that surefire reports each skipped test with the message. */
    @BeforeEach
    void requireData() {
        data = org.kpff.core.testing.TestData.require("ucmerced-mini").getParent();
    }

    @AfterAll
    static void clear() {
        ImageCache.clear();
    }

    private static void assertStratified(DatasetListing listing, int k, int perClassPerFold) {
        Folds folds = StratifiedKFold.split(listing, k, SEED);
        assertEquals(folds, StratifiedKFold.split(listing, k, SEED), "deterministic");
        for (int f = 0; f < k; f++) {
            int[] perClass = new int[listing.classCount()];
            for (int i : folds.testIndices(f)) {
                perClass[listing.label(i)]++;
            }
            int[] expected = new int[listing.classCount()];
            Arrays.fill(expected, perClassPerFold);
            assertArrayEquals(expected, perClass, "fold " + f);
        }
    }

    @Test
    void miniTiffsListDecodeAndFold() {
        DatasetListing listing = SceneDataset.list(data.resolve("ucmerced-mini").toUri().toString(), CONF);
        assertEquals(CLASSES, listing.classes());
        assertEquals(105, listing.size());
        assertTrue(Arrays.stream(listing.classCounts()).allMatch(n -> n == 5));
        assertEquals(1, listing.ignoredFiles(), "sha256sums.txt");
        assertEquals("tenniscourt/tenniscourt04.tif", listing.relativePath(104));

        DecodedImages images = ImageCache.get(listing, 224, true, CONF);
        assertEquals(105, images.decodedCount());
        assertEquals(105L * 3 * 224 * 224, images.bytes());
        int golf = listing.images().indexOf(new ImageRef(listing.rootUri() + "/golfcourse/golfcourse04.tif", 9));
        assertTrue(golf >= 0, "golfcourse04.tif (256×251) is listed");
        assertEquals(3 * 224 * 224, images.pixels(golf).length);
        assertStratified(listing, 5, 1);
    }

    @Test
    void all2100PngsListDecodeAndFold() throws Exception {
        DatasetListing listing = SceneDataset.list(data.resolve("ucmerced-64").toString(), CONF);
        assertEquals(CLASSES, listing.classes());
        assertEquals(2100, listing.size());
        assertTrue(Arrays.stream(listing.classCounts()).allMatch(n -> n == 100));

        DecodedImages images = ImageCache.get(listing, 64, true, CONF);
        assertEquals(2100, images.decodedCount());
        // At the stored size decoding is exact: compare one image with ImageIO's own pixels.
        int index = 2000;
        BufferedImage stored = ImageIO.read(data.resolve("ucmerced-64").resolve(listing.relativePath(index)).toFile());
        for (int y = 0; y < 64; y += 7) {
            for (int x = 0; x < 64; x += 5) {
                int rgb = stored.getRGB(x, y);
                assertEquals((rgb >> 16) & 0xFF, images.pixel(index, 0, y, x));
                assertEquals((rgb >> 8) & 0xFF, images.pixel(index, 1, y, x));
                assertEquals(rgb & 0xFF, images.pixel(index, 2, y, x));
            }
        }
        assertStratified(listing, 5, 20);
        assertStratified(listing, 10, 10);
    }
}
