package org.kpff.job.config;

import org.kpff.core.EnumIds;

/** How the cells of a grid use the cluster: one cell per GPU task, or each cell trained data-parallel. */
public enum RunMode {
    /** Each cell trains on one device inside one Spark task; cells run side by side. */
    LOCAL,
    /** Each cell trains data-parallel over the executors (parameter averaging); cells run one after another. */
    DATA_PARALLEL;

    /** The lower-case, hyphenated name used in configs. */
    public String id() {
        return EnumIds.id(this);
    }

    /**
     * Parses a config value case-insensitively.
     *
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    public static RunMode parse(String value) {
        return EnumIds.parse(RunMode.class, value, "run mode");
    }
}
