package org.kpff.job.results;

import java.util.List;

/**
 * How far a KPFF matrix W is from the two fusions it contains (paper eqs. 6 and 7): Frobenius distances
 * {@code ‖W − I‖} (Concat: w_i = e_i) and {@code ‖W − A‖} with A the Add matrix (every column e_1, so row 0 is all
 * ones and the other rows zero). W is given row-major n × n, as in {@code learned_w} and {@code fusion_w}.
 */
public final class WDistances {

    private WDistances() {
    }

    /** n for a row-major n × n matrix of {@code values.size()} values, or −1 when that is not a positive square. */
    public static int side(List<Double> values) {
        int n = (int) Math.round(Math.sqrt(values.size()));
        return n >= 1 && n * n == values.size() ? n : -1;
    }

    /** {@code ‖W − I‖_F}: 0 for the Concat matrix. */
    public static double fromConcat(List<Double> w) {
        int n = checkedSide(w);
        double ss = 0;
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                double d = w.get(r * n + c) - (r == c ? 1 : 0);
                ss += d * d;
            }
        }
        return Math.sqrt(ss);
    }

    /** {@code ‖W − A‖_F} with A[0][c] = 1 and 0 elsewhere: 0 for the Add matrix. */
    public static double fromAdd(List<Double> w) {
        int n = checkedSide(w);
        double ss = 0;
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                double d = w.get(r * n + c) - (r == 0 ? 1 : 0);
                ss += d * d;
            }
        }
        return Math.sqrt(ss);
    }

    private static int checkedSide(List<Double> w) {
        int n = side(w);
        if (n < 1) {
            throw new IllegalArgumentException("W has " + w.size() + " values; it must be a non-empty square matrix"
                    + " (n * n values, row-major)");
        }
        return n;
    }
}
