package org.kpff.core.train;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Where a cell saves and finds its last checkpoint (model, updater state, evaluation history and the state of the
 * generator that draws the dropout masks).
 */
public interface Checkpoints {

    /**
     * A restored checkpoint.
     *
     * @param epoch   epochs trained when it was saved
     * @param model   the network with its updater state
     * @param history the evaluations up to that epoch
     * @param random  the training thread's generator when it was saved; null for a checkpoint of a format that did
     *                not keep it (the cell then resumes with the generator as it finds it)
     */
    record Restored(int epoch, ComputationGraph model, List<EpochEvaluation> history, RandomState random) {
    }

    /** The last complete checkpoint, if any. */
    Optional<Restored> load() throws IOException;

    /**
     * Saves a checkpoint atomically: a reader sees the previous one or this one, never a partial one.
     *
     * @param random the training thread's generator state after {@code epoch}
     */
    void save(int epoch, ComputationGraph model, List<EpochEvaluation> history, RandomState random) throws IOException;

    /** Checkpoints that keep nothing (no resume). */
    Checkpoints NONE = new Checkpoints() {
        @Override
        public Optional<Restored> load() {
            return Optional.empty();
        }

        @Override
        public void save(int epoch, ComputationGraph model, List<EpochEvaluation> history, RandomState random) {
        }
    };
}
