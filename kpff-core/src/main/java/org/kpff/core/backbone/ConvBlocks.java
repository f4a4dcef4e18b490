package org.kpff.core.backbone;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.nd4j.linalg.activations.Activation;

/** Shared building blocks of the backbones: conv(+BN)+ReLU, max pooling, and an Inception-v1 module. */
final class ConvBlocks {

    private ConvBlocks() {
    }

    /**
     * Adds a k×k convolution with ReLU (with batch norm in between when enabled) and returns the output name.
     * Convolutions use 'same' padding (set globally by the model factory), so the output side is ceil(in/stride).
     *
     * <p>With batch norm the ReLU is a layer of its own ({@code name}, after {@code name_bn}): DL4J 1.0.0-M2.1's
     * {@code BatchNormalization} layer ignores its configured activation, so a ReLU set on it is silently never
     * applied (which made every batch-normed backbone linear up to its pooling layers). The convolution before batch
     * norm is a {@link LinearConvolution}: no bias (batch norm's shift replaces it), no activation, and no second
     * forward convolution in its backward pass.
     */
    static String conv(GraphBuilder g, BackboneOptions o, String name, String in, int kernel, int stride, int nOut) {
        if (!o.batchNorm()) {
            g.addLayer(name, new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride).nOut(nOut)
                    .activation(Activation.RELU).build(), in);
            return name;
        }
        LinearConvolution c = new LinearConvolution(kernel, stride, nOut);
        if (g.getNetworkInputs().contains(in)) {
            c.withoutInputGradient(); // fed by the image: its gradient is never read
        }
        g.addLayer(name + "_conv", c, in);
        g.addLayer(name + "_bn", new BatchNorm(), name + "_conv");
        g.addLayer(name, new Relu(), name + "_bn");
        return name;
    }

    /** Adds k×k max pooling with the given stride and returns the output name. */
    static String maxPool(GraphBuilder g, String name, String in, int kernel, int stride) {
        g.addLayer(name, new MaxPooling(kernel, stride), in);
        return name;
    }

    /**
     * Adds a GoogLeNet (Inception-v1) module: 1×1 | 1×1→3×3 | 1×1→5×5 | 3×3 max-pool→1×1, concatenated on
     * channels. Channel counts are the paper's, scaled by the width multiplier.
     *
     * @return the module's output name and its channel count
     */
    static Output inception(GraphBuilder g, BackboneOptions o, String name, String in, int c1, int c3r, int c3,
            int c5r, int c5, int pp) {
        String b1 = conv(g, o, name + "_1x1", in, 1, 1, o.channels(c1));
        String b2 = conv(g, o, name + "_3x3", conv(g, o, name + "_3x3r", in, 1, 1, o.channels(c3r)), 3, 1, o.channels(c3));
        String b3 = conv(g, o, name + "_5x5", conv(g, o, name + "_5x5r", in, 1, 1, o.channels(c5r)), 5, 1, o.channels(c5));
        String b4 = conv(g, o, name + "_pp", maxPool(g, name + "_pool", in, 3, 1), 1, 1, o.channels(pp));
        g.addVertex(name, new MergeVertex(), b1, b2, b3, b4);
        return new Output(name, o.channels(c1) + o.channels(c3) + o.channels(c5) + o.channels(pp));
    }

    /** A vertex name and its channel count. */
    record Output(String name, int channels) {
    }
}
