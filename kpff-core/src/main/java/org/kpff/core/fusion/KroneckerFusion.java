package org.kpff.core.fusion;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Kronecker product feature fusion op y = Σ_i w_i ⊗ x_i (paper eq. 5) and its gradients (eqs. 10, 13).
 *
 * <p>Layout: W is {@code [n, n]} with column i = w_i; each x_i is {@code [B, r]}; y is {@code [B, n·r]} with
 * {@code y[b, k·r + c] = Σ_i W[k, i] · x_i[b, c]}. Stacking the sources as X {@code [B, n, r]} (which is exactly
 * the Concat output viewed in three dimensions) the forward pass is one batched matrix product Y[b] = W · X[b]. The
 * backward pass regroups dy by block once, {@code dyRows [n, B·r]} (row k = column block k of dy), and then needs
 * only matrix-vector products over B·r: column i of dW is {@code dyRows · vec(x_i)}, and dx_j (flattened) is
 * {@code dyRowsᵀ · w_j}, written straight into its output. This avoids the tiny per-example matrix products and the
 * strided copies out of a {@code [B, n, r]} dX that an all-batched backward needs (about 3× slower on ND4J CPU at
 * r ≥ 1024, see kpff-bench). Everything is ND4J ops, so it runs unchanged on any backend; no per-element Java loops.
 */
public final class KroneckerFusion {

    private KroneckerFusion() {
    }

    /**
     * Forward pass, eq. 5.
     *
     * @param w  the mixing matrix {@code [n, n]}, column i = w_i
     * @param xs the n sources, each {@code [B, r]} with the same B and r
     * @return y {@code [B, n·r]}
     */
    public static INDArray forward(INDArray w, INDArray... xs) {
        long[] br = validate(w, xs);
        INDArray y = Nd4j.createUninitialized(w.dataType(), br[0], xs.length * br[1]);
        forwardInto(w, xs, y);
        return y;
    }

    /**
     * Backward pass: eq. 10 for W (summed over the batch) and eq. 13 for each x_j.
     *
     * @param w  the mixing matrix {@code [n, n]}
     * @param xs the n sources of the forward pass, each {@code [B, r]}
     * @param dy dL/dy {@code [B, n·r]}
     * @return {@code {dL/dW [n, n], dL/dx_1 [B, r], …, dL/dx_n [B, r]}}
     */
    public static INDArray[] backward(INDArray w, INDArray[] xs, INDArray dy) {
        long[] br = validate(w, xs);
        int n = xs.length;
        long b = br[0];
        long r = br[1];
        requireShape("dy", dy, b, n * r);
        INDArray dw = Nd4j.createUninitialized(w.dataType(), n, n);
        INDArray[] dxs = new INDArray[n];
        for (int j = 0; j < n; j++) {
            dxs[j] = Nd4j.createUninitialized(w.dataType(), b, r);
        }
        backwardInto(w, xs, dy, dw, dxs);
        INDArray[] out = new INDArray[n + 1];
        out[0] = dw;
        System.arraycopy(dxs, 0, out, 1, n);
        return out;
    }

    /** Forward pass into a preallocated {@code [B, n·r]} output (used by the vertex with workspace arrays). */
    static void forwardInto(INDArray w, INDArray[] xs, INDArray y) {
        int n = xs.length;
        long b = xs[0].size(0);
        long r = xs[0].size(1);
        // X[b, i, c] = x_i[b, c]: the Concat output, viewed as [B, n, r].
        INDArray x3 = stack(xs, b, r);
        // eq. 5: y[b, k*r + c] = Σ_i W[k, i] x_i[b, c]  <=>  Y[b] = W · X[b] for every b.
        if (isDenseC(y)) {
            Nd4j.matmul(broadcastW(w, b), x3, y.reshape('c', b, n, r), false, false, false);
        } else {
            y.assign(Nd4j.matmul(broadcastW(w, b), x3).reshape('c', b, n * r));
        }
    }

