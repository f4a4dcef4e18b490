package org.kpff.core.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.kpff.core.backbone.BackboneOptions;
import org.kpff.core.backbone.Backbones;
import org.kpff.core.backbone.Taps;
import org.kpff.core.engine.ComputeEngine;
import org.kpff.core.engine.FlatViewUpdater;
import org.kpff.core.engine.OneDnnHelpers;
import org.kpff.core.head.FusionHead;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Assembles backbone and fusion head into an initialised ComputationGraph for a {@link CellSpec}: RGB input
 * {@value #INPUT} {@code [B, 3, S, S]}, 'same' convolutions, He (ReLU) initialisation, Adam with the spec's
 * learning rate (KPFF's W at {@link CellSpec#fusionLearningRate()} when its scale is not 1), and weight decay as L2 added to the gradient before Adam (what PyTorch's
 * {@code Adam(weight_decay=…)} does, which the paper used).
 */
public final class ModelFactory {

    /** Name of the image input. */
    public static final String INPUT = "image";
    /** Image channels (RGB). */
    public static final int CHANNELS = 3;

    private ModelFactory() {
    }

    /** The graph configuration for a cell (no parameters allocated). */
    public static ComputationGraphConfiguration configuration(CellSpec spec, DataType dataType) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(spec.seed())
                .dataType(dataType)
                .updater(new Adam(spec.learningRate()))
                .l2(spec.weightDecay())
                .weightInit(WeightInit.RELU)
                .convolutionMode(ConvolutionMode.Same)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(InputType.convolutional(spec.inputSize(), spec.inputSize(), CHANNELS));
        Taps taps = Backbones.get(spec.backbone()).build(g, INPUT, CHANNELS, spec.inputSize(),
                new BackboneOptions(spec.width(), spec.batchNorm()));
        // W's own Adam only when its rate differs: with scale 1 the configuration is exactly the paper's.
        IUpdater fusionUpdater = spec.fusionLrScale() == 1.0 ? null : new Adam(spec.fusionLearningRate());
        String out = FusionHead.build(g, taps, spec.method(), spec.projectionWidth(), spec.dropout(), spec.classes(),
                spec.fusionInit(), spec.seed() ^ 0x5DEECE66DL, fusionUpdater);
        g.setOutputs(out);
        return g.build();
    }

    /** An initialised float32 network for a cell, parameters drawn from the spec's seed. */
    public static ComputationGraph create(CellSpec spec) {
        return create(spec, DataType.FLOAT);
    }

    /** An initialised network for a cell in the given floating-point type. */
    public static ComputationGraph create(CellSpec spec, DataType dataType) {
        // Layers choose their native helper (oneDNN / cuDNN) when instantiated: the engine must be chosen first.
        ComputeEngine.initialize();
        ComputationGraph net = new ComputationGraph(configuration(spec, dataType));
        net.init();
        OneDnnHelpers.install(net);
        FlatViewUpdater.install(net);
        return net;
    }

    /** The backbone's taps for a spec (names and channel counts), without building a network. */
    public static Taps taps(CellSpec spec) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs(INPUT);
        return Backbones.get(spec.backbone()).build(g, INPUT, CHANNELS, spec.inputSize(),
                new BackboneOptions(spec.width(), spec.batchNorm()));
    }
}
