package org.kpff.job.config;

import org.kpff.core.EnumIds;

/** The dl4j-spark training master that spreads a data-parallel cell over the executors. */
public enum TrainingMasterKind {
    /**
     * Synchronous parameter averaging ({@code ParameterAveragingTrainingMaster}): every worker fits its own
     * minibatches from the same parameters and Adam state, then both are averaged.
     */
    PARAMETER_AVERAGING;

    /** The lower-case, hyphenated name used in configs. */
    public String id() {
        return EnumIds.id(this);
    }
}
