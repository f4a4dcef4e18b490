package org.kpff.core.data;

import java.io.Serializable;
import java.util.Comparator;

/**
 * Width and height of a stored image in pixels, ordered by width then height.
 *
 * @param width  pixels per row
 * @param height rows
 */
public record ImageSize(int width, int height) implements Comparable<ImageSize>, Serializable {

    private static final Comparator<ImageSize> ORDER =
            Comparator.comparingInt(ImageSize::width).thenComparingInt(ImageSize::height);

    @Override
    public int compareTo(ImageSize other) {
        return ORDER.compare(this, other);
    }

    /** {@code W×H}, e.g. {@code 256×251}. */
    @Override
    public String toString() {
        return width + "×" + height;
    }
}
