/**
 * CNN backbones built from scratch as DL4J ComputationGraph sections (AlexNet, VGG-16, Inception-v1), looked up by
 * name in {@link org.kpff.core.backbone.Backbones}, each exposing three named fusion taps at increasing depth.
 * Built on the executors that train cells (and on the driver to cost or check a network).
 */
package org.kpff.core.backbone;
