/**
 * The grid planner: expands folds × backbones × fusion methods × hyperparameter points into
 * {@link org.kpff.job.plan.GridCell}s with deterministic ids and seeds, drops committed cells (resume) and orders
 * the rest longest-first by a {@link org.kpff.job.plan.CostModel}. Runs in the driver JVM; a
 * {@link org.kpff.job.plan.GridCell} is serialised into its cell's task.
 */
package org.kpff.job.plan;
