package org.kpff.core.data;

import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.awt.color.ColorSpace;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;

/** Test fixtures: small images of known content in every colour model, encoded as PNG, TIFF or JPEG. */
final class TestImages {

    /** One Hadoop configuration for all tests (its construction is the slow part). */
    static final Configuration CONF = new Configuration();

    private TestImages() {
    }

    /** An 8-bit RGB image of one colour. */
    static BufferedImage solid(int w, int h, int r, int g, int b) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        int rgb = (r << 16) | (g << 8) | b;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        return image;
    }

    /** An 8-bit RGB image whose pixel (x, y) is (x·7 + y·3 + seed, x + y·5, 255 − x) mod 256: every pixel differs. */
    static BufferedImage pattern(int w, int h, int seed) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = (x * 7 + y * 3 + seed) & 0xFF;
                int g = (x + y * 5) & 0xFF;
                int b = (255 - x) & 0xFF;
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return image;
    }

    /** An 8-bit grey image of one value. */
    static BufferedImage gray(int w, int h, int value) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        fill(image.getRaster(), value);
        return image;
    }

    /** A 16-bit grey image of one value. */
    static BufferedImage gray16(int w, int h, int value) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
        fill(image.getRaster(), value);
        return image;
    }

    /** A 16-bit RGB image of one colour (samples 0..65535). */
    static BufferedImage rgb16(int w, int h, int r, int g, int b) {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                ComponentColorModel.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = cm.createCompatibleWritableRaster(w, h);
        int[] px = {r, g, b};
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.setPixel(x, y, px);
            }
        }
        return new BufferedImage(cm, raster, false, null);
    }

    /** A paletted image using palette entry 1 = (r, g, b) everywhere. */
    static BufferedImage paletted(int w, int h, int r, int g, int b) {
        byte[] reds = {0, (byte) r, (byte) 255, 0};
        byte[] greens = {0, (byte) g, 0, (byte) 255};
        byte[] blues = {0, (byte) b, 0, 0};
        IndexColorModel cm = new IndexColorModel(2, 4, reds, greens, blues);
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_BINARY, cm);
        fill(image.getRaster(), 1);
        return image;
    }

    /** An RGBA image of one colour with the given alpha. */
    static BufferedImage rgba(int w, int h, int r, int g, int b, int alpha) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        int argb = (alpha << 24) | (r << 16) | (g << 8) | b;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, argb);
            }
        }
        return image;
    }

    private static void fill(WritableRaster raster, int value) {
        int[] row = new int[raster.getWidth() * raster.getNumBands()];
        Arrays.fill(row, value);
        for (int y = 0; y < raster.getHeight(); y++) {
            raster.setPixels(0, y, raster.getWidth(), 1, row);
        }
    }

    /** {@code image} encoded as {@code format} ("png", "tiff", "jpeg", ...). */
    static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("No ImageIO writer for " + format + " and image type " + image.getType());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes {@code bytes} to {@code file}, creating parent folders. */
    static Path write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code image} as {@code format} to {@code file}. */
    static Path write(Path file, BufferedImage image, String format) {
        return write(file, encode(image, format));
    }

    /**
     * A dataset of {@code classes} folders {@code c0, c1, ...} with {@code perClass} w×h PNGs each; image j of class c
     * is solid (40·c + j, 100, 200 − 10·j).
     */
    static Path dataset(Path root, int classes, int perClass, int w, int h) {
        for (int c = 0; c < classes; c++) {
            for (int j = 0; j < perClass; j++) {
                write(root.resolve("c" + c).resolve(String.format("i%02d.png", j)),
                        solid(w, h, 40 * c + j, 100, 200 - 10 * j), "png");
            }
        }
        return root;
    }

    /** The first {@code fraction} of {@code bytes}. */
    static byte[] truncate(byte[] bytes, double fraction) {
        return Arrays.copyOf(bytes, (int) (bytes.length * fraction));
    }
}
