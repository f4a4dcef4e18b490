package org.kpff.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Decoding: colour models to RGB, the resize filter, and corrupt or truncated bytes. */
class ImageDecoderTest {

    private static final int S = 16;

    static Stream<Arguments> solidImages() {
        return Stream.of(
                Arguments.of("PNG RGB 50x37", (Supplier<byte[]>) () -> png(TestImages.solid(50, 37, 200, 100, 50)),
                        new int[] {200, 100, 50}, 0),
                Arguments.of("TIFF RGB 256x251", (Supplier<byte[]>) () ->
                        TestImages.encode(TestImages.solid(256, 251, 7, 130, 255), "tiff"), new int[] {7, 130, 255}, 0),
                Arguments.of("PNG grey 242x256", (Supplier<byte[]>) () -> png(TestImages.gray(242, 256, 77)),
                        new int[] {77, 77, 77}, 0),
                Arguments.of("TIFF grey 9x9", (Supplier<byte[]>) () ->
                        TestImages.encode(TestImages.gray(9, 9, 201), "tiff"), new int[] {201, 201, 201}, 0),
                Arguments.of("PNG 16-bit grey", (Supplier<byte[]>) () -> png(TestImages.gray16(20, 20, 0x8080)),
                        new int[] {128, 128, 128}, 0),
                Arguments.of("PNG 16-bit RGB", (Supplier<byte[]>) () ->
                        png(TestImages.rgb16(17, 23, 0xFFFF, 0, 0x8080)), new int[] {255, 0, 128}, 0),
                Arguments.of("PNG paletted 2-bit", (Supplier<byte[]>) () ->
                        png(TestImages.paletted(30, 30, 12, 34, 56)), new int[] {12, 34, 56}, 0),
                Arguments.of("PNG RGBA, alpha dropped", (Supplier<byte[]>) () ->
                        png(TestImages.rgba(16, 16, 10, 20, 30, 0)), new int[] {10, 20, 30}, 0),
                Arguments.of("JPEG RGB (lossy)", (Supplier<byte[]>) () ->
                        TestImages.encode(TestImages.solid(40, 40, 200, 100, 50), "jpeg"), new int[] {200, 100, 50}, 3));
    }

