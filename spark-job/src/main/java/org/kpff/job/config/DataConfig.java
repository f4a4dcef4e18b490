package org.kpff.job.config;

import org.kpff.core.data.NormalizationSource;
import java.io.Serializable;

/**
 * The {@code data.*} section: where the dataset is, how images are prepared and how they are split into folds.
 *
 * @param uri           dataset folder URI; empty when it must come from the command line
 * @param inputSize     square input side in pixels
 * @param folds         number of cross-validation folds k
 * @param normalization how pixels are normalised
 * @param augment       whether training images are augmented
 * @param strict        whether an undecodable image fails the run (instead of being skipped)
 * @param foldSeed      seed of the stratified fold assignment
 */
public record DataConfig(String uri, int inputSize, int folds, NormalizationSource normalization, boolean augment,
        boolean strict, long foldSeed) implements Serializable {
}
