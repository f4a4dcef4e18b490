package org.kpff.bench;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce3.Dot;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Alternative ND4J formulations of {@link org.kpff.core.fusion.KroneckerFusion} (same layout and results), kept
 * so that {@link KroneckerVariantsBenchmark} can time them side by side against the op in kpff-core.
 */
final class KroneckerVariants {

    private KroneckerVariants() {
    }

    /** Column block k of a {@code [B, n·r]} array: a strided {@code [B, r]} view. */
    static INDArray block(INDArray a, int k, long r) {
        return a.get(NDArrayIndex.all(), NDArrayIndex.interval(k * r, (k + 1) * r));
    }

    /** The sources stacked as {@code [n, B·r]} (row i = x_i flattened), one copy. */
    static INDArray stackRows(INDArray[] xs) {
        long br = xs[0].length();
        INDArray[] rows = new INDArray[xs.length];
        for (int i = 0; i < xs.length; i++) {
            rows[i] = xs[i].reshape('c', 1, br);
        }
        return Nd4j.concat(0, rows);
    }

    /** Forward as one 2-D gemm {@code W · X'} on {@code [n, B·r]}, then one permuted copy into y. */
    static INDArray forwardGemm2d(INDArray w, INDArray[] xs) {
        int n = xs.length;
        long b = xs[0].size(0);
        long r = xs[0].size(1);
        INDArray z = w.mmul(stackRows(xs)); // [n, B*r], row k = y_k flattened
        INDArray y = Nd4j.createUninitialized(w.dataType(), b, n * r);
        y.reshape('c', b, n, r).assign(z.reshape('c', n, b, r).permute(1, 0, 2));
        return y;
    }

    /** Forward as n² scaled adds into the column blocks of y (no stacking copy, reads every x_i n times). */
    static INDArray forwardAxpy(INDArray w, INDArray[] xs) {
        int n = xs.length;
        long b = xs[0].size(0);
        long r = xs[0].size(1);
        INDArray y = Nd4j.createUninitialized(w.dataType(), b, n * r);
        for (int k = 0; k < n; k++) {
            INDArray yk = block(y, k, r);
            xs[0].mul(w.getDouble(k, 0), yk);
            for (int i = 1; i < n; i++) {
                Nd4j.exec(new Axpy(xs[i], yk, yk, w.getDouble(k, i)));
            }
        }
        return y;
    }

    /** Forward through {@code Nd4j.tensorMmul} on the Concat output {@code [B, n, r]}, then a permuted copy. */
    static INDArray forwardTensorMmul(INDArray w, INDArray[] xs) {
        int n = xs.length;
        long b = xs[0].size(0);
        long r = xs[0].size(1);
        INDArray x3 = Nd4j.concat(1, xs).reshape('c', b, n, r);
        INDArray t = Nd4j.tensorMmul(x3, w, new int[][] {{1}, {1}}); // [B, r, n]
        INDArray y = Nd4j.createUninitialized(w.dataType(), b, n * r);
        y.reshape('c', b, n, r).assign(t.permute(0, 2, 1));
        return y;
    }

    /** Backward with dy permuted once to {@code [n, B·r]}: dW and all dx_j are two 2-D gemms. */
    static INDArray[] backwardGemm2d(INDArray w, INDArray[] xs, INDArray dy) {
        int n = xs.length;
        long b = xs[0].size(0);
        long r = xs[0].size(1);
        INDArray dyRows = dy.reshape('c', b, n, r).permute(1, 0, 2).dup('c').reshape('c', n, b * r);
        INDArray[] out = new INDArray[n + 1];
        out[0] = dyRows.mmul(stackRows(xs).transpose());
        INDArray dxRows = w.transpose().mmul(dyRows);
        for (int j = 0; j < n; j++) {
            out[j + 1] = dxRows.getRow(j).reshape('c', b, r).dup('c');
        }
        return out;
    }

