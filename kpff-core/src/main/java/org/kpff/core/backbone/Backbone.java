package org.kpff.core.backbone;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;

/**
 * A from-scratch CNN feature extractor that adds its layers to a graph and names three fusion taps.
 *
 * <p>Contract: {@link #build} adds layers reading from {@code input} (NCHW images with {@code channels} channels)
 * and returns the taps, shallow to deep; every tap is a convolutional activation {@code [B, C_t, H_t, W_t]}. The
 * same arguments always give the same layer names and shapes.
 */
public interface Backbone {

    /** The registry name, e.g. {@code alexnet}. */
    String name();

    /**
     * Adds the backbone to a graph.
     *
     * @param g         the graph builder (its global config sets the updater, init and regularisation)
     * @param input     the name of the image input
     * @param channels  image channels (3 for RGB)
     * @param inputSize square image side in pixels
     * @param options   width multiplier and batch-norm choice
     * @return the three taps, shallow to deep
     */
    Taps build(GraphBuilder g, String input, int channels, int inputSize, BackboneOptions options);
}
