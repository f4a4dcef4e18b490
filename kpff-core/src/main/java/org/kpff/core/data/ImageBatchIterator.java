package org.kpff.core.data;

import org.kpff.core.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DL4J {@link DataSetIterator} over a subset of {@link DecodedImages}: features float32 {@code [B, 3, S, S]}
 * (NCHW), labels one-hot float32 {@code [B, classes]}, normalised as the batch is made.
 *
 * <p>Order: without shuffling, batches follow the given indices in the given order; with shuffling, epoch
 * {@code e} is a permutation determined by (seed, e) alone. The iterator starts at epoch 0 and every
 * {@link #reset()} moves to the next epoch ({@link #setEpoch} jumps, e.g. when resuming from a checkpoint).
 * Augmentation of an image depends on (seed, epoch, image index) alone. The last batch may be smaller than the
 * batch size. Skipped (undecodable) images are left out of the given indices. Every {@link DataSet} carries its
 * images' listing indices ({@link Integer}) as example metadata, which stays right under DL4J's asynchronous
 * prefetch; {@link #lastBatchIndices()} gives the same for direct use.
 *
 * <p>Not thread-safe: one consumer at a time (DL4J's prefetch wrapper is one).
 */
public final class ImageBatchIterator implements DataSetIterator {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ImageBatchIterator.class);
    private static final long SHUFFLE_STREAM = 1;
    private static final long AUGMENT_STREAM = 2;

    private final DecodedImages images;
    private final int[] indices;
    private final int batchSize;
    private final Normalization normalization;
    private final float[][] table;
    private final boolean shuffle;
    private final Augmentation augmentation;
    private final long seed;
    private int epoch;
    private int[] order;
    private int cursor;
    private int[] lastBatch = new int[0];
    private DataSetPreProcessor preProcessor;

    private ImageBatchIterator(Builder b) {
        this.images = b.images;
        this.indices = b.images.usable(b.indices);
        int dropped = b.indices.length - indices.length;
        if (dropped > 0) {
            LOG.warn("{} of the {} given images were skipped at decoding and are left out", dropped, b.indices.length);
        }
        this.batchSize = b.batchSize;
        this.normalization = b.normalization;
        this.table = b.normalization.lookupTable();
        this.shuffle = b.shuffle;
        this.augmentation = b.augmentation;
        this.seed = b.seed == null ? 0 : b.seed;
        setEpoch(0);
    }

    /**
     * A builder over {@code indices} of {@code images} (e.g. {@code folds.trainIndices(f)}); defaults: batch size
     * 32, {@link Normalization#UNIT}, no shuffling, {@link Augmentation#NONE}. Shuffling or augmentation needs an
     * explicit {@link Builder#seed}.
     */
    public static Builder builder(DecodedImages images, int[] indices) {
        return new Builder(images, indices);
    }

    /** Configures an {@link ImageBatchIterator}; validated by {@link #build()}. */
    public static final class Builder {
        private final DecodedImages images;
        private final int[] indices;
        private int batchSize = 32;
        private Normalization normalization = Normalization.UNIT;
        private boolean shuffle;
        private Augmentation augmentation = Augmentation.NONE;
        private Long seed;

        private Builder(DecodedImages images, int[] indices) {
            this.images = Objects.requireNonNull(images, "images");
            this.indices = Objects.requireNonNull(indices, "indices").clone();
        }

        /** Examples per batch (≥ 1); the last batch of an epoch may be smaller. */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** How pixels become features. */
        public Builder normalization(Normalization normalization) {
            this.normalization = Objects.requireNonNull(normalization, "normalization");
            return this;
        }

        /** Whether every epoch visits the images in a fresh seeded permutation. */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** The random transforms applied to each image, {@link Augmentation#NONE} for none. */
        public Builder augmentation(Augmentation augmentation) {
            this.augmentation = Objects.requireNonNull(augmentation, "augmentation");
            return this;
        }

        /** The seed of shuffling and augmentation. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * The iterator.
         *
         * @throws IllegalArgumentException naming the field, when the batch size is below 1, an index is out of
         *                                  range, the shift is not below S/2, or shuffling or augmentation has no
         *                                  seed
         */
        public ImageBatchIterator build() {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize = " + batchSize + " (must be at least 1)");
            }
            for (int i : indices) {
                if (i < 0 || i >= images.size()) {
                    throw new IllegalArgumentException("index " + i + " (must be in [0, " + images.size() + "))");
                }
            }
            if (augmentation.maxShift() * 2 >= images.inputSize()) {
                throw new IllegalArgumentException("augmentation.maxShift = " + augmentation.maxShift()
                        + " (must be below half the input size " + images.inputSize() + ")");
            }
            if ((shuffle || augmentation.enabled()) && seed == null) {
                throw new IllegalArgumentException("seed = unset (must be given when shuffle or augmentation is on)");
            }
            return new ImageBatchIterator(this);
        }
    }

    /** The images this iterator reads. */
    public DecodedImages images() {
        return images;
    }

    /** The indices it iterates (skipped images removed), in the given order; a fresh array. */
    public int[] indices() {
        return indices.clone();
    }

    /** The order of the current epoch: {@link #indices()} itself without shuffling; a fresh array. */
    public int[] epochOrder() {
        return order.clone();
    }

    /** The listing indices of the images in the last batch returned; a fresh array. */
    public int[] lastBatchIndices() {
        return lastBatch.clone();
    }

    /** The current epoch, 0 before the first {@link #reset()}. */
    public int epoch() {
        return epoch;
    }

    /** Jumps to the start of {@code epoch} (≥ 0): the same order and augmentation as reaching it by resets. */
    public void setEpoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch = " + epoch + " (must be >= 0)");
        }
        this.epoch = epoch;
        this.cursor = 0;
        this.order = shuffle ? permutation(epoch) : indices;
    }

    /**
     * Moves to the start of batch {@code batch} (0-based) of the current epoch, so that the next {@link #next()}
     * makes exactly the batch that iterating from the epoch's start would make there (same images, same
     * augmentation). Data-parallel training builds an epoch's batches this way on several executors.
     *
     * @throws IllegalArgumentException unless {@code 0 <= batch < batchesPerEpoch()}
     */
    public void seekBatch(int batch) {
        if (batch < 0 || batch >= batchesPerEpoch()) {
            throw new IllegalArgumentException("batch = " + batch + " (must be in [0, " + batchesPerEpoch() + "))");
        }
        this.cursor = batch * batchSize;
    }

    /** Batches per epoch: the examples divided by the batch size, rounded up (the last batch may be smaller). */
    public int batchesPerEpoch() {
        return (indices.length + batchSize - 1) / batchSize;
    }

    private int[] permutation(int epoch) {
        int[] out = indices.clone();
        SplittableRandom rnd = new SplittableRandom(Seeds.derive(seed, SHUFFLE_STREAM, epoch));
        for (int i = out.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
        return out;
    }

    /** The normalisation applied. */
    public Normalization normalization() {
        return normalization;
    }

    /** Number of examples per epoch. */
    public int numExamples() {
        return indices.length;
    }

    @Override
    public boolean hasNext() {
        return cursor < order.length;
    }

    @Override
    public DataSet next() {
        return next(batchSize);
    }

    @Override
    public DataSet next(int num) {
        if (num < 1) {
            throw new IllegalArgumentException("num = " + num + " (must be at least 1)");
        }
        if (!hasNext()) {
            throw new NoSuchElementException("Epoch " + epoch + " is exhausted after " + order.length
                    + " examples; call reset() for the next epoch");
        }
        int b = Math.min(num, order.length - cursor);
        int[] batch = Arrays.copyOfRange(order, cursor, cursor + b);
        cursor += b;
        int s = images.inputSize();
        int per = 3 * s * s;
        float[] features = new float[b * per];
        float[] labels = new float[b * images.classCount()];
        List<Integer> meta = new ArrayList<>(b);
        for (int k = 0; k < b; k++) {
            int index = batch[k];
            fill(index, features, k * per);
            labels[k * images.classCount() + images.label(index)] = 1f;
            meta.add(index);
        }
        INDArray f = floats(features, b, 3, s, s);
        INDArray l = floats(labels, b, images.classCount());
        DataSet ds = new DataSet(f, l);
        ds.setExampleMetaData(meta);
        lastBatch = batch;
        if (preProcessor != null) {
            preProcessor.preProcess(ds);
        }
        return ds;
    }

    /**
     * A float32 array holding {@code data}. ND4J's CPU backend copies a Java array into native memory one element
     * at a time ({@code BaseDataBuffer.setData}: about 3 % of a training step in a JFR profile of AlexNet at 64 px),
     * so on the CPU backend the values go in with one bulk copy into the new array's native buffer; other backends
     * (CUDA copies in bulk and must track which copy of the buffer is current) use {@code Nd4j.create}.
     */
    static INDArray floats(float[] data, long... shape) {
        if (!CPU_BACKEND) {
            return Nd4j.create(data, shape, DataType.FLOAT);
        }
        INDArray a = Nd4j.createUninitialized(DataType.FLOAT, shape);
        a.data().asNioFloat().put(data);
        return a;
    }

    /** Whether the bulk copy of {@link #floats} is used: ND4J's CPU backend is loaded. */
    static final boolean CPU_BACKEND = Nd4j.getBackend().getClass().getName()
            .equals("org.nd4j.linalg.cpu.nativecpu.CpuBackend");

    /** Writes image {@code index}, augmented and normalised, as {@code 3·S·S} floats at {@code offset}. */
    private void fill(int index, float[] out, int offset) {
        byte[] p = images.raw(index);
        int s = images.inputSize();
        if (!augmentation.enabled()) {
            for (int c = 0; c < 3; c++) {
                float[] lut = table[c];
                for (int k = c * s * s, end = k + s * s; k < end; k++) {
                    out[offset + k] = lut[p[k] & 0xFF];
                }
            }
            return;
        }
        SplittableRandom rnd = new SplittableRandom(Seeds.derive(seed, AUGMENT_STREAM, epoch, index));
        boolean flipX = augmentation.horizontalFlip() && rnd.nextBoolean();
        boolean flipY = augmentation.verticalFlip() && rnd.nextBoolean();
        int m = augmentation.maxShift();
        int dx = m > 0 ? rnd.nextInt(-m, m + 1) : 0;
        int dy = m > 0 ? rnd.nextInt(-m, m + 1) : 0;
        int[] srcX = new int[s];
        for (int x = 0; x < s; x++) {
            srcX[x] = clamp((flipX ? s - 1 - x : x) + dx, s);
        }
        for (int c = 0; c < 3; c++) {
            float[] lut = table[c];
            for (int y = 0; y < s; y++) {
                int srcRow = (c * s + clamp((flipY ? s - 1 - y : y) + dy, s)) * s;
                int dstRow = offset + (c * s + y) * s;
                for (int x = 0; x < s; x++) {
                    out[dstRow + x] = lut[p[srcRow + srcX[x]] & 0xFF];
                }
            }
        }
    }

    private static int clamp(int v, int s) {
        return v < 0 ? 0 : Math.min(v, s - 1);
    }

    @Override
    public int inputColumns() {
        return 3 * images.inputSize() * images.inputSize();
    }

    @Override
    public int totalOutcomes() {
        return images.classCount();
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return true;
    }

    /** Starts the next epoch (a new permutation when shuffling). */
    @Override
    public void reset() {
        setEpoch(epoch + 1);
    }

    @Override
    public int batch() {
        return batchSize;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public List<String> getLabels() {
        return images.classes();
    }
}
