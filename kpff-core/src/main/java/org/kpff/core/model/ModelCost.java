package org.kpff.core.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.kpff.core.fusion.KroneckerFusionVertex;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Parameter count and forward FLOPs per image of a network, computed from its layer shapes (no parameters are
 * allocated), for planning what a grid costs before it runs.
 *
 * <p>Counting rules: a multiply-add is 2 FLOPs. Convolution 2·k_h·k_w·C_in·C_out·H_out·W_out (+ C_out·H_out·W_out
 * for the bias); dense and output layers 2·n_in·n_out (+ n_out); max pooling k_h·k_w per output element; global
 * average pooling one per input element; batch normalisation 2 per element (inference form); KPFF 2·n²·r;
 * element-wise add (n−1)·r; activations, dropout and concatenation 0. One training step per image is taken as
 * 3× the forward FLOPs (the backward pass costs about twice the forward), the usual approximation.
 *
 * @param parameters   trainable parameters
 * @param forwardFlops forward FLOPs for one image
 * @param flopsByVertex forward FLOPs per graph vertex, in topological order
 */
public record ModelCost(long parameters, long forwardFlops, Map<String, Long> flopsByVertex) {

    public ModelCost {
        flopsByVertex = Collections.unmodifiableMap(new LinkedHashMap<>(flopsByVertex));
    }

    /** FLOPs of one training step (forward + backward) for one image: 3 × forward. */
    public long trainingFlopsPerImage() {
        return 3 * forwardFlops;
    }

    /** The cost of the network a cell would build. */
    public static ModelCost of(CellSpec spec) {
        return of(ModelFactory.configuration(spec, DataType.FLOAT),
                InputType.convolutional(spec.inputSize(), spec.inputSize(), ModelFactory.CHANNELS));
    }

    /** The cost of a graph configuration for the given network input types. */
    public static ModelCost of(ComputationGraphConfiguration conf, InputType... inputTypes) {
        Map<String, InputType> types = new LinkedHashMap<>(conf.getLayerActivationTypes(inputTypes));
        List<String> inputs = conf.getNetworkInputs();
        for (int i = 0; i < inputs.size(); i++) {
            types.put(inputs.get(i), inputTypes[i]);
        }
        long params = 0;
        long flops = 0;
        Map<String, Long> byVertex = new LinkedHashMap<>();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            GraphVertex v = e.getValue();
            params += v.numParams(true);
            List<String> in = conf.getVertexInputs().get(e.getKey());
            InputType inType = in == null || in.isEmpty() ? null : types.get(in.get(0));
            long f = vertexFlops(v, inType, in == null ? 0 : in.size(), types.get(e.getKey()));
            byVertex.put(e.getKey(), f);
            flops += f;
        }
        return new ModelCost(params, flops, byVertex);
    }

    private static long vertexFlops(GraphVertex v, InputType in, int numInputs, InputType out) {
        if (v instanceof KroneckerFusionVertex) {
            long n = ((KroneckerFusionVertex) v).getNumInputs();
            return 2 * n * n * elements(in);
        }
        if (v instanceof ElementWiseVertex) {
            return (long) (numInputs - 1) * elements(in);
        }
        if (!(v instanceof LayerVertex)) {
            return 0;
        }
        Layer layer = ((LayerVertex) v).getLayerConf().getLayer();
        if (layer instanceof ConvolutionLayer) {
            ConvolutionLayer c = (ConvolutionLayer) layer;
            InputType.InputTypeConvolutional i = (InputType.InputTypeConvolutional) in;
            InputType.InputTypeConvolutional o = (InputType.InputTypeConvolutional) out;
            long outElems = o.getChannels() * o.getHeight() * o.getWidth();
            long macs = (long) c.getKernelSize()[0] * c.getKernelSize()[1] * i.getChannels() * outElems;
            return 2 * macs + (c.hasBias() ? outElems : 0);
        }
        if (layer instanceof DenseLayer || layer instanceof OutputLayer) {
            org.deeplearning4j.nn.conf.layers.FeedForwardLayer d = (org.deeplearning4j.nn.conf.layers.FeedForwardLayer) layer;
            boolean bias = !(layer instanceof DenseLayer) || ((DenseLayer) layer).hasBias();
            return 2 * d.getNIn() * d.getNOut() + (bias ? d.getNOut() : 0);
        }
        if (layer instanceof SubsamplingLayer) {
            SubsamplingLayer s = (SubsamplingLayer) layer;
            return (long) s.getKernelSize()[0] * s.getKernelSize()[1] * elements(out);
        }
        if (layer instanceof GlobalPoolingLayer) {
            return elements(in);
        }
        if (layer instanceof BatchNormalization) {
            return 2 * elements(out);
        }
        return 0;
    }

    /** Elements per example of an activation type. */
    private static long elements(InputType t) {
        return t == null ? 0 : t.arrayElementsPerExample();
    }
}
