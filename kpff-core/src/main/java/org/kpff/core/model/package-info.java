/**
 * The whole network of one cell, on whichever JVM trains or inspects it (driver or executor; no Spark here):
 * {@link org.kpff.core.model.CellSpec}, the validated description of a cell; {@link org.kpff.core.model.ModelFactory},
 * which assembles backbone and fusion head into a trainable graph; {@link org.kpff.core.model.ModelCost}, its
 * parameters and FLOPs; and {@link org.kpff.core.model.ConcatFolding}, a trained KPFF network folded into Concat.
 * Depends on {@code backbone}, {@code head}, {@code fusion} and {@code engine}; {@code train} depends on it.
 */
package org.kpff.core.model;