    /**
     * Backward pass into preallocated outputs: dw {@code [n, n]} and each dxs[j] {@code [B, r]}.
     *
     * <p>Two dense matrix products and nothing strided: ND4J 1.0.0-M2.1's float32 matrix-vector product reads a
     * strided vector (such as a column of W) as if it were contiguous, so an earlier version that multiplied by
     * W's columns gave wrong dL/dx_j in float32 (zero for the middle source at W = I) while float64 was right.
     */
    static void backwardInto(INDArray w, INDArray[] xs, INDArray dy, INDArray dw, INDArray[] dxs) {
        int n = xs.length;
        long b = xs[0].size(0);
        long r = xs[0].size(1);
        // dyRows[k, b*r + c] = dL/dy[b, k*r + c]: dy regrouped by block, one permuted copy.
        INDArray dyRows = byBlock(dy, n, b, r);
        // xRows[i, b*r + c] = x_i[b, c]: the sources as rows, one copy.
        INDArray xRows = byBlock(stack(xs, b, r).reshape('c', b, (long) n * r), n, b, r);
        // eq. 10: dL/dW[k, i] = Σ_b Σ_c dL/dy[b, k*r + c] · x_i[b, c]  =  (dyRows · xRowsᵀ)[k, i].
        dw.assign(Nd4j.matmul(dyRows, xRows, false, true, false));
        // eq. 13: dL/dx_j[b, c] = Σ_k W[k, j] · dL/dy[b, k*r + c]  =  (Wᵀ · dyRows)[j, b*r + c].
        INDArray dxRows = Nd4j.matmul(w.dup('c'), dyRows, true, false, false);
        for (int j = 0; j < n; j++) {
            dxs[j].assign(dxRows.getRow(j).reshape('c', b, r));
        }
    }

    /** {@code [B, n·r]} regrouped as {@code [n, B·r]}: row k holds block k of every example, one dense copy. */
    private static INDArray byBlock(INDArray a, int n, long b, long r) {
        return a.reshape('c', b, n, r).permute(1, 0, 2).dup('c').reshape('c', n, b * r);
    }

    /** The sources stacked as {@code [B, n, r]}: one copy, the same bytes Concat moves. */
    private static INDArray stack(INDArray[] xs, long b, long r) {
        INDArray cat = xs.length == 1 ? xs[0].dup('c') : Nd4j.concat(1, xs);
        return cat.reshape('c', b, xs.length, r);
    }

    /** Whether an array is one dense 'c'-ordered block, so that its flat reshape is a view that writes through. */
    private static boolean isDenseC(INDArray a) {
        return a.ordering() == 'c' && a.elementWiseStride() == 1;
    }

    /** W repeated over the batch, {@code [B, n, n]} (B·n² values, negligible next to B·n·r). */
    private static INDArray broadcastW(INDArray w, long b) {
        long n = w.size(0);
        return w.reshape('c', 1, n, n).broadcast(b, n, n);
    }

    /**
     * Checks W and the sources and returns {B, r}.
     *
     * @throws IllegalArgumentException naming the offending input and the expected shape
     */
    static long[] validate(INDArray w, INDArray[] xs) {
        if (xs == null || xs.length == 0) {
            throw new IllegalArgumentException("KroneckerFusion needs at least one source x_i; got none.");
        }
        int n = xs.length;
        if (w == null) {
            throw new IllegalArgumentException("KroneckerFusion: W is null; expected a [" + n + ", " + n + "] matrix.");
        }
        requireShape("W", w, n, n);
        if (xs[0] == null || xs[0].rank() != 2) {
            throw new IllegalArgumentException("KroneckerFusion: xs[0] must be a [B, r] matrix; got "
                    + (xs[0] == null ? "null" : "shape " + Arrays.toString(xs[0].shape())) + ".");
        }
        long b = xs[0].size(0);
        long r = xs[0].size(1);
        for (int i = 0; i < n; i++) {
            if (xs[i] == null) {
                throw new IllegalArgumentException("KroneckerFusion: xs[" + i + "] is null.");
            }
            requireShape("xs[" + i + "] (every x_i must match xs[0])", xs[i], b, r);
            if (xs[i].dataType() != w.dataType()) {
                throw new IllegalArgumentException("KroneckerFusion: xs[" + i + "] has data type " + xs[i].dataType()
                        + " but W has " + w.dataType() + "; all inputs must share one floating-point type.");
            }
        }
        return new long[] {b, r};
    }

    private static void requireShape(String what, INDArray a, long... expected) {
        if (a == null || !Arrays.equals(a.shape(), expected)) {
            throw new IllegalArgumentException("KroneckerFusion: " + what + " has shape "
                    + (a == null ? "null" : Arrays.toString(a.shape())) + "; expected " + Arrays.toString(expected) + ".");
        }
    }
}
