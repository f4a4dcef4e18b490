package org.kpff.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kpff.core.data.TestImages.CONF;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Batches: shapes, labels, normalisation, shuffling and augmentation determinism. */
class ImageBatchIteratorTest {

    private static final int S = 16;
    private static final int CLASSES = 3;
    private static final int PER_CLASS = 7;
    private static final long SEED = 20240607L;

    @TempDir
    static Path tmp;

    static DecodedImages images;
    static Folds folds;

    @BeforeAll
    static void decode() {
        DatasetListing listing = SyntheticScenes.generate(tmp.resolve("syn").toString(), CLASSES, PER_CLASS, 24, 7,
                CONF);
        images = DecodedImages.decode(listing, S, 2, CONF);
        folds = StratifiedKFold.split(listing, 3, SEED);
    }

    private static int[] all() {
        return IntStream.range(0, images.size()).toArray();
    }

    /** Every batch of one epoch. */
    private static List<DataSet> epoch(ImageBatchIterator it) {
        List<DataSet> out = new ArrayList<>();
        while (it.hasNext()) {
            out.add(it.next());
        }
        return out;
    }

    private static int[] metaIndices(List<DataSet> batches) {
        return batches.stream().flatMap(b -> b.getExampleMetaData(Integer.class).stream())
                .mapToInt(Integer::intValue).toArray();
    }

    @Test
    void batchesHaveNchwFeaturesOneHotLabelsAndAPartialLastBatch() {
        ImageBatchIterator it = ImageBatchIterator.builder(images, all()).batchSize(8).build();
        assertEquals(3 * S * S, it.inputColumns());
        assertEquals(CLASSES, it.totalOutcomes());
        assertEquals(List.of("class00", "class01", "class02"), it.getLabels());
        List<DataSet> batches = epoch(it);
        assertEquals(3, batches.size());
        assertArrayEquals(new long[] {8, 3, S, S}, batches.get(0).getFeatures().shape());
        assertArrayEquals(new long[] {5, 3, S, S}, batches.get(2).getFeatures().shape());
        assertArrayEquals(new long[] {5, CLASSES}, batches.get(2).getLabels().shape());
        assertEquals(DataType.FLOAT, batches.get(0).getFeatures().dataType());
        assertArrayEquals(new int[] {16, 17, 18, 19, 20}, it.lastBatchIndices());
        // Without shuffling, examples come in index order.
        assertArrayEquals(all(), metaIndices(batches));
        for (DataSet b : batches) {
            INDArray labels = b.getLabels();
            List<Integer> meta = b.getExampleMetaData(Integer.class);
            for (int r = 0; r < meta.size(); r++) {
                for (int c = 0; c < CLASSES; c++) {
                    assertEquals(c == images.label(meta.get(r)) ? 1.0 : 0.0, labels.getDouble(r, c), "row " + r);
                }
            }
        }
        assertThrows(NoSuchElementException.class, it::next);
    }

