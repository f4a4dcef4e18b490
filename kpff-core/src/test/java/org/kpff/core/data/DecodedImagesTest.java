package org.kpff.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kpff.core.data.TestImages.CONF;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Decoding a whole dataset: skipped and strict handling, pixel access, and the per-JVM cache. */
class DecodedImagesTest {

    private static final int S = 8;

    @TempDir
    Path tmp;

    @AfterEach
    void clearCache() {
        ImageCache.clear();
        ImageCache.setMaxBytes(ImageCache.defaultMaxBytes());
    }

    @Test
    void cacheKeepsAtMostMaxBytesDroppingTheLeastRecentlyUsedSize() {
        DatasetListing listing = SceneDataset.list(TestImages.dataset(tmp.resolve("ds"), 2, 2, 6, 6).toString(), CONF);
        // 4 images × 3 channels: 768 bytes at 8 px, 1728 at 12 px, 3072 at 16 px.
        ImageCache.setMaxBytes(768 + 1728);
        long before = ImageCache.decodeCount();
        DecodedImages small = ImageCache.get(listing, 8, false, CONF);
        DecodedImages middle = ImageCache.get(listing, 12, false, CONF);
        assertEquals(768, small.bytes());
        assertEquals(1728, middle.bytes());
        assertEquals(2, ImageCache.size());
        assertSame(small, ImageCache.get(listing, 8, false, CONF), "8 px is now the most recently used");

        DecodedImages large = ImageCache.get(listing, 16, false, CONF);
        assertEquals(3072, large.bytes());
        // 768 + 1728 + 3072 > bound: 12 px (least recently used) goes, then 8 px; the entry just decoded stays.
        assertEquals(1, ImageCache.size());
        assertEquals(3072, ImageCache.cachedBytes());
        assertEquals(before + 3, ImageCache.decodeCount());
        assertNotSame(small, ImageCache.get(listing, 8, false, CONF), "8 px was dropped and decodes again");
        assertEquals(before + 4, ImageCache.decodeCount());
        // 3072 + 768 > 2496: the 16 px entry, now least recently used, goes.
        assertEquals(1, ImageCache.size());
        assertEquals(768, ImageCache.cachedBytes());
    }

