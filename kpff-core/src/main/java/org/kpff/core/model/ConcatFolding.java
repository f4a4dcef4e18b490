package org.kpff.core.model;

import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.core.fusion.KroneckerFusionVertex;
import org.kpff.core.head.FusionHead;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Folds a trained KPFF head's mixing matrix W into its classifier, giving a Concat network with the same function
 * in inference: KPFF ≡ a reparameterised Concat.
 *
 * <p>What follows the fusion in {@link FusionHead}: dropout (when {@code dropout > 0}), then the softmax output
 * layer with weight V {@code [n·r, classes]} (DL4J's layout: logits = y · V + β) and bias β. Nothing else.
 *
 * <p>The algebra. The KPFF vertex ({@code KroneckerFusion}) outputs {@code y[b, k·r + c] = Σ_i W[k, i] · x_i[b, c]},
 * i.e. y = (W ⊗ I_r) z with z the Concat of the projected taps, {@code z[b, i·r + c] = x_i[b, c]} (DL4J's
 * {@code MergeVertex} concatenates its inputs in order, the same order the KPFF vertex receives them). So
 * <pre>
 *   logits[b, j] = Σ_{k,c} y[b, k·r + c] · V[k·r + c, j] + β_j
 *                = Σ_{i,c} z[b, i·r + c] · (Σ_k W[k, i] · V[k·r + c, j]) + β_j
 * </pre>
 * and the Concat head with classifier {@code V'[i·r + c, j] = Σ_k W[k, i] · V[k·r + c, j]}, i.e.
 * {@code V' = (Wᵀ ⊗ I_r) · V} (in the paper's [classes, n·r] orientation: V·(W ⊗ I_r)), and the same β computes the
 * same logits. Every other parameter (backbone, batch-norm statistics, the tap projections) is copied unchanged.
 *
 * <p>Why this is exact in inference only: dropout is the identity in inference (DL4J's inverted dropout scales
 * during training), so nothing non-linear sits between the fusion and V. In training the two are not the same
 * model: dropout masks the mixed y rather than z, weight decay penalises ‖W‖² + ‖V‖² rather than ‖V'‖², and Adam
 * steps W and V separately. So KPFF's function class is Concat's; any difference in accuracy comes from training
 * dynamics. The folded network differs from the KPFF one by float rounding only.
 */
public final class ConcatFolding {

    private ConcatFolding() {
    }

    /**
     * How a folded network's predictions compare with the KPFF network's on a set of images.
     *
     * @param images                  images compared
     * @param differentPredictions    images whose arg-max class differs between the two networks
     * @param maxProbabilityDifference largest absolute difference of any softmax probability
     */
    public record Agreement(long images, long differentPredictions, double maxProbabilityDifference) {

        /** Whether every image gets the same predicted class. */
        public boolean identicalPredictions() {
            return differentPredictions == 0;
        }
    }

    /**
     * The folded classifier {@code V' = (Wᵀ ⊗ I_r) · V}: {@code V'[i·r + c, j] = Σ_k W[k, i] · V[k·r + c, j]}.
     *
     * @param w the KPFF matrix {@code [n, n]}, column i = w_i
     * @param v the classifier weight {@code [n·r, classes]} (DL4J's layout)
     * @return V' {@code [n·r, classes]}, a new array
     * @throws IllegalArgumentException when the shapes do not fit
     */
    public static INDArray foldedClassifier(INDArray w, INDArray v) {
        if (w.rank() != 2 || w.size(0) != w.size(1) || v.rank() != 2 || v.size(0) % w.size(0) != 0) {
            throw new IllegalArgumentException("ConcatFolding: W has shape " + java.util.Arrays.toString(w.shape())
                    + " and V " + java.util.Arrays.toString(v.shape()) + "; expected W [n, n] and V [n*r, classes]");
        }
        long n = w.size(0);
        long r = v.size(0) / n;
        long classes = v.size(1);
        // V viewed as [n (k), r·classes]: row k is block k. V'_blocks[i] = Σ_k W[k, i] · V_blocks[k] = (Wᵀ · V_blocks)[i].
        INDArray blocks = v.dup('c').reshape('c', n, r * classes);
        return w.castTo(v.dataType()).transpose().mmul(blocks).reshape('c', n * r, classes);
    }

    /**
     * A Concat network equal in inference to a trained KPFF network: built for {@code spec} with method CONCAT, every
     * parameter copied from {@code kpff}, and the classifier replaced by {@link #foldedClassifier}.
     *
     * @param kpff the trained KPFF network (not modified)
     * @param spec the cell's spec (method KPFF)
     */
    public static ComputationGraph toConcat(ComputationGraph kpff, CellSpec spec) {
        if (spec.method() != FusionMethod.KPFF) {
            throw new IllegalArgumentException("ConcatFolding: spec method = " + spec.method().id()
                    + "; only a kpff cell has a W to fold");
        }
        CellSpec concatSpec = new CellSpec(spec.backbone(), FusionMethod.CONCAT, spec.classes(), spec.inputSize(),
                spec.width(), spec.projectionWidth(), spec.fusionInit(), spec.batchNorm(), spec.dropout(),
                spec.learningRate(), spec.weightDecay(), spec.batchSize(), spec.epochs(), spec.evalEvery(),
                spec.seed());
        ComputationGraph concat = ModelFactory.create(concatSpec, kpff.params().dataType());
        Map<String, INDArray> source = kpff.paramTable();
        String wKey = FusionHead.FUSE + "_" + KroneckerFusionVertex.PARAM_W;
        String vKey = FusionHead.OUTPUT + "_W";
        INDArray w = source.get(wKey);
        if (w == null) {
            throw new IllegalArgumentException("ConcatFolding: the network has no " + wKey + " parameter; is it KPFF?");
        }
        for (Map.Entry<String, INDArray> e : concat.paramTable().entrySet()) {
            INDArray from = source.get(e.getKey());
            if (from == null || !java.util.Arrays.equals(from.shape(), e.getValue().shape())) {
                throw new IllegalStateException("ConcatFolding: parameter " + e.getKey() + " of the Concat network has"
                        + " no counterpart of the same shape in the KPFF network");
            }
            e.getValue().assign(e.getKey().equals(vKey) ? foldedClassifier(w, from) : from);
        }
        return concat;
    }

    /**
     * Runs both networks on every image of {@code it} (in inference mode) and compares their outputs.
     */
    public static Agreement compare(ComputationGraph kpff, ComputationGraph folded, DataSetIterator it) {
        long images = 0;
        long different = 0;
        double maxDiff = 0;
        while (it.hasNext()) {
            DataSet ds = it.next();
            INDArray a = kpff.outputSingle(false, ds.getFeatures());
            INDArray b = folded.outputSingle(false, ds.getFeatures());
            long[] pa = a.argMax(1).toLongVector();
            long[] pb = b.argMax(1).toLongVector();
            for (int i = 0; i < pa.length; i++) {
                if (pa[i] != pb[i]) {
                    different++;
                }
            }
            images += pa.length;
            maxDiff = Math.max(maxDiff, Transforms.abs(a.sub(b), false).maxNumber().doubleValue());
        }
        return new Agreement(images, different, maxDiff);
    }
}
