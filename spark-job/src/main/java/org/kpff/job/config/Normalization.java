package org.kpff.job.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How input pixels are normalised before they enter the network. */
public enum Normalization {
    /** Per-channel mean and std computed on each cell's training folds only, so nothing leaks from the held-out fold. */
    TRAIN_FOLD,
    /** Constant per-channel mean and std that do not depend on the data (the ImageNet statistics). */
    FIXED;

    /** The lower-case, hyphenated name used in configs and result tables. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Parses a config value case-insensitively.
     *
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    public static Normalization parse(String value) {
        for (Normalization n : values()) {
            if (n.id().equalsIgnoreCase(value == null ? "" : value.trim())) {
                return n;
            }
        }
        throw new IllegalArgumentException("Unknown normalization '" + value + "'; allowed: "
                + Arrays.stream(values()).map(Normalization::id).collect(Collectors.joining(", ")) + ".");
    }
}
