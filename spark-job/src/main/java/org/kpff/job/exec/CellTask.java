package org.kpff.job.exec;

import java.io.Serializable;
import org.kpff.core.data.DatasetListing;
import org.kpff.core.data.Folds;
import org.kpff.core.data.NormalizationSource;
import org.kpff.core.model.CellSpec;
import org.kpff.core.train.Checkpoints;
import org.kpff.core.train.HadoopCheckpoints;

/**
 * Everything an executor needs to train one cell: what to build and train, the dataset listing and folds (no
 * pixels: executors decode and cache them), where checkpoints go, and the data options.
 *
 * @param cellId          the cell's deterministic id
 * @param spec            model and training hyperparameters
 * @param listing         the dataset listing made by the driver
 * @param folds           the run's folds
 * @param fold            the held-out fold of this cell
 * @param normalization   where the per-channel statistics come from: the training fold, or fixed ones
 * @param augment         light augmentation of training batches
 * @param strict          fail on undecodable images instead of skipping them
 * @param checkpointDir   the cell's checkpoint folder URI, or null for no checkpoints
 * @param hadoopConf      Hadoop configuration for the dataset and output FileSystems
 * @param outerFold       a nested search's outer fold, left out of training too (inner cells) and never seen; null
 *                        for every other cell
 */
public record CellTask(String cellId, CellSpec spec, DatasetListing listing, Folds folds, int fold,
        NormalizationSource normalization, boolean augment, boolean strict, String checkpointDir,
        SerializableHadoopConf hadoopConf, Integer outerFold) implements Serializable {

    /** A task without an outer fold (every cell but a nested search's inner cells). */
    public CellTask(String cellId, CellSpec spec, DatasetListing listing, Folds folds, int fold,
            NormalizationSource normalization, boolean augment, boolean strict, String checkpointDir,
            SerializableHadoopConf hadoopConf) {
        this(cellId, spec, listing, folds, fold, normalization, augment, strict, checkpointDir, hadoopConf, null);
    }

    /**
     * The images the cell trains on, ascending: every fold but the held-out {@code fold} and, for a nested search's
     * inner cell, but its {@code outerFold} (which no selection may see).
     */
    public int[] trainIndices() {
        int[] train = folds.trainIndices(fold);
        if (outerFold == null || outerFold == fold) {
            return train;
        }
        return java.util.Arrays.stream(train).filter(i -> folds.fold(i) != outerFold).toArray();
    }

    /** Where this cell checkpoints: {@link Checkpoints#NONE} without a checkpoint folder. */
    public Checkpoints checkpoints() {
        return checkpointDir == null ? Checkpoints.NONE : new HadoopCheckpoints(checkpointDir, hadoopConf.get());
    }
}
