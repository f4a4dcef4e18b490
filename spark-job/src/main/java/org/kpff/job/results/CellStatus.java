package org.kpff.job.results;

import java.util.Locale;

/** Whether a cell finished: its result row says ok, or failed with a reason. */
public enum CellStatus {
    /** Trained and evaluated; accuracies are set. */
    OK,
    /** Gave up after its attempts; the reason is set. */
    FAILED;

    /** The lower-case name stored in the {@code status} column. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a stored status.
     *
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    public static CellStatus parse(String value) {
        for (CellStatus s : values()) {
            if (s.id().equalsIgnoreCase(value == null ? "" : value.trim())) {
                return s;
            }
        }
        throw new IllegalArgumentException("Unknown cell status '" + value + "'; allowed: ok, failed.");
    }
}
