/**
 * JMH benchmarks: the KPFF op and graph vertex against DL4J's Concat and Add
 * ({@link org.kpff.bench.FusionVertexBenchmark}), alternative formulations of the op
 * ({@link org.kpff.bench.KroneckerVariantsBenchmark}), and the fusion head's share of a training step
 * ({@link org.kpff.bench.HeadShareBenchmark}). Built only with {@code -Pbench}; run
 * {@code java -jar kpff-bench/target/benchmarks.jar}.
 */
package org.kpff.bench;
