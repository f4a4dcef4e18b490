package org.kpff.core.data;

import org.kpff.core.EnumIds;

/** Where a cell's per-channel {@link Normalization} comes from: its training folds, or fixed constants. */
public enum NormalizationSource {
    /** Per-channel mean and std computed on each cell's training folds only, so nothing leaks from the held-out fold. */
    TRAIN_FOLD,
    /** Constant per-channel mean and std that do not depend on the data ({@link Normalization#IMAGENET}). */
    FIXED;

    /** The lower-case, hyphenated name used in configs and result tables. */
    public String id() {
        return EnumIds.id(this);
    }

    /**
     * Parses a config value case-insensitively.
     *
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    public static NormalizationSource parse(String value) {
        return EnumIds.parse(NormalizationSource.class, value, "normalization");
    }

    /**
     * The normalisation of a cell.
     *
     * @param images       the decoded dataset
     * @param trainIndices the cell's training-fold indices (used by {@link #TRAIN_FOLD})
     */
    public Normalization resolve(DecodedImages images, int[] trainIndices) {
        return this == FIXED ? Normalization.IMAGENET : Normalization.fromTraining(images, trainIndices);
    }
}
