package org.kpff.core.backbone;

import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;

/**
 * AlexNet's convolutional trunk (Krizhevsky et al. 2012, single-tower): conv 11×11/4 96, pool, conv 5×5 256, pool,
 * conv 3×3 384, 384, 256; taps {@code conv3}, {@code conv4}, {@code conv5}. LRN is replaced by optional batch norm;
 * the fully connected layers are replaced by the fusion head.
 */
public final class AlexNet implements Backbone {

    @Override
    public String name() {
        return "alexnet";
    }

    @Override
    public Taps build(GraphBuilder g, String input, int channels, int inputSize, BackboneOptions o) {
        String x = ConvBlocks.conv(g, o, "conv1", input, 11, 4, o.channels(96));
        x = ConvBlocks.maxPool(g, "pool1", x, 3, 2);
        x = ConvBlocks.conv(g, o, "conv2", x, 5, 1, o.channels(256));
        x = ConvBlocks.maxPool(g, "pool2", x, 3, 2);
        String c3 = ConvBlocks.conv(g, o, "conv3", x, 3, 1, o.channels(384));
        String c4 = ConvBlocks.conv(g, o, "conv4", c3, 3, 1, o.channels(384));
        String c5 = ConvBlocks.conv(g, o, "conv5", c4, 3, 1, o.channels(256));
        return new Taps(List.of(c3, c4, c5), List.of(o.channels(384), o.channels(384), o.channels(256)));
    }
}