    @Test
    void unitAndFixedNormalisationMapPixelsByFormula() {
        int index = 4;
        INDArray unit = ImageBatchIterator.builder(images, new int[] {index}).build().next().getFeatures();
        INDArray fixed = ImageBatchIterator.builder(images, new int[] {index})
                .normalization(Normalization.fixed(0.5, 0.25)).build().next().getFeatures();
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < S; y += 5) {
                for (int x = 0; x < S; x += 3) {
                    int v = images.pixel(index, c, y, x);
                    assertEquals(v / 255.0, unit.getDouble(0, c, y, x), 1e-6);
                    assertEquals((v / 255.0 - 0.5) / 0.25, fixed.getDouble(0, c, y, x), 1e-5);
                }
            }
        }
    }

    @Test
    void trainingFoldStatisticsNormaliseTheTrainingFeaturesToZeroMeanUnitStd() {
        int[] train = folds.trainIndices(1);
        Normalization norm = Normalization.fromTraining(images, train);
        double[] sum = new double[3];
        double[] sumSq = new double[3];
        long n = 0;
        for (DataSet b : epoch(ImageBatchIterator.builder(images, train).batchSize(5).normalization(norm).build())) {
            INDArray f = b.getFeatures();
            for (int c = 0; c < 3; c++) {
                INDArray channel = f.get(NDArrayIndex.all(), NDArrayIndex.point(c)).castTo(DataType.DOUBLE);
                sum[c] += channel.sumNumber().doubleValue();
                sumSq[c] += channel.mul(channel).sumNumber().doubleValue();
            }
            n += f.size(0) * S * S;
        }
        for (int c = 0; c < 3; c++) {
            double mean = sum[c] / n;
            double std = Math.sqrt(sumSq[c] / n - mean * mean);
            assertEquals(0, mean, 1e-4, "mean of channel " + c);
            assertEquals(1, std, 1e-4, "std of channel " + c);
        }
        // The statistics are those of the pixels: mean of channel 0 recomputed directly.
        double direct = Arrays.stream(train).mapToDouble(i -> {
            double s = 0;
            for (int y = 0; y < S; y++) {
                for (int x = 0; x < S; x++) {
                    s += images.pixel(i, 0, y, x);
                }
            }
            return s;
        }).sum() / (train.length * S * S * 255.0);
        assertEquals(direct, norm.mean(0), 1e-12);
    }

    @Test
    void shufflingIsAPermutationPerEpochDeterminedBySeedAndEpoch() {
        int[] train = folds.trainIndices(0);
        UnaryOperator<ImageBatchIterator.Builder> cfg = b -> b.batchSize(4).shuffle(true);
        ImageBatchIterator a = cfg.apply(ImageBatchIterator.builder(images, train)).seed(SEED).build();
        ImageBatchIterator b = cfg.apply(ImageBatchIterator.builder(images, train)).seed(SEED).build();
        ImageBatchIterator other = cfg.apply(ImageBatchIterator.builder(images, train)).seed(SEED + 1).build();
        List<int[]> orders = new ArrayList<>();
        for (int e = 0; e < 3; e++) {
            int[] seen = metaIndices(epoch(a));
            assertArrayEquals(seen, metaIndices(epoch(b)), "epoch " + e);
            assertFalse(Arrays.equals(seen, metaIndices(epoch(other))), "another seed, epoch " + e);
            int[] sorted = seen.clone();
            Arrays.sort(sorted);
            assertArrayEquals(train, sorted, "epoch " + e + " is a permutation of the training indices");
            orders.add(seen);
            assertEquals(e, a.epoch());
            a.reset();
            b.reset();
            other.reset();
        }
        assertFalse(Arrays.equals(orders.get(0), orders.get(1)));
        assertFalse(Arrays.equals(orders.get(1), orders.get(2)));
        assertFalse(Arrays.equals(train, orders.get(0)));
        ImageBatchIterator jumped = cfg.apply(ImageBatchIterator.builder(images, train)).seed(SEED).build();
        jumped.setEpoch(2);
        assertArrayEquals(orders.get(2), jumped.epochOrder());
    }

    @Test
    void augmentationIsDeterministicBySeedAndFlipsAreExactFlips() {
        int[] idx = folds.testIndices(2);
        Augmentation flips = new Augmentation(true, true, 0);
        INDArray plain = ImageBatchIterator.builder(images, idx).batchSize(idx.length).build().next().getFeatures();
        INDArray a = ImageBatchIterator.builder(images, idx).batchSize(idx.length).augmentation(flips).seed(SEED)
                .build().next().getFeatures();
        INDArray again = ImageBatchIterator.builder(images, idx).batchSize(3).augmentation(flips).seed(SEED)
                .build().next(idx.length).getFeatures();
        INDArray other = ImageBatchIterator.builder(images, idx).batchSize(idx.length).augmentation(flips)
                .seed(SEED + 1).build().next().getFeatures();
        assertEquals(a, again);
        assertNotEquals(a, other);
        int flipped = 0;
        for (int r = 0; r < idx.length; r++) {
            float[] img = a.slice(r).dup().data().asFloat();
            float[] orig = plain.slice(r).dup().data().asFloat();
            List<float[]> variants = List.of(orig, flip(orig, true, false), flip(orig, false, true),
                    flip(orig, true, true));
            int match = IntStream.range(0, 4).filter(v -> Arrays.equals(variants.get(v), img)).findFirst().orElse(-1);
            assertTrue(match >= 0, "image " + r + " is one of the four flips of the original");
            flipped += match > 0 ? 1 : 0;
        }
        assertTrue(flipped > 0, "some images are flipped");

        ImageBatchIterator shifting = ImageBatchIterator.builder(images, idx).batchSize(idx.length)
                .augmentation(Augmentation.light(S)).seed(SEED).build();
        INDArray epoch0 = shifting.next().getFeatures();
        shifting.reset();
        INDArray epoch1 = shifting.next().getFeatures();
        assertNotEquals(epoch0, epoch1, "augmentation changes from epoch to epoch");
        shifting.setEpoch(0);
        assertEquals(epoch0, shifting.next().getFeatures());
    }

    @Test
    void seekingABatchMakesTheBatchThatIteratingMakesThere() {
        // 21 images in batches of 4: 6 batches, the last of 1. A second iterator on another "executor" seeks
        // each batch of epoch 3 in reverse order and must make the same images with the same augmentation.
        ImageBatchIterator.Builder b = ImageBatchIterator.builder(images, all()).batchSize(4).shuffle(true)
                .augmentation(Augmentation.light(S)).seed(SEED);
        ImageBatchIterator sequential = b.build();
        sequential.setEpoch(3);
        List<DataSet> expected = epoch(sequential);
        ImageBatchIterator seeking = b.build();
        assertEquals(6, seeking.batchesPerEpoch());
        assertEquals(expected.size(), seeking.batchesPerEpoch());
        seeking.setEpoch(3);
        for (int k = seeking.batchesPerEpoch() - 1; k >= 0; k--) {
            seeking.seekBatch(k);
            DataSet got = seeking.next();
            assertEquals(expected.get(k).getFeatures(), got.getFeatures(), "features of batch " + k);
            assertEquals(expected.get(k).getLabels(), got.getLabels(), "labels of batch " + k);
            assertEquals(expected.get(k).getExampleMetaData(Integer.class), got.getExampleMetaData(Integer.class));
        }
        assertEquals(1, expected.get(5).numExamples());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> seeking.seekBatch(6));
        assertEquals("batch = 6 (must be in [0, 6))", e.getMessage());
    }

    /** {@code chw} (3×S×S) mirrored left-right and/or top-bottom. */
    private static float[] flip(float[] chw, boolean leftRight, boolean topBottom) {
        float[] out = new float[chw.length];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < S; y++) {
                for (int x = 0; x < S; x++) {
                    int sy = topBottom ? S - 1 - y : y;
                    int sx = leftRight ? S - 1 - x : x;
                    out[(c * S + y) * S + x] = chw[(c * S + sy) * S + sx];
                }
            }
        }
        return out;
    }

    static Stream<Arguments> invalidBuilders() {
        return Stream.of(
                Arguments.of((UnaryOperator<ImageBatchIterator.Builder>) b -> b.batchSize(0),
                        "batchSize = 0 (must be at least 1)"),
                Arguments.of((UnaryOperator<ImageBatchIterator.Builder>) b -> b.shuffle(true),
                        "seed = unset (must be given when shuffle or augmentation is on)"),
                Arguments.of((UnaryOperator<ImageBatchIterator.Builder>) b -> b.augmentation(
                        new Augmentation(false, false, S / 2)).seed(1),
                        "augmentation.maxShift = 8 (must be below half the input size 16)"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("invalidBuilders")
    void invalidSettingsAreRejectedWithTheFieldNamed(UnaryOperator<ImageBatchIterator.Builder> cfg, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cfg.apply(ImageBatchIterator.builder(images, all())).build());
        assertEquals(message, e.getMessage());
    }

    /** The bulk copy into native memory gives the array Nd4j.create gives, element for element, in any shape. */
    @Test
    void bulkCopiedBatchesEqualNd4jCreate() {
        assertTrue(ImageBatchIterator.CPU_BACKEND, "the tests run ND4J's CPU backend, so the bulk copy is the path tested");
        java.util.Random rnd = new java.util.Random(3);
        for (long[] shape : new long[][] {{1}, {7, 5}, {3, 3, 5, 5}, {50, 3, 64, 64}}) {
            int n = (int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            float[] data = new float[n];
            for (int i = 0; i < n; i++) {
                data[i] = rnd.nextFloat() - 0.5f;
            }
            org.nd4j.linalg.api.ndarray.INDArray bulk = ImageBatchIterator.floats(data, shape);
            assertEquals(org.nd4j.linalg.factory.Nd4j.create(data, shape,
                    org.nd4j.linalg.api.buffer.DataType.FLOAT), bulk, java.util.Arrays.toString(shape));
            assertEquals(data[n - 1], bulk.reshape(n).getFloat(n - 1), 0f);
        }
    }

    @Test
    void outOfRangeIndicesAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageBatchIterator.builder(images, new int[] {0, 21}).build());
        assertEquals("index 21 (must be in [0, 21))", e.getMessage());
    }
}
