package org.kpff.bench;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_backward_weights;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The first convolution's backward pass two ways, side by side in one JVM: libnd4j's {@code conv2d_bp} (what DL4J's
 * oneDNN helper calls: gradients of the weights <em>and</em> of the image, {@code convolution_auto}, primitives and
 * reorders set up on every call) and oneDNN called directly through JavaCPP's {@code dnnl} presets (the weight
 * gradient only, direct algorithm, primitive and reorders created once). Prints one JSON line per round with both
 * times and the largest difference between the two weight gradients.
 *
 * <p>Usage: {@code java -cp benchmarks.jar org.kpff.bench.FirstConvGradientBenchmark --size 64 --out-channels 48
 * [--batch 50] [--kernel 11] [--stride 4] [--reps 20] [--rounds 3]}: AlexNet's conv1 ('same' padding, NCHW, no
 * bias: the convolution before batch norm) at width 0.5 for 64 px; {@code --size 224 --out-channels 96} at width 1.
 */
public final class FirstConvGradientBenchmark {

    private FirstConvGradientBenchmark() {
    }

    public static void main(String[] args) {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("Expected --key value pairs, got '" + args[i] + "'");
            }
            a.put(args[i].substring(2), args[i + 1]);
        }
        int size = Integer.parseInt(a.getOrDefault("size", "64"));
        int outChannels = Integer.parseInt(a.getOrDefault("out-channels", "48"));
        int batch = Integer.parseInt(a.getOrDefault("batch", "50"));
        int kernel = Integer.parseInt(a.getOrDefault("kernel", "11"));
        int stride = Integer.parseInt(a.getOrDefault("stride", "4"));
        int reps = Integer.parseInt(a.getOrDefault("reps", "20"));
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "3"));
        int out = (size + stride - 1) / stride; // 'same': ceil(in / stride)
        int padTotal = Math.max(0, (out - 1) * stride + kernel - size);
        int padLow = padTotal / 2;
        int padHigh = padTotal - padLow;

        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, 3, size, size);
        INDArray w = Nd4j.rand(DataType.FLOAT, outChannels, 3, kernel, kernel);
        INDArray dy = Nd4j.rand(DataType.FLOAT, batch, outChannels, out, out);
        INDArray dx = Nd4j.create(DataType.FLOAT, batch, 3, size, size);
        INDArray dwLibnd4j = Nd4j.create(DataType.FLOAT, outChannels, 3, kernel, kernel);
        INDArray dwDirect = Nd4j.create(DataType.FLOAT, outChannels, 3, kernel, kernel);

        engine cpu = new engine(engine.kind.cpu, 0);
        stream s = new stream(cpu);
        long[] xDims = {batch, 3, size, size};
        long[] wDims = {outChannels, 3, kernel, kernel};
        long[] yDims = {batch, outChannels, out, out};
        memory.desc xAny = new memory.desc(xDims, memory.data_type.f32, memory.format_tag.any);
        memory.desc wAny = new memory.desc(wDims, memory.data_type.f32, memory.format_tag.any);
        memory.desc yAny = new memory.desc(yDims, memory.data_type.f32, memory.format_tag.any);
        long[] strides = {stride, stride};
        long[] low = {padLow, padLow};
        long[] high = {padHigh, padHigh};
        convolution_forward.primitive_desc forward = new convolution_forward.primitive_desc(
                new convolution_forward.desc(prop_kind.forward_training, algorithm.convolution_direct, xAny, wAny,
                        yAny, strides, low, high), cpu);
        convolution_backward_weights.primitive_desc backward = new convolution_backward_weights.primitive_desc(
                new convolution_backward_weights.desc(algorithm.convolution_direct, xAny, wAny, yAny, strides, low,
                        high), cpu, forward);
        convolution_backward_weights weightGradient = new convolution_backward_weights(backward);
        memory xUser = new memory(new memory.desc(xDims, memory.data_type.f32, memory.format_tag.nchw), cpu,
                x.data().addressPointer());
        memory dyUser = new memory(new memory.desc(yDims, memory.data_type.f32, memory.format_tag.nchw), cpu,
                dy.data().addressPointer());
        memory dwUser = new memory(new memory.desc(wDims, memory.data_type.f32, memory.format_tag.oihw), cpu,
                dwDirect.data().addressPointer());
        memory xInner = new memory(backward.src_desc(), cpu);
        memory dyInner = new memory(backward.diff_dst_desc(), cpu);
        memory dwInner = new memory(backward.diff_weights_desc(), cpu);
        reorder toX = new reorder(xUser, xInner);
        reorder toDy = new reorder(dyUser, dyInner);
        reorder fromDw = new reorder(dwInner, dwUser);
        IntMemoryMap arguments = new IntMemoryMap();
        arguments.put(DNNL_ARG_SRC, xInner);
        arguments.put(DNNL_ARG_DIFF_DST, dyInner);
        arguments.put(DNNL_ARG_DIFF_WEIGHTS, dwInner);

        for (int round = 0; round < rounds; round++) {
            long t0 = System.nanoTime();
            for (int r = 0; r < reps; r++) {
                // kH, kW, sH, sW, pH, pW, dH, dW, same mode, NCHW (0), weights [oC, iC, kH, kW] (1): DL4J's call
                Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(x, w, dy).addOutputs(dx, dwLibnd4j)
                        .addIntegerArguments(kernel, kernel, stride, stride, 0, 0, 1, 1, 1, 0, 1).build());
            }
            long t1 = System.nanoTime();
            for (int r = 0; r < reps; r++) {
                toX.execute(s, xUser, xInner);
                toDy.execute(s, dyUser, dyInner);
                weightGradient.execute(s, arguments);
                fromDw.execute(s, dwInner, dwUser);
                s._wait();
            }
            long t2 = System.nanoTime();
            double diff = dwLibnd4j.sub(dwDirect).amaxNumber().doubleValue();
            System.out.printf(Locale.ROOT, "{\"size\":%d,\"out_channels\":%d,\"batch\":%d,\"threads\":\"%s\","
                            + "\"round\":%d,\"conv2d_bp_ms\":%.2f,\"direct_weights_only_ms\":%.2f,"
                            + "\"max_abs_diff\":%.3g,\"max_abs_gradient\":%.4g}%n",
                    size, outChannels, batch, System.getenv().getOrDefault("OMP_NUM_THREADS", "default"), round,
                    (t1 - t0) / 1e6 / reps, (t2 - t1) / 1e6 / reps, diff, dwLibnd4j.amaxNumber().doubleValue());
        }
    }
}
