package org.kpff.job.results;

/**
 * What McNemar's exact test could use: the {@code mcnemar_status} column of {@code comparisons.parquet}.
 */
public enum McNemarStatus {
    /** Defined, with at least one discordant image (b + c ≥ 1). */
    OK("ok"),
    /**
     * No discordant image (b + c = 0, e.g. identical predictions): the exact p-value is 1, and the test carries no
     * evidence either way.
     */
    NO_DISCORDANT("no-discordant"),
    /** No held-out image has predictions from both cells: p is NaN. */
    NO_IMAGES("no-images");

    private final String id;

    McNemarStatus(String id) {
        this.id = id;
    }

    /** The value stored in the {@code mcnemar_status} column. */
    public String id() {
        return id;
    }

    /** The status of a stored id. */
    public static McNemarStatus parse(String id) {
        for (McNemarStatus s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("mcnemar_status = '" + id + "' is not one of ok, no-discordant, no-images");
    }

    /** The status of counts: {@code images} paired images, b and c discordant ones. */
    public static McNemarStatus of(long images, long b, long c) {
        return images == 0 ? NO_IMAGES : b + c == 0 ? NO_DISCORDANT : OK;
    }

    /** A note for summary.md; empty for {@link #OK}. */
    public String reason() {
        return switch (this) {
            case OK -> "";
            case NO_DISCORDANT -> "McNemar: no discordant image (b + c = 0), p = 1 carries no evidence";
            case NO_IMAGES -> "McNemar undefined: no image predicted by both cells";
        };
    }
}
