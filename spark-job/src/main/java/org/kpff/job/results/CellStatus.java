package org.kpff.job.results;

import org.kpff.core.EnumIds;

/** Whether a cell finished: its result row says ok, or failed with a reason. */
public enum CellStatus {
    /** Trained and evaluated; accuracies are set. */
    OK,
    /** Gave up after its attempts; the reason is set. */
    FAILED;

    /** The lower-case name stored in the {@code status} column. */
    public String id() {
        return EnumIds.id(this);
    }

    /**
     * Parses a stored status.
     *
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    public static CellStatus parse(String value) {
        return EnumIds.parse(CellStatus.class, value, "cell status");
    }
}
