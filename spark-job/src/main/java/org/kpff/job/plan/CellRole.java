package org.kpff.job.plan;

import org.kpff.core.EnumIds;

/**
 * What a cell is for: an ordinary cross-validation cell, a selection cell of a nested search's inner search, or the
 * refit of a nested search's chosen point tested once on its outer fold.
 */
public enum CellRole {
    /** An ordinary cell: trained on every fold but {@code fold}, tested on {@code fold} (plain runs, searches). */
    CV,
    /** A nested search's selection cell: trained on every fold but {@code outer_fold} and {@code fold}, tested on
     * {@code fold}; {@code fold} is never the outer fold. */
    INNER,
    /** A nested search's refit: the point the inner search chose, trained on every fold but the outer fold and
     * tested once on it ({@code fold = outer_fold}). */
    OUTER;

    /** The lower-case name used in files. */
    public String id() {
        return EnumIds.id(this);
    }

    /**
     * Parses {@link #id()}; null (a row written before the column existed) is {@link #CV}.
     *
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    public static CellRole parse(String id) {
        return id == null ? CV : EnumIds.parse(CellRole.class, id, "cell role");
    }
}
