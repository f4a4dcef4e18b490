/**
 * The fusion head over a backbone's taps (global average pooling, projection to a common width r, fusion, dropout,
 * softmax), added to a graph by {@link org.kpff.core.head.FusionHead}; the whole model is assembled in
 * {@code org.kpff.core.model}. Runs wherever a network is built: the executors that train, the driver that checks.
 */
package org.kpff.core.head;
