package org.kpff.core.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes one encoded TIFF, PNG or JPEG image into the model's input: RGB, resized to S×S, uint8, in CHW order.
 *
 * <p><b>Colour.</b> 8- and 16-bit grey and RGB images (with or without alpha) are read from their raw samples:
 * grey {@code v} becomes {@code (v, v, v)}, 16-bit samples are scaled to 0..255, alpha is dropped (not
 * composited), and an embedded ICC profile is not applied (as most ML image loaders do). Every other colour model
 * (paletted, packed, 1/2/4-bit) goes through {@link BufferedImage#getRGB}, i.e. sRGB.
 *
 * <p><b>Resize.</b> Antialiased bilinear: a separable triangle filter whose support widens by the scale factor
 * when shrinking (so shrinking averages over the covered area instead of aliasing), with pixel centres aligned and
 * the aspect ratio not preserved (a 256×251 image fills the whole S×S). The filter is defined as in Pillow's
 * {@code Image.resize(size, BILINEAR)} (torchvision's {@code antialias=True}), computed here in float, so values
 * may differ from Pillow's fixed-point ones by a rounding step. It maps a solid colour to itself exactly and is the
 * identity when the image is already S×S. Results are rounded half up to uint8.
 *
 * <p><b>Corrupt data.</b> The reader is picked from the file's bytes, not its name. Any decoder exception or
 * warning (the JPEG decoder only warns on a truncated file) makes the image unreadable, as do an empty file and
 * more than {@value #MAX_PIXELS} pixels. The JDK reads no CMYK JPEG: such files are unreadable too.
 */
public final class ImageDecoder {

    /** Largest accepted image, in pixels (width × height), guarding against absurd headers. */
    public static final long MAX_PIXELS = 1L << 28;

    private ImageDecoder() {
    }

    /**
     * Decodes {@code encoded} and resizes it to {@code inputSize}×{@code inputSize}.
     *
     * @param encoded   the file's bytes
     * @param name      the file's name or path, for the error message
     * @param inputSize S, the output side in pixels (≥ 1)
     * @return {@code 3·S·S} bytes, channel-major (R plane, G plane, B plane), each plane row-major
     * @throws DatasetException naming {@code name} when the bytes are not a readable TIFF, PNG or JPEG image
     */
    public static byte[] decode(byte[] encoded, String name, int inputSize) {
        checkSize(inputSize);
        try {
            return decodeChw(encoded, inputSize);
        } catch (Unreadable e) {
            throw new DatasetException("Image '" + name + "' cannot be decoded: " + e.getMessage(), e);
        }
    }

    static void checkSize(int inputSize) {
        if (inputSize < 1) {
            throw new IllegalArgumentException("inputSize = " + inputSize + " (must be at least 1 pixel)");
        }
    }

    /** {@link #read} then {@link #toChw}, with any failure of either as {@link Unreadable}. */
    static byte[] decodeChw(byte[] encoded, int inputSize) throws Unreadable {
        BufferedImage image = read(encoded);
        try {
            return toChw(image, inputSize);
        } catch (RuntimeException e) {
            throw new Unreadable("cannot convert its " + image.getColorModel().getClass().getSimpleName()
                    + " pixels to RGB: " + describe(e));
        }
    }

    /** Reads the first image of {@code data}, or throws {@link Unreadable} with the reason. */
    static BufferedImage read(byte[] data) throws Unreadable {
        if (data.length == 0) {
            throw new Unreadable("empty file (0 bytes)");
        }
        ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data));
        try {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new Unreadable("not a TIFF, PNG or JPEG image: no ImageIO reader recognises its first bytes");
            }
            ImageReader reader = readers.next();
            String format = reader.getOriginatingProvider() == null ? "image"
                    : reader.getOriginatingProvider().getFormatNames()[0].toUpperCase(Locale.ROOT);
            List<String> warnings = new ArrayList<>();
            try {
                reader.setInput(in, true, true);
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > MAX_PIXELS || pixels <= 0) {
                    throw new Unreadable(format + " header says " + reader.getWidth(0) + "×" + reader.getHeight(0)
                            + " pixels (allowed: 1 to " + MAX_PIXELS + ")");
                }
                BufferedImage image = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new Unreadable("truncated or corrupt " + format + " data: decoder warning '"
                            + warnings.get(0) + "'");
                }
                return image;
            } catch (IOException | RuntimeException e) {
                throw new Unreadable("truncated or corrupt " + format + " data: " + describe(e));
            } finally {
                reader.dispose();
            }
        } finally {
            try {
                in.close();
            } catch (IOException ignored) {
                // A memory stream: nothing to release.
            }
        }
    }

    private static String describe(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (out.length() > 0) {
                out.append(": ");
            }
            out.append(t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
            if (t.getCause() == t) {
                break;
            }
        }
        return out.toString();
    }

    /** {@code image} as RGB, resized to S×S, uint8, CHW. */
    static byte[] toChw(BufferedImage image, int size) {
        int w = image.getWidth();
        int h = image.getHeight();
        float[][] planes = rgbPlanes(image);
        byte[] out = new byte[3 * size * size];
        for (int c = 0; c < 3; c++) {
            float[] plane = (w == size && h == size) ? planes[c] : resize(planes[c], w, h, size, size);
            int base = c * size * size;
            for (int i = 0; i < plane.length; i++) {
                out[base + i] = (byte) toByte(plane[i]);
            }
        }
        return out;
    }

    private static int toByte(float v) {
        int r = (int) (v + 0.5f);
        return r < 0 ? 0 : Math.min(r, 255);
    }

    /** Three planes (R, G, B) of {@code w·h} floats in 0..255. */
    static float[][] rgbPlanes(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        float[][] planes = new float[3][w * h];
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        int transfer = raster.getTransferType();
        int colourType = cm.getColorSpace().getType();
        int colours = cm.getNumColorComponents();
        boolean raw = cm instanceof ComponentColorModel
                && (transfer == DataBuffer.TYPE_BYTE || transfer == DataBuffer.TYPE_USHORT)
                && ((colourType == ColorSpace.TYPE_GRAY && colours == 1)
                        || (colourType == ColorSpace.TYPE_RGB && colours == 3));
        if (raw) {
            int bands = raster.getNumBands();
            float[] scale = new float[colours];
            for (int b = 0; b < colours; b++) {
                scale[b] = 255f / ((1 << cm.getComponentSize(b)) - 1);
            }
            int[] row = new int[w * bands];
            for (int y = 0; y < h; y++) {
                raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
                for (int x = 0; x < w; x++) {
                    for (int c = 0; c < 3; c++) {
                        int b = colours == 1 ? 0 : c;
                        planes[c][y * w + x] = row[x * bands + b] * scale[b];
                    }
                }
            }
        } else {
            int[] argb = new int[w];
            for (int y = 0; y < h; y++) {
                image.getRGB(0, y, w, 1, argb, 0, w);
                for (int x = 0; x < w; x++) {
                    int p = argb[x];
                    planes[0][y * w + x] = (p >>> 16) & 0xFF;
                    planes[1][y * w + x] = (p >>> 8) & 0xFF;
                    planes[2][y * w + x] = p & 0xFF;
                }
            }
        }
        return planes;
    }

    /** Resizes one {@code w×h} plane to {@code outW×outH} with the antialiased triangle filter. */
    static float[] resize(float[] src, int w, int h, int outW, int outH) {
        Taps horizontal = Taps.of(w, outW);
        Taps vertical = Taps.of(h, outH);
        float[] tmp = new float[h * outW];
        for (int y = 0; y < h; y++) {
            int row = y * w;
            for (int x = 0; x < outW; x++) {
                int start = horizontal.start[x];
                int base = x * horizontal.width;
                float acc = 0;
                for (int j = 0; j < horizontal.count[x]; j++) {
                    acc += src[row + start + j] * horizontal.weight[base + j];
                }
                tmp[y * outW + x] = acc;
            }
        }
        float[] out = new float[outH * outW];
        for (int y = 0; y < outH; y++) {
            int start = vertical.start[y];
            int base = y * vertical.width;
            int outRow = y * outW;
            for (int j = 0; j < vertical.count[y]; j++) {
                float wj = vertical.weight[base + j];
                int srcRow = (start + j) * outW;
                for (int x = 0; x < outW; x++) {
                    out[outRow + x] += tmp[srcRow + x] * wj;
                }
            }
        }
        return out;
    }

    /** Precomputed filter taps along one axis: output {@code o} reads {@code count[o]} inputs from {@code start[o]}. */
    static final class Taps {
        final int[] start;
        final int[] count;
        final float[] weight;
        final int width;

        private Taps(int[] start, int[] count, float[] weight, int width) {
            this.start = start;
            this.count = count;
            this.weight = weight;
            this.width = width;
        }

        static Taps of(int in, int out) {
            double scale = (double) in / out;
            double filterScale = Math.max(scale, 1.0);
            double support = filterScale;
            int width = (int) Math.ceil(support) * 2 + 1;
            int[] start = new int[out];
            int[] count = new int[out];
            float[] weight = new float[out * width];
            double[] w = new double[width];
            for (int o = 0; o < out; o++) {
                double center = (o + 0.5) * scale;
                int lo = Math.max((int) (center - support + 0.5), 0);
                int hi = Math.min((int) (center + support + 0.5), in);
                int n = hi - lo;
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    w[j] = triangle((j + lo - center + 0.5) / filterScale);
                    sum += w[j];
                }
                start[o] = lo;
                count[o] = n;
                for (int j = 0; j < n; j++) {
                    weight[o * width + j] = (float) (sum == 0 ? 0 : w[j] / sum);
                }
            }
            return new Taps(start, count, weight, width);
        }

        private static double triangle(double x) {
            double a = Math.abs(x);
            return a < 1 ? 1 - a : 0;
        }
    }

    /** Why an image cannot be decoded (checked, so every caller decides). */
    static final class Unreadable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreadable(String reason) {
            super(reason);
        }
    }
}
