package org.kpff.job.config;

import java.io.Serializable;

/**
 * The {@code eval.*} section: evaluation on the held-out fold.
 *
 * @param every evaluate every this many epochs; the last epoch is always evaluated
 */
public record EvalConfig(int every) implements Serializable {
}
