package org.kpff.core.train;

import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The state of the calling thread's ND4J generator ({@link Nd4j#getRandom()}), which draws the dropout masks while
 * a cell trains. A checkpoint keeps it, so that a cell resumed in another JVM, or on a thread another cell has used,
 * draws the same masks as if it had never stopped: resumed and uninterrupted cells train bit for bit alike
 * ({@code CellTrainerTest}). Shuffling needs nothing of this: each epoch's order is seeded by the epoch.
 *
 * @param root the generator's root state (libnd4j's {@code RandomGenerator})
 * @param node its node state, which advances as random ops run
 */
public record RandomState(long root, long node) implements java.io.Serializable {

    /** The calling thread's generator state now. */
    public static RandomState capture() {
        Random r = Nd4j.getRandom();
        return new RandomState(r.rootState(), r.nodeState());
    }

    /** Puts the calling thread's generator into this state. */
    public void restore() {
        Nd4j.getRandom().setStates(root, node);
    }
}