    @Test
    void aNegativeCacheBoundIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageCache.setMaxBytes(-1));
        assertEquals("image cache max bytes = -1 (must be >= 0)", e.getMessage());
    }

    /** c0: 3 good images; c1: good, corrupt (text), truncated PNG; c2: one grey 5x7 image. */
    private DatasetListing datasetWithBadImages() {
        Path root = TestImages.dataset(tmp.resolve("ds"), 2, 3, 10, 6);
        TestImages.write(root.resolve("c1/i01.png"), "this is not a PNG".getBytes(StandardCharsets.UTF_8));
        TestImages.write(root.resolve("c1/i02.png"),
                TestImages.truncate(TestImages.encode(TestImages.pattern(40, 40, 5), "png"), 0.5));
        TestImages.write(root.resolve("c2/g.png"), TestImages.gray(5, 7, 99), "png");
        return SceneDataset.list(root.toString(), CONF);
    }

    @Test
    void corruptAndTruncatedImagesAreSkippedAndCountedByDefault() {
        DatasetListing listing = datasetWithBadImages();
        DecodedImages images = DecodedImages.decode(listing, S, 2, CONF);

        assertEquals(7, images.size());
        assertEquals(5, images.decodedCount());
        assertEquals(2, images.skipped().size());
        ImageProblem corrupt = images.skipped().get(0);
        assertEquals(4, corrupt.index());
        assertEquals(listing.path(4), corrupt.path());
        assertTrue(corrupt.path().endsWith("/c1/i01.png"), corrupt.path());
        assertTrue(corrupt.reason().contains("no ImageIO reader"), corrupt.reason());
        ImageProblem truncated = images.skipped().get(1);
        assertEquals(5, truncated.index());
        assertTrue(truncated.reason().contains("truncated or corrupt PNG data"), truncated.reason());
        assertTrue(images.isSkipped(4));
        assertFalse(images.isSkipped(3));
        assertEquals(5L * 3 * S * S, images.bytes());
        assertArrayEquals(new int[] {0, 3, 6}, images.usable(new int[] {0, 4, 3, 5, 6}));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> images.pixels(4));
        assertTrue(e.getMessage().contains("/c1/i01.png") && e.getMessage().contains("no ImageIO reader"),
                e.getMessage());
    }

    @Test
    void aCheckOfSlicesFindsWhatDecodingSkipsWithTheSameReasons() {
        DatasetListing listing = datasetWithBadImages();
        List<ImageProblem> skipped = DecodedImages.decode(listing, S, 2, CONF).skipped();
        assertEquals(2, skipped.size());
        // Slices as the driver's pre-flight check spreads them: [0, 5) holds image 4, [5, 7) image 5.
        assertEquals(skipped.subList(0, 1), DecodedImages.check(listing, 0, 5, 1, CONF));
        assertEquals(skipped.subList(1, 2), DecodedImages.check(listing, 5, 7, 1, CONF));
        assertEquals(List.of(), DecodedImages.check(listing, 0, 4, 1, CONF));
        assertEquals(List.of(), DecodedImages.check(listing, 3, 3, 1, CONF));
        assertThrows(IndexOutOfBoundsException.class, () -> DecodedImages.check(listing, 0, 8, 1, CONF));
    }

    @Test
    void strictModeFailsNamingEveryBadFile() {
        DatasetListing listing = datasetWithBadImages();
        DatasetException e = assertThrows(DatasetException.class, () -> ImageCache.get(listing, S, true, CONF));
        assertTrue(e.getMessage().startsWith("Strict decoding: 2 of 7 images of dataset '" + listing.rootUri()),
                e.getMessage());
        assertTrue(e.getMessage().contains(listing.path(4) + " (not a TIFF, PNG or JPEG image"), e.getMessage());
        assertTrue(e.getMessage().contains(listing.path(5) + " (truncated or corrupt PNG data"), e.getMessage());
        // The lenient decode is cached and reused.
        long before = ImageCache.decodeCount();
        assertEquals(2, ImageCache.get(listing, S, false, CONF).skipped().size());
        assertEquals(before, ImageCache.decodeCount());
    }

    @Test
    void pixelsAreKnownRgbInChwOrder() {
        DatasetListing listing = datasetWithBadImages();
        DecodedImages images = ImageCache.get(listing, S, false, CONF);
        // Image 2 is class 0, j = 2: solid (2, 100, 180).
        byte[] chw = images.pixels(2);
        for (int k = 0; k < S * S; k++) {
            assertEquals(2, chw[k]);
            assertEquals(100, chw[S * S + k]);
            assertEquals(180, chw[2 * S * S + k] & 0xFF);
        }
        assertEquals(180, images.pixel(2, 2, S - 1, S - 1));
        // The grey image: (99, 99, 99) everywhere.
        for (int c = 0; c < 3; c++) {
            assertEquals(99, images.pixel(6, c, 3, 5));
        }
        byte[] dst = new byte[3 * S * S + 5];
        images.copyPixels(6, dst, 5);
        assertEquals(99, dst[5]);
        assertEquals(0, dst[4]);
        images.pixels(2)[0] = 42;
        assertEquals(2, images.pixel(2, 0, 0, 0), "pixels() must return a copy");
        assertEquals(listing.label(6), images.label(6));
        assertEquals(List.of("c0", "c1", "c2"), images.classes());
    }

    @Test
    void cacheReturnsTheSameInstanceAndDecodesOncePerInputSize() {
        DatasetListing listing = SceneDataset.list(TestImages.dataset(tmp.resolve("ds"), 2, 2, 6, 6).toString(), CONF);
        long before = ImageCache.decodeCount();
        DecodedImages first = ImageCache.get(listing, S, false, CONF);
        assertSame(first, ImageCache.get(listing, S, false, CONF));
        assertSame(first, ImageCache.get(listing, S, true, CONF));
        // An equal listing made again (e.g. shipped to an executor) hits the same entry.
        assertSame(first, ImageCache.get(SceneDataset.list(listing.rootUri(), CONF), S, false, CONF));
        assertEquals(before + 1, ImageCache.decodeCount());

        DecodedImages larger = ImageCache.get(listing, 2 * S, false, CONF);
        assertNotSame(first, larger);
        assertEquals(2 * S, larger.inputSize());
        assertEquals(before + 2, ImageCache.decodeCount());
        assertEquals(2, ImageCache.size());
        assertEquals(first.bytes() + larger.bytes(), ImageCache.cachedBytes());

        ImageCache.clear();
        assertNotSame(first, ImageCache.get(listing, S, false, CONF));
        assertEquals(before + 3, ImageCache.decodeCount());
    }

    @Test
    void concurrentRequestsDecodeOnce() throws Exception {
        DatasetListing listing = SceneDataset.list(TestImages.dataset(tmp.resolve("ds"), 3, 10, 64, 64).toString(),
                CONF);
        long before = ImageCache.decodeCount();
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<DecodedImages>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return ImageCache.get(listing, 32, false, CONF);
                }));
            }
            start.countDown();
            DecodedImages first = results.get(0).get();
            for (Future<DecodedImages> f : results) {
                assertSame(first, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(before + 1, ImageCache.decodeCount());
    }

    @Test
    void aFileThatExistsButCannotBeOpenedIsNotReportedAsGone() throws Exception {
        Path root = TestImages.dataset(tmp.resolve("unopenable"), 2, 2, 6, 6);
        DatasetListing listing = SceneDataset.list(root.toString(), CONF);
        // After listing, a folder takes an image's place: it exists, and opening it fails (as a file without read
        // permission does; the tests may run as root, for whom permissions do not apply).
        Path image = root.resolve("c1/i01.png");
        java.nio.file.Files.delete(image);
        java.nio.file.Files.createDirectory(image);
        DecodedImages images = DecodedImages.decode(listing, S, 1, CONF);
        assertEquals(List.of(new ImageProblem(3, listing.path(3), "cannot be read: is a directory")),
                images.skipped());
    }

    @Test
    void anImageWithoutReadPermissionIsSaidToBeSo() throws Exception {
        Path root = TestImages.dataset(tmp.resolve("unreadable"), 2, 2, 6, 6);
        DatasetListing listing = SceneDataset.list(root.toString(), CONF);
        Path image = root.resolve("c1/i01.png");
        java.nio.file.Files.setPosixFilePermissions(image, java.util.Set.of());
        try {
            org.junit.jupiter.api.Assumptions.assumeFalse(java.nio.file.Files.isReadable(image),
                    "running as root, for whom file permissions do not apply (the folder case above covers it)");
            DecodedImages images = DecodedImages.decode(listing, S, 1, CONF);
            assertEquals(List.of(new ImageProblem(3, listing.path(3), "cannot be read: permission denied")),
                    images.skipped());
        } finally {
            java.nio.file.Files.setPosixFilePermissions(image, java.nio.file.attribute.PosixFilePermissions
                    .fromString("rw-r--r--"));
        }
    }

    @Test
    void aFailedDecodeIsNotCached() {
        Path root = TestImages.dataset(tmp.resolve("ds"), 2, 2, 6, 6);
        DatasetListing listing = SceneDataset.list(root.toString(), CONF);
        // A file deleted after listing is skipped, not fatal.
        assertTrue(root.resolve("c1/i01.png").toFile().delete());
        DecodedImages images = ImageCache.get(listing, S, false, CONF);
        assertEquals(List.of(new ImageProblem(3, listing.path(3), "file not found: it was listed but is gone")),
                images.skipped());

        DatasetListing elsewhere = DatasetListing.of("foo://nowhere/ds", List.of("a", "b"),
                List.of(new ImageRef("foo://nowhere/ds/a/1.png", 0), new ImageRef("foo://nowhere/ds/b/1.png", 1)), 0);
        // A FileSystem that cannot be opened fails the decode, and the failure leaves no entry behind.
        int entries = ImageCache.size();
        assertThrows(DatasetException.class, () -> ImageCache.get(elsewhere, S, false, CONF));
        assertEquals(entries, ImageCache.size());
    }
}