    private static byte[] png(BufferedImage image) {
        return TestImages.encode(image, "png");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("solidImages")
    void solidColourDecodesToKnownBytes(String name, Supplier<byte[]> encoded, int[] rgb, int tolerance) {
        byte[] chw = ImageDecoder.decode(encoded.get(), name, S);
        assertEquals(3 * S * S, chw.length);
        for (int c = 0; c < 3; c++) {
            for (int k = 0; k < S * S; k++) {
                int got = chw[c * S * S + k] & 0xFF;
                if (Math.abs(got - rgb[c]) > tolerance) {
                    assertEquals(rgb[c], got, "channel " + c + ", pixel " + k);
                }
            }
        }
    }

    @Test
    void exactSizeIsTheIdentityInChwOrder() {
        BufferedImage image = TestImages.pattern(S, S, 9);
        byte[] chw = ImageDecoder.decode(png(image), "p", S);
        for (int y = 0; y < S; y++) {
            for (int x = 0; x < S; x++) {
                int rgb = image.getRGB(x, y);
                assertEquals((rgb >> 16) & 0xFF, chw[(0 * S + y) * S + x] & 0xFF);
                assertEquals((rgb >> 8) & 0xFF, chw[(1 * S + y) * S + x] & 0xFF);
                assertEquals(rgb & 0xFF, chw[(2 * S + y) * S + x] & 0xFF);
            }
        }
    }

    /** Naive reference: each output pixel as a 2-D weighted sum with the triangle filter of {@link ImageDecoder}. */
    static double[] naiveResize(float[] src, int w, int h, int outW, int outH) {
        double[] out = new double[outW * outH];
        for (int oy = 0; oy < outH; oy++) {
            for (int ox = 0; ox < outW; ox++) {
                double num = 0;
                double[] wx = axisWeights(w, outW, ox);
                double[] wy = axisWeights(h, outH, oy);
                double sum = 0;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        double k = wx[x] * wy[y];
                        num += k * src[y * w + x];
                        sum += k;
                    }
                }
                out[oy * outW + ox] = num / sum;
            }
        }
        return out;
    }

    /** Triangle weight of every input pixel for output o: support max(scale, 1), input centres at i + 0.5. */
    private static double[] axisWeights(int in, int out, int o) {
        double scale = (double) in / out;
        double fs = Math.max(scale, 1);
        double center = (o + 0.5) * scale;
        double[] w = new double[in];
        for (int i = 0; i < in; i++) {
            double d = Math.abs((i + 0.5 - center) / fs);
            w[i] = d < 1 ? 1 - d : 0;
        }
        return w;
    }

    @ParameterizedTest(name = "{0}x{1} -> {2}x{3}")
    @MethodSource("resizeShapes")
    void separableResizeMatchesTheNaive2dFilter(int w, int h, int outW, int outH) {
        Random rnd = new Random(w * 31L + h);
        float[] src = new float[w * h];
        for (int i = 0; i < src.length; i++) {
            src[i] = rnd.nextInt(256);
        }
        float[] fast = ImageDecoder.resize(src, w, h, outW, outH);
        double[] naive = naiveResize(src, w, h, outW, outH);
        for (int i = 0; i < naive.length; i++) {
            assertEquals(naive[i], fast[i], 1e-3, "pixel " + i);
        }
    }

    static Stream<Arguments> resizeShapes() {
        return Stream.of(Arguments.of(37, 23, 16, 16), Arguments.of(256, 251, 32, 32), Arguments.of(7, 5, 16, 16),
                Arguments.of(16, 16, 16, 16), Arguments.of(64, 64, 224, 224), Arguments.of(3, 3, 1, 1));
    }

    @Test
    void shrinkingALinearRampAveragesOverTheCoveredArea() {
        // v(x) = 2x + 10 at pixel centres x + 0.5; halving maps output o to the centre 2o + 1, i.e. value 4o + 11,
        // wherever the 4-pixel window lies inside the image.
        int w = 64;
        float[] src = new float[w];
        for (int x = 0; x < w; x++) {
            src[x] = 2 * x + 10;
        }
        float[] out = ImageDecoder.resize(src, w, 1, 32, 1);
        for (int o = 1; o < 31; o++) {
            assertEquals(4 * o + 11, out[o], 1e-4, "output " + o);
        }
    }

    static Stream<Arguments> unreadable() {
        byte[] pngBytes = png(TestImages.pattern(64, 64, 1));
        byte[] tiffBytes = TestImages.encode(TestImages.pattern(64, 64, 2), "tiff");
        byte[] jpegBytes = TestImages.encode(TestImages.pattern(64, 64, 3), "jpeg");
        return Stream.of(
                Arguments.of("truncated PNG", TestImages.truncate(pngBytes, 0.5), "truncated or corrupt PNG data"),
                Arguments.of("truncated TIFF", TestImages.truncate(tiffBytes, 0.5), "truncated or corrupt TIF"),
                Arguments.of("truncated JPEG", TestImages.truncate(jpegBytes, 0.6), "truncated or corrupt JPEG data"),
                Arguments.of("PNG header only", TestImages.truncate(pngBytes, 0.02), "truncated or corrupt PNG data"),
                Arguments.of("text named .png", "hello".getBytes(StandardCharsets.UTF_8), "no ImageIO reader"),
                Arguments.of("empty file", new byte[0], "empty file (0 bytes)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unreadable")
    void corruptOrTruncatedBytesAreUnreadableWithAReason(String name, byte[] bytes, String reason) {
        DatasetException e = assertThrows(DatasetException.class,
                () -> ImageDecoder.decode(bytes, "hdfs://nn/x/bad.png", S));
        assertTrue(e.getMessage().startsWith("Image 'hdfs://nn/x/bad.png' cannot be decoded: "), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void inputSizeMustBePositive() {
        byte[] ok = png(TestImages.solid(4, 4, 1, 1, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageDecoder.decode(ok, "x", 0));
        assertEquals("inputSize = 0 (must be at least 1 pixel)", e.getMessage());
        assertArrayEquals(new byte[] {1, 1, 1}, ImageDecoder.decode(ok, "x", 1));
    }
}
