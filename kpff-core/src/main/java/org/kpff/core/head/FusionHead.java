package org.kpff.core.head;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.kpff.core.backbone.Taps;
import org.kpff.core.fusion.FusionInit;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.core.fusion.KroneckerFusionVertex;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Builds the classification head over the taps: for each used tap, global average pooling then a dense ReLU
 * projection to the common width r; the fusion of the projections ({@link FusionMethod}); dropout; softmax.
 *
 * <p>This is the project's answer to what the paper leaves open (where the taps are, how features are made
 * equal-width): every method sees exactly the same projected features, so the comparison isolates the fusion.
 * NONE uses the deepest tap only. Vertex names: {@code tap<i>_gap}, {@code tap<i>_proj}, {@value #FUSE},
 * {@code dropout}, {@value #OUTPUT}.
 */
public final class FusionHead {

    /** Name of the fusion vertex (absent for NONE); a KPFF vertex's matrix is parameter {@code fuse_W}. */
    public static final String FUSE = "fuse";
    /** Name of the softmax output layer. */
    public static final String OUTPUT = "output";

    private FusionHead() {
    }

    /**
     * Adds the head and returns the output layer's name; every parameter uses the graph's global updater.
     *
     * @param dropout drop probability in [0, 1) (DL4J layers take the retain probability 1 - dropout)
     * @param seed    seed of a RANDOM fusion init
     */
    public static String build(GraphBuilder g, Taps taps, FusionMethod method, int projectionWidth, double dropout,
            int classes, FusionInit init, long seed) {
        return build(g, taps, method, projectionWidth, dropout, classes, init, seed, null);
    }

    /**
     * Adds the head and returns the output layer's name.
     *
     * @param dropout       drop probability in [0, 1) (DL4J layers take the retain probability 1 - dropout)
     * @param seed          seed of a RANDOM fusion init
     * @param fusionUpdater the updater of KPFF's W (e.g. Adam at a scaled learning rate), or null for the graph's
     *                      global updater; ignored by the other methods, which have no fusion parameters
     */
    public static String build(GraphBuilder g, Taps taps, FusionMethod method, int projectionWidth, double dropout,
            int classes, FusionInit init, long seed, IUpdater fusionUpdater) {
        List<String> used = method == FusionMethod.NONE ? List.of(taps.deepest()) : taps.names();
        List<String> projections = new ArrayList<>();
        for (int i = 0; i < used.size(); i++) {
            int tapIndex = taps.names().indexOf(used.get(i));
            String gap = "tap" + tapIndex + "_gap";
            String proj = "tap" + tapIndex + "_proj";
            g.addLayer(gap, new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), used.get(i));
            g.addLayer(proj, new DenseLayer.Builder().nOut(projectionWidth).activation(Activation.RELU).build(), gap);
            projections.add(proj);
        }
        String fused;
        switch (method) {
            case NONE:
                fused = projections.get(0);
                break;
            case ADD:
                g.addVertex(FUSE, new ElementWiseVertex(ElementWiseVertex.Op.Add), projections.toArray(new String[0]));
                fused = FUSE;
                break;
            case CONCAT:
                g.addVertex(FUSE, new MergeVertex(), projections.toArray(new String[0]));
                fused = FUSE;
                break;
            case KPFF:
                KroneckerFusionVertex kpff = new KroneckerFusionVertex(projections.size(), init, seed);
                if (fusionUpdater != null) {
                    // Kept by SameDiffVertex.applyGlobalConfig, which fills in only an unset updater.
                    kpff.setUpdater(fusionUpdater.clone());
                }
                g.addVertex(FUSE, kpff, projections.toArray(new String[0]));
                fused = FUSE;
                break;
            default:
                throw new IllegalStateException("Unhandled fusion method " + method);
        }
        String beforeOutput = fused;
        if (dropout > 0) {
            g.addLayer("dropout", new DropoutLayer.Builder(1.0 - dropout).build(), fused);
            beforeOutput = "dropout";
        }
        g.addLayer(OUTPUT, new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                .activation(Activation.SOFTMAX).build(), beforeOutput);
        return OUTPUT;
    }

    /**
     * A network's KPFF matrix W, row-major n × n ({@code W[r][c]} at {@code r·n + c}, column i is w_i), or null when
     * the network has no KPFF fusion vertex.
     */
    public static List<Double> learnedW(ComputationGraph net) {
        INDArray w = net.paramTable().get(FUSE + "_" + KroneckerFusionVertex.PARAM_W);
        if (w == null) {
            return null;
        }
        List<Double> out = new ArrayList<>((int) w.length());
        for (double v : w.dup('c').reshape(w.length()).toDoubleVector()) {
            out.add(v);
        }
        return out;
    }

    /** Width of the fused vector for a method: r for NONE and ADD, n·r for CONCAT and KPFF. */
    public static int fusedWidth(FusionMethod method, int taps, int projectionWidth) {
        return method == FusionMethod.CONCAT || method == FusionMethod.KPFF ? taps * projectionWidth : projectionWidth;
    }
}
