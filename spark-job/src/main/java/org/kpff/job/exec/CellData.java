package org.kpff.job.exec;

import org.kpff.core.data.Augmentation;
import org.kpff.core.data.DecodedImages;
import org.kpff.core.data.ImageBatchIterator;
import org.kpff.core.data.ImageCache;
import org.kpff.core.data.Normalization;

/**
 * A cell's images as every training mode reads them: the decoded dataset from this JVM's cache, the usable training
 * and held-out indices of the cell's fold, the normalisation, and the training and validation batch iterators. A
 * local cell's task, and the driver and executors of a data-parallel cell, all make their batches here.
 */
public final class CellData {

    private final CellTask task;
    private final DecodedImages images;
    private final int[] train;
    private final int[] test;
    private final Normalization normalization;

    private CellData(CellTask task, DecodedImages images, int[] train, int[] test, Normalization normalization) {
        this.task = task;
        this.images = images;
        this.train = train;
        this.test = test;
        this.normalization = normalization;
    }

    /**
     * Loads a cell's data: decodes the dataset once per JVM (or reuses it) and computes the normalisation the task
     * asks for ({@code fixed}, or the statistics of the training fold).
     *
     * @throws org.kpff.core.data.DatasetException when decoding fails in strict mode
     */
    public static CellData load(CellTask task) {
        return load(task, null);
    }

    /**
     * Like {@link #load(CellTask)} with a normalisation computed elsewhere (the driver of a data-parallel cell hands
     * its own to the executors, so that they do not recompute the training-fold statistics); null computes it.
     */
    public static CellData load(CellTask task, Normalization normalization) {
        DecodedImages images = ImageCache.get(task.listing(), task.spec().inputSize(), task.strict(),
                task.hadoopConf().get());
        int[] train = images.usable(task.trainIndices());
        int[] test = images.usable(task.folds().testIndices(task.fold()));
        Normalization norm = normalization != null ? normalization : task.normalization().resolve(images, train);
        return new CellData(task, images, train, test, norm);
    }

    /** The training fold, shuffled per epoch from the cell's seed, augmented if the task says so. */
    public ImageBatchIterator training() {
        return ImageBatchIterator.builder(images, train).batchSize(task.spec().batchSize()).normalization(normalization)
                .shuffle(true)
                .augmentation(task.augment() ? Augmentation.light(task.spec().inputSize()) : Augmentation.NONE)
                .seed(task.spec().seed()).build();
    }

    /** The held-out fold in listing order (the order of {@link #heldOut()}). */
    public ImageBatchIterator validation() {
        return ImageBatchIterator.builder(images, test).batchSize(task.spec().batchSize()).normalization(normalization)
                .shuffle(false).build();
    }

    /** Listing indices of the usable held-out images, in prediction order; a fresh array. */
    public int[] heldOut() {
        return test.clone();
    }

    /** Number of usable training images (examples per epoch). */
    public int trainingExamples() {
        return train.length;
    }

    /** The normalisation every batch of this cell uses. */
    public Normalization normalization() {
        return normalization;
    }
}
