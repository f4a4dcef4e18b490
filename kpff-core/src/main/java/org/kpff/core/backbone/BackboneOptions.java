package org.kpff.core.backbone;

/**
 * How a backbone is scaled: a width multiplier on every channel count (1.0 = the paper's networks) and whether
 * each convolution is followed by batch normalisation.
 *
 * @param width     channel multiplier in (0, 4]
 * @param batchNorm batch normalisation after every convolution (before its ReLU)
 */
public record BackboneOptions(double width, boolean batchNorm) {

    public BackboneOptions {
        if (!(width > 0 && width <= 4)) {
            throw new IllegalArgumentException("Backbone width = " + width + " (must be in (0, 4]).");
        }
    }

    /** A paper channel count scaled by the width multiplier, at least 1. */
    public int channels(int paperChannels) {
        return Math.max(1, (int) Math.round(paperChannels * width));
    }
}
