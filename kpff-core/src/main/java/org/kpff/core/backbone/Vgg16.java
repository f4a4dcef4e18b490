package org.kpff.core.backbone;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;

/**
 * VGG-16's convolutional trunk (Simonyan and Zisserman 2015, configuration D): five blocks of 3×3 convolutions
 * (64×2, 128×2, 256×3, 512×3, 512×3), each ending in 2×2/2 max pooling; taps {@code block3}, {@code block4},
 * {@code block5} (each block's pooled output). The fully connected layers are replaced by the fusion head.
 */
public final class Vgg16 implements Backbone {

    private static final int[] CHANNELS = {64, 128, 256, 512, 512};
    private static final int[] CONVS = {2, 2, 3, 3, 3};

    @Override
    public String name() {
        return "vgg16";
    }

    @Override
    public Taps build(GraphBuilder g, String input, int channels, int inputSize, BackboneOptions o) {
        String x = input;
        List<String> names = new ArrayList<>();
        List<Integer> widths = new ArrayList<>();
        for (int block = 0; block < CHANNELS.length; block++) {
            for (int c = 0; c < CONVS[block]; c++) {
                x = ConvBlocks.conv(g, o, "conv" + (block + 1) + "_" + (c + 1), x, 3, 1, o.channels(CHANNELS[block]));
            }
            x = ConvBlocks.maxPool(g, "block" + (block + 1), x, 2, 2);
            if (block >= 2) {
                names.add(x);
                widths.add(o.channels(CHANNELS[block]));
            }
        }
        return new Taps(names, widths);
    }
}
