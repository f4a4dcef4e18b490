package org.kpff.core.fusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** KroneckerFusion against a naive loop implementation of paper eqs. 5, 10 and 13. */
class KroneckerFusionTest {

    private static final double TOL = 1e-12;
    /** float32: a handful of rounding steps on values of order 1 (sums over at most n·B·r = 240 products). */
    private static final double FLOAT_TOL = 1e-4;

    /**
     * Every shape in float64 and in float32, the type the job trains in. The float32 case is not a formality: ND4J
     * 1.0.0-M2.1's float matrix-vector product read a strided vector (a column of W) as if it were contiguous, which
     * gave dL/dx_j = 0 for the middle source at W = I, in float32 only.
     */
    static Stream<Arguments> shapes() {
        int[][] shapes = {{1, 1, 5}, {1, 4, 3}, {2, 1, 4}, {2, 3, 7}, {3, 1, 6}, {3, 5, 8}, {4, 1, 2}, {4, 6, 5}};
        return Stream.of(DataType.DOUBLE, DataType.FLOAT)
                .flatMap(t -> Stream.of(shapes).map(s -> Arguments.of(s[0], s[1], s[2], t)));
    }

    /** Eq. 5 by definition: y = Σ_i w_i ⊗ x_i, component (k, c) of w_i ⊗ x_i is w_i[k] · x_i[c]. */
    static double[][] naiveForward(double[][] w, double[][][] xs) {
        int n = xs.length;
        int b = xs[0].length;
        int r = xs[0][0].length;
        double[][] y = new double[b][n * r];
        for (int bi = 0; bi < b; bi++) {
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < n; k++) {
                    for (int c = 0; c < r; c++) {
                        y[bi][k * r + c] += w[k][i] * xs[i][bi][c];
                    }
                }
            }
        }
        return y;
    }

    /** Eq. 10 (summed over the batch): dL/dw_i,b = Σ_{a in group b} dL/dy_a · x_i,(a - (b-1) r). */
    static double[][] naiveGradW(double[][][] xs, double[][] dy) {
        int n = xs.length;
        int r = xs[0][0].length;
        double[][] dw = new double[n][n];
        for (int bi = 0; bi < dy.length; bi++) {
            for (int i = 0; i < n; i++) {
                for (int grp = 0; grp < n; grp++) {
                    for (int a = grp * r; a < (grp + 1) * r; a++) {
                        dw[grp][i] += dy[bi][a] * xs[i][bi][a - grp * r];
                    }
                }
            }
        }
        return dw;
    }

    /** Eq. 13: dL/dx_j,c = Σ_k dL/dy_((k-1) r + c) · w_j,k. */
    static double[][] naiveGradX(double[][] w, double[][] dy, int j, int r) {
        int n = w.length;
        double[][] dx = new double[dy.length][r];
        for (int bi = 0; bi < dy.length; bi++) {
            for (int c = 0; c < r; c++) {
                for (int k = 0; k < n; k++) {
                    dx[bi][c] += dy[bi][k * r + c] * w[k][j];
                }
            }
        }
        return dx;
    }

    @ParameterizedTest(name = "n={0}, B={1}, r={2}, {3}")
    @MethodSource("shapes")
    void forwardAndBackwardMatchTheNaiveEquations(int n, int b, int r, DataType type) {
        double tol = type == DataType.DOUBLE ? TOL : FLOAT_TOL;
        Nd4j.getRandom().setSeed(1234L + 31L * n + b);
        INDArray w = Nd4j.randn(type, n, n);
        INDArray[] xs = new INDArray[n];
        double[][][] xsArr = new double[n][][];
        for (int i = 0; i < n; i++) {
            xs[i] = Nd4j.randn(type, b, r);
            xsArr[i] = xs[i].toDoubleMatrix();
        }
        INDArray dy = Nd4j.randn(type, b, (long) n * r);

        INDArray y = KroneckerFusion.forward(w, xs);
        assertArrayEquals(new long[] {b, (long) n * r}, y.shape());
        assertMatrixEquals(naiveForward(w.toDoubleMatrix(), xsArr), y.toDoubleMatrix(), tol);

        INDArray[] grads = KroneckerFusion.backward(w, xs, dy);
        assertEquals(n + 1, grads.length);
        assertMatrixEquals(naiveGradW(xsArr, dy.toDoubleMatrix()), grads[0].toDoubleMatrix(), tol);
        for (int j = 0; j < n; j++) {
            assertArrayEquals(new long[] {b, r}, grads[j + 1].shape());
            assertMatrixEquals(naiveGradX(w.toDoubleMatrix(), dy.toDoubleMatrix(), j, r),
                    grads[j + 1].toDoubleMatrix(), tol);
        }
    }

    /** At W = I every source gets dL/dy's own block back, in float32 too (the middle one got zeros before). */
    @Test
    void atIdentityEverySourceGetsItsBlockOfTheGradientInFloat32() {
        Nd4j.getRandom().setSeed(11);
        int n = 3;
        INDArray[] xs = {Nd4j.rand(DataType.FLOAT, 4, 5), Nd4j.rand(DataType.FLOAT, 4, 5),
            Nd4j.rand(DataType.FLOAT, 4, 5)};
        INDArray dy = Nd4j.rand(DataType.FLOAT, 4, 15);
        INDArray[] grads = KroneckerFusion.backward(Nd4j.eye(n).castTo(DataType.FLOAT), xs, dy);
        for (int j = 0; j < n; j++) {
            INDArray block = dy.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(5L * j, 5L * j + 5));
            assertEquals(block, grads[j + 1], "dL/dx_" + j);
        }
    }

    @Test
    void identityIsConcatAndFirstColumnsAreAddFollowedByZeros() {
        INDArray x1 = Nd4j.createFromArray(new double[][] {{1, 2}, {3, 4}});
        INDArray x2 = Nd4j.createFromArray(new double[][] {{10, 20}, {30, 40}});
        INDArray concat = KroneckerFusion.forward(Nd4j.eye(2).castTo(DataType.DOUBLE), x1, x2);
        assertMatrixEquals(new double[][] {{1, 2, 10, 20}, {3, 4, 30, 40}}, concat.toDoubleMatrix());
        INDArray add = KroneckerFusion.forward(Nd4j.createFromArray(new double[][] {{1, 1}, {0, 0}}), x1, x2);
        assertMatrixEquals(new double[][] {{11, 22, 0, 0}, {33, 44, 0, 0}}, add.toDoubleMatrix());
    }

    @Test
    void nonContiguousInputsGiveTheSameResult() {
        Nd4j.getRandom().setSeed(7);
        INDArray w = Nd4j.randn(DataType.DOUBLE, 2, 2);
        INDArray big = Nd4j.randn(DataType.DOUBLE, 6, 4);
        INDArray x1 = big.transpose().get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3));
        INDArray x2 = Nd4j.randn(DataType.DOUBLE, 4, 3);
        INDArray expected = KroneckerFusion.forward(w, x1.dup('c'), x2);
        assertEquals(expected, KroneckerFusion.forward(w, x1, x2));
    }

    @Test
    void shapeErrorsNameTheOffendingInput() {
        INDArray w = Nd4j.eye(2).castTo(DataType.DOUBLE);
        INDArray ok = Nd4j.zeros(DataType.DOUBLE, 3, 4);
        IllegalArgumentException e1 = assertThrows(IllegalArgumentException.class,
                () -> KroneckerFusion.forward(w, ok, Nd4j.zeros(DataType.DOUBLE, 3, 5)));
        assertTrue(e1.getMessage().contains("xs[1]") && e1.getMessage().contains("[3, 5]")
                && e1.getMessage().contains("[3, 4]"), e1.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> KroneckerFusion.forward(Nd4j.eye(3).castTo(DataType.DOUBLE), ok, ok));
        assertTrue(e2.getMessage().contains("W has shape [3, 3]") && e2.getMessage().contains("[2, 2]"), e2.getMessage());
        IllegalArgumentException e3 = assertThrows(IllegalArgumentException.class,
                () -> KroneckerFusion.backward(w, new INDArray[] {ok, ok}, Nd4j.zeros(DataType.DOUBLE, 3, 7)));
        assertTrue(e3.getMessage().contains("dy has shape [3, 7]") && e3.getMessage().contains("[3, 8]"), e3.getMessage());
        IllegalArgumentException e4 = assertThrows(IllegalArgumentException.class, () -> KroneckerFusion.forward(w));
        assertTrue(e4.getMessage().contains("at least one source"), e4.getMessage());
    }

    static void assertMatrixEquals(double[][] expected, double[][] actual) {
        assertMatrixEquals(expected, actual, TOL);
    }

    static void assertMatrixEquals(double[][] expected, double[][] actual, double tol) {
        assertEquals(expected.length, actual.length, "rows");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i].length, actual[i].length, "columns of row " + i);
            for (int j = 0; j < expected[i].length; j++) {
                assertEquals(expected[i][j], actual[i][j], tol * Math.max(1, Math.abs(expected[i][j])),
                        "element [" + i + ", " + j + "]");
            }
        }
    }
}
