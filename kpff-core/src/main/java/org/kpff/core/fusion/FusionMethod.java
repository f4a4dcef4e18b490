package org.kpff.core.fusion;

import org.kpff.core.EnumIds;

/** How the fusion head combines the taps: not at all, by Add, by Concat, or by KPFF. */
public enum FusionMethod {
    /** The original network: only the deepest tap feeds the classifier. */
    NONE,
    /** Element-wise sum of the projected taps (paper eq. 1), DL4J's {@code ElementWiseVertex(Add)}. */
    ADD,
    /** Concatenation of the projected taps (paper eq. 2), DL4J's {@code MergeVertex}. */
    CONCAT,
    /** Kronecker product feature fusion y = Σ w_i ⊗ x_i with learnable w_i (paper eq. 5). */
    KPFF;

    /** The lower-case name used in configs and result tables. */
    public String id() {
        return EnumIds.id(this);
    }

    /**
     * Parses a config value case-insensitively.
     *
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    public static FusionMethod parse(String value) {
        return EnumIds.parse(FusionMethod.class, value, "fusion method");
    }
}
