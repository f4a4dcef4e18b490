/**
 * Kronecker Product Feature Fusion: the op {@link org.kpff.core.fusion.KroneckerFusion} (paper eqs. 5, 10, 13),
 * its trainable DL4J graph vertex, and the {@link org.kpff.core.fusion.FusionMethod} choice.
 */
package org.kpff.core.fusion;
