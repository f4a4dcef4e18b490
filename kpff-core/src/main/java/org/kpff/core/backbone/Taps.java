package org.kpff.core.backbone;

import java.util.List;

/**
 * The named fusion taps of a built backbone, shallow to deep, with each tap's channel count.
 *
 * @param names    graph vertex names of the taps
 * @param channels channel count of each tap
 */
public record Taps(List<String> names, List<Integer> channels) {

    public Taps {
        names = List.copyOf(names);
        channels = List.copyOf(channels);
        if (names.size() != channels.size() || names.isEmpty()) {
            throw new IllegalArgumentException("Taps need one channel count per name; got " + names + " and " + channels);
        }
    }

    /** The deepest tap's vertex name (the only one the original network, method NONE, uses). */
    public String deepest() {
        return names.get(names.size() - 1);
    }
}
