/**
 * The KPFF layer core: fusion op and vertex, backbones, heads, the model of a cell, datasets and one cell's training;
 * no Spark. Its classes run on whichever side of a Spark job calls them: the data listing and folds on the driver,
 * decoding, networks and training on the executors (each package says which); {@link org.kpff.core.Seeds},
 * {@link org.kpff.core.EnumIds} and {@link org.kpff.core.DaemonThreads} on both.
 */
package org.kpff.core;
