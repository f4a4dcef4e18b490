/**
 * Kronecker Product Feature Fusion: the op {@link org.kpff.core.fusion.KroneckerFusion} (paper eqs. 5, 10, 13),
 * its trainable DL4J graph vertex (configuration {@link org.kpff.core.fusion.KroneckerFusionVertex}, runtime
 * {@link org.kpff.core.fusion.KroneckerFusionVertexRuntime}), and the {@link org.kpff.core.fusion.FusionMethod}
 * choice. Runs wherever a network runs: on the executors that train cells, on the driver for checks.
 */
package org.kpff.core.fusion;
