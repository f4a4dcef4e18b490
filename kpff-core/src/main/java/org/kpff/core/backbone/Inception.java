package org.kpff.core.backbone;

import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;

/**
 * GoogLeNet / Inception-v1 (Szegedy et al. 2015) without the auxiliary classifiers: stem (7×7/2 64, pool, 1×1 64,
 * 3×3 192, pool), modules 3a–3b, pool, 4a–4e, pool, 5a–5b with the paper's channel counts; taps {@code inception3b},
 * {@code inception4e}, {@code inception5b}. LRN is replaced by optional batch norm.
 */
public final class Inception implements Backbone {

    @Override
    public String name() {
        return "inception";
    }

    @Override
    public Taps build(GraphBuilder g, String input, int channels, int inputSize, BackboneOptions o) {
        String x = ConvBlocks.conv(g, o, "stem1", input, 7, 2, o.channels(64));
        x = ConvBlocks.maxPool(g, "stem_pool1", x, 3, 2);
        x = ConvBlocks.conv(g, o, "stem2", x, 1, 1, o.channels(64));
        x = ConvBlocks.conv(g, o, "stem3", x, 3, 1, o.channels(192));
        x = ConvBlocks.maxPool(g, "stem_pool2", x, 3, 2);
        x = ConvBlocks.inception(g, o, "inception3a", x, 64, 96, 128, 16, 32, 32).name();
        ConvBlocks.Output t3 = ConvBlocks.inception(g, o, "inception3b", x, 128, 128, 192, 32, 96, 64);
        x = ConvBlocks.maxPool(g, "pool3", t3.name(), 3, 2);
        x = ConvBlocks.inception(g, o, "inception4a", x, 192, 96, 208, 16, 48, 64).name();
        x = ConvBlocks.inception(g, o, "inception4b", x, 160, 112, 224, 24, 64, 64).name();
        x = ConvBlocks.inception(g, o, "inception4c", x, 128, 128, 256, 24, 64, 64).name();
        x = ConvBlocks.inception(g, o, "inception4d", x, 112, 144, 288, 32, 64, 64).name();
        ConvBlocks.Output t4 = ConvBlocks.inception(g, o, "inception4e", x, 256, 160, 320, 32, 128, 128);
        x = ConvBlocks.maxPool(g, "pool4", t4.name(), 3, 2);
        x = ConvBlocks.inception(g, o, "inception5a", x, 256, 160, 320, 32, 128, 128).name();
        ConvBlocks.Output t5 = ConvBlocks.inception(g, o, "inception5b", x, 384, 192, 384, 48, 128, 128);
        return new Taps(List.of(t3.name(), t4.name(), t5.name()), List.of(t3.channels(), t4.channels(), t5.channels()));
    }
}
