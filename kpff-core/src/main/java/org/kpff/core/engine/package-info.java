/**
 * Which compute path trains the networks: DL4J's native layer helpers (libnd4j's convolution, batch-norm and
 * pooling custom ops, which run oneDNN on CPU and cuDNN on CUDA) or DL4J's plain Java-orchestrated im2col path.
 * {@link org.kpff.core.engine.ComputeEngine} switches the fast path on once per JVM, falls back with one warning, and
 * names the engine a network really uses. Per JVM: each executor switches it on before its first cell. On CPU,
 * {@link org.kpff.core.engine.OneDnnHelpers} then replaces DL4J's convolution and batch-norm helpers on each network
 * by the project's, which call oneDNN directly with primitives cached per shape.
 */
package org.kpff.core.engine;
