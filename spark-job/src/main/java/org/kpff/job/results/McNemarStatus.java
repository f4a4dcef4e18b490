package org.kpff.job.results;

import org.kpff.core.EnumIds;

/**
 * What McNemar's exact test could use: the {@code mcnemar_status} column of {@code comparisons.parquet}.
 */
public enum McNemarStatus {
    /** Defined, with at least one discordant image (b + c ≥ 1). */
    OK,
    /**
     * No discordant image (b + c = 0, e.g. identical predictions): the exact p-value is 1, and the test carries no
     * evidence either way.
     */
    NO_DISCORDANT,
    /** No held-out image has predictions from both cells: p is NaN. */
    NO_IMAGES;

    /** The value stored in the {@code mcnemar_status} column ({@link EnumIds#id}). */
    public String id() {
        return EnumIds.id(this);
    }

    /** The status of a stored id; an error names the value and the allowed ids. */
    public static McNemarStatus parse(String id) {
        return EnumIds.parse(McNemarStatus.class, id, "mcnemar_status");
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
