package org.kpff.core.fusion;

import org.kpff.core.EnumIds;

/**
 * How the KPFF mixing matrix W (column i = w_i) starts; the paper leaves this open.
 */
public enum FusionInit {
    /** w_i = e_i: the vertex starts as Concat (paper eq. 6). The default. */
    IDENTITY,
    /** w_i = e_1: the vertex starts as Add followed by zeros (paper eq. 7). */
    ADD,
    /** Entries drawn from N(0, 1/n) with the vertex's seed. */
    RANDOM;

    /** The lower-case name used in configs and result tables. */
    public String id() {
        return EnumIds.id(this);
    }

    /**
     * Parses a config value case-insensitively.
     *
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    public static FusionInit parse(String value) {
        return EnumIds.parse(FusionInit.class, value, "fusion init");
    }
}
