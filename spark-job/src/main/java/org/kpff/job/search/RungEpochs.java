package org.kpff.job.search;

/** The epochs a trial has trained once it finishes a rung (increasing in the rung). */
@FunctionalInterface
public interface RungEpochs {

    /** Epochs of {@code trial} after rung {@code rung}. */
    int epochs(int trial, int rung);
}