    /** Backward from strided views of dy: dx_j by n scaled adds, dW by n² dot products; no stacking copies. */
    static INDArray[] backwardAxpy(INDArray w, INDArray[] xs, INDArray dy) {
        int n = xs.length;
        long b = xs[0].size(0);
        long r = xs[0].size(1);
        INDArray[] dyk = new INDArray[n];
        for (int k = 0; k < n; k++) {
            dyk[k] = block(dy, k, r);
        }
        INDArray[] out = new INDArray[n + 1];
        INDArray dw = Nd4j.createUninitialized(w.dataType(), n, n);
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < n; i++) {
                Nd4j.exec(new Dot(dyk[k], xs[i], dw.get(NDArrayIndex.point(k), NDArrayIndex.point(i))));
            }
        }
        out[0] = dw;
        for (int j = 0; j < n; j++) {
            INDArray dx = Nd4j.createUninitialized(w.dataType(), b, r);
            dyk[0].mul(w.getDouble(0, j), dx);
            for (int k = 1; k < n; k++) {
                Nd4j.exec(new Axpy(dyk[k], dx, dx, w.getDouble(k, j)));
            }
            out[j + 1] = dx;
        }
        return out;
    }

    /**
     * The backward pass as kpff-core had it before the matrix-vector rewrite (kept as the "before" reference):
     * the Concat output {@code [B, n, r]}, W broadcast over the batch, per-example batched matmuls for dW and dX,
     * then n strided copies out of dX.
     */
    static INDArray[] backwardBaseline(INDArray w, INDArray[] xs, INDArray dy) {
        int n = xs.length;
        long b = xs[0].size(0);
        long r = xs[0].size(1);
        INDArray x3 = (n == 1 ? xs[0].dup('c') : Nd4j.concat(1, xs)).reshape('c', b, n, r);
        INDArray dy3 = dy.reshape('c', b, n, r);
        INDArray[] out = new INDArray[n + 1];
        out[0] = Nd4j.matmul(dy3, x3, false, true, false).sum(0);
        INDArray wb = w.reshape('c', 1, n, n).broadcast(b, n, n);
        INDArray dx3 = Nd4j.matmul(wb, dy3, true, false, false);
        for (int j = 0; j < n; j++) {
            out[j + 1] = Nd4j.createUninitialized(w.dataType(), b, r);
            out[j + 1].assign(dx3.get(NDArrayIndex.all(), NDArrayIndex.point(j), NDArrayIndex.all()));
        }
        return out;
    }

    /** dy regrouped by block, {@code [n, B·r]} with row k = column block k of dy flattened (one permuted copy). */
    static INDArray dyRows(INDArray dy, int n, long b, long r) {
        return dy.reshape('c', b, n, r).permute(1, 0, 2).dup('c').reshape('c', n, b * r);
    }

    /** dW as kpff-core computes it: column i = dyRows · vec(x_i), n matrix-vector products. */
    static INDArray gradWByColumns(INDArray[] xs, INDArray dyRows) {
        int n = xs.length;
        INDArray dwT = Nd4j.createUninitialized(dyRows.dataType(), n, n);
        for (int i = 0; i < n; i++) {
            Nd4j.matmul(dyRows, xs[i].reshape('c', new long[] {xs[i].length()}), dwT.slice(i), false, false, false);
        }
        return dwT.transpose().dup('c');
    }

    /**
     * The first matrix-vector rewrite: the sources stacked into X' {@code [n, B·r]} (one more copy) and dW by rows,
     * row k = X' · dyRows[k]; dx_j as kpff-core.
     */
    static INDArray[] backwardGemvStacked(INDArray w, INDArray[] xs, INDArray dy) {
        int n = xs.length;
        long b = xs[0].size(0);
        long r = xs[0].size(1);
        INDArray dyRows = dyRows(dy, n, b, r);
        INDArray xRows = stackRows(xs);
        INDArray[] out = new INDArray[n + 1];
        out[0] = Nd4j.createUninitialized(w.dataType(), n, n);
        for (int k = 0; k < n; k++) {
            Nd4j.matmul(xRows, dyRows.getRow(k), out[0].getRow(k), false, false, false);
        }
        for (int j = 0; j < n; j++) {
            out[j + 1] = Nd4j.createUninitialized(w.dataType(), b, r);
            Nd4j.matmul(dyRows.transpose(), w.getColumn(j), out[j + 1].reshape(b * r), false, false, false);
        }
        return out;
    }

    /**
     * dW as kpff-core; all dx_j by one gemm {@code [B·r, n] = dyRowsᵀ · W} into a temporary, then n copies.
     */
    static INDArray[] backwardGemvGemm(INDArray w, INDArray[] xs, INDArray dy) {
        int n = xs.length;
        long b = xs[0].size(0);
        long r = xs[0].size(1);
        INDArray dyRows = dyRows(dy, n, b, r);
        INDArray[] out = new INDArray[n + 1];
        out[0] = gradWByColumns(xs, dyRows);
        INDArray dxCols = Nd4j.createUninitialized(w.dataType(), new long[] {b * r, n}, 'f');
        Nd4j.gemm(dyRows.transpose(), w, dxCols, false, false, 1.0, 0.0);
        for (int j = 0; j < n; j++) {
            out[j + 1] = Nd4j.createUninitialized(w.dataType(), b, r);
            out[j + 1].assign(dxCols.getColumn(j).reshape('c', b, r));
        }
        return out;
    }
}
