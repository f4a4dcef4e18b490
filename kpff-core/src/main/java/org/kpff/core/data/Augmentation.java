package org.kpff.core.data;

import java.io.Serializable;

/**
 * Light, label-preserving training augmentation for aerial scenes: random horizontal and vertical flips and a random
 * shift of up to {@code maxShift} pixels in each direction (a random crop of the edge-padded image). Off by default
 * ({@link #NONE}).
 *
 * <p>Each image's transform depends only on (seed, epoch, image index), never on batch size or order.
 *
 * @param horizontalFlip flip left-right with probability 1/2
 * @param verticalFlip   flip top-bottom with probability 1/2
 * @param maxShift       shift by a uniform integer in [−maxShift, maxShift] along each axis, edge pixels repeated
 *                       (≥ 0; must be below S/2)
 */
public record Augmentation(boolean horizontalFlip, boolean verticalFlip, int maxShift) implements Serializable {

    /** No augmentation. */
    public static final Augmentation NONE = new Augmentation(false, false, 0);

    public Augmentation {
        if (maxShift < 0) {
            throw new IllegalArgumentException("maxShift = " + maxShift + " (must be >= 0 pixels)");
        }
    }

    /** Both flips and shifts of up to S/16 pixels (at least 1): a sensible light setting for an S×S input. */
    public static Augmentation light(int inputSize) {
        return new Augmentation(true, true, Math.max(1, inputSize / 16));
    }

    /** Whether any transform is on. */
    public boolean enabled() {
        return horizontalFlip || verticalFlip || maxShift > 0;
    }
}
