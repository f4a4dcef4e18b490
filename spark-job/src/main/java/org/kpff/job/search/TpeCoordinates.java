package org.kpff.job.search;

import java.math.BigDecimal;
import java.math.MathContext;
import org.kpff.job.config.SearchSpace.Dimension;
import org.kpff.job.config.SearchSpace.Kind;

/**
 * The internal coordinates in which {@link TpeSampler} models a numeric key, and back: the value on
 * {@code uniform}, its log on {@code log-uniform}; int keys widened so that every integer has a cell of equal width
 * ({@code uniform}: [low − ½, high + ½], rounded; {@code log-uniform}: [log low, log(high + 1)], floored, observation
 * v at log(v + ½)).
 */
final class TpeCoordinates {

    private TpeCoordinates() {
    }

    /** The lower end of the key's coordinate interval. */
    static double low(Dimension d) {
        return switch (d.kind()) {
            case UNIFORM -> d.integral() ? d.low() - 0.5 : d.low();
            case LOG_UNIFORM -> Math.log(d.low());
            default -> throw new IllegalArgumentException("kind " + d.kind().id() + ": not numeric");
        };
    }

    /** The upper end of the key's coordinate interval. */
    static double high(Dimension d) {
        return switch (d.kind()) {
            case UNIFORM -> d.integral() ? d.high() + 0.5 : d.high();
            case LOG_UNIFORM -> Math.log(d.integral() ? d.high() + 1 : d.high());
            default -> throw new IllegalArgumentException("kind " + d.kind().id() + ": not numeric");
        };
    }

    /**
     * The coordinate of an observed canonical value.
     *
     * @throws IllegalArgumentException naming the key when the value is not a number in [low, high]
     */
    static double coordinate(String key, Dimension d, String value) {
        double v;
        try {
            v = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("history: " + key + " = " + value + ": not a number");
        }
        if (!(v >= d.low() && v <= d.high())) {
            throw new IllegalArgumentException("history: " + key + " = " + value + ": outside the searched ["
                    + d.low() + ", " + d.high() + "]");
        }
        if (d.kind() == Kind.LOG_UNIFORM) {
            return Math.log(d.integral() ? v + 0.5 : v);
        }
        return v;
    }

    /**
     * The index of an observed value of a list or choice.
     *
     * @throws IllegalArgumentException naming the key when the value is not one of the dimension's values
     */
    static int category(String key, Dimension d, String value) {
        int i = d.values().indexOf(value);
        if (i < 0) {
            throw new IllegalArgumentException("history: " + key + " = " + value + ": not one of the searched values "
                    + d.values());
        }
        return i;
    }

    /** The raw config text of a coordinate (a category index for lists and choices), within [low, high]. */
    static String text(Dimension d, double x) {
        switch (d.kind()) {
            case LIST, CHOICE -> {
                return d.values().get((int) x);
            }
            case UNIFORM -> {
                if (d.integral()) {
                    return Long.toString(clamp(Math.round(x), d));
                }
                return Double.toString(round6(x, d));
            }
            case LOG_UNIFORM -> {
                if (d.integral()) {
                    return Long.toString(clamp((long) Math.floor(Math.exp(x)), d));
                }
                return Double.toString(round6(Math.exp(x), d));
            }
            default -> throw new IllegalStateException("unhandled kind " + d.kind());
        }
    }

    private static long clamp(long v, Dimension d) {
        return Math.max((long) d.low(), Math.min((long) d.high(), v));
    }

    private static double round6(double v, Dimension d) {
        double r = new BigDecimal(v).round(new MathContext(6)).doubleValue();
        return Math.max(d.low(), Math.min(d.high(), r));
    }
}
