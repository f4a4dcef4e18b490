/**
 * The fusion head over a backbone's taps (global average pooling, projection to a common width r, fusion, dropout,
 * softmax) and the {@link org.kpff.core.head.ModelFactory} that assembles backbone and head into a trainable graph.
 */
package org.kpff.core.head;
