package org.kpff.core.data;

import org.kpff.core.Seeds;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a synthetic scene dataset in the UC Merced layout ({@code <out>/class00/img000.png}, ...) through the
 * Hadoop FileSystem API: the job's embedded default dataset, learnable by a small CNN but not trivially.
 *
 * <p>Each class is a texture family ({@code class % 4}: stripes, checks, oriented blobs, rings) with its own
 * orientation and spatial frequency (or blob size), which step with {@code class / 4}. Per image: random phase and
 * position, ±8° orientation and ±8% frequency jitter, one of two palettes shared with other classes (every palette
 * serves several classes), foreground and background swapped at random, random brightness and contrast, and
 * Gaussian pixel noise (σ = 12). So mean colour says almost nothing about the class; texture and layout do.
 *
 * <p>Deterministic: the same arguments give the same pixels on any JVM ({@link StrictMath}, one random stream per
 * image derived from the seed) and the same file bytes on the same JDK. 21 classes × 100 images at 64×64 take a
 * few seconds.
 */
public final class SyntheticScenes {

    private static final Logger LOG = LoggerFactory.getLogger(SyntheticScenes.class);
    private static final int FAMILIES = 4;
    private static final double NOISE = 12;
    private static final int NOISE_TABLE_BITS = 12;
    /** Standard normal quantiles at (k + 0.5) / 4096: noise is drawn by index, cheap and the same on every JVM. */
    private static final float[] NORMAL = normalQuantiles(1 << NOISE_TABLE_BITS);

    /** Foreground/background colour pairs; class c draws from palettes c % 5 and (c + 2) % 5. */
    private static final int[][][] PALETTES = {
        {{46, 110, 52}, {176, 160, 120}},
        {{70, 90, 140}, {200, 200, 190}},
        {{140, 72, 50}, {90, 150, 80}},
        {{60, 60, 60}, {190, 180, 150}},
        {{150, 130, 70}, {40, 80, 110}},
    };

    private SyntheticScenes() {
    }

    /**
     * Generates {@code classes × perClass} PNG images of {@code size × size} pixels under {@code outUri}.
     *
     * @param outUri   target folder, any Hadoop URI; must not exist or be empty
     * @param classes  number of classes, in [2, 1000]
     * @param perClass images per class, in [1, 100000]
     * @param size     image side in pixels, in [8, 4096]
     * @param seed     the seed
     * @param conf     Hadoop configuration
     * @return the listing of what was written
     * @throws IllegalArgumentException naming the argument, when one is out of range
     * @throws DatasetException         when {@code outUri} exists and is not an empty folder
     */
    public static DatasetListing generate(String outUri, int classes, int perClass, int size, long seed,
            Configuration conf) {
        check(classes >= 2 && classes <= 1000, "classes", classes, "in [2, 1000]");
        check(perClass >= 1 && perClass <= 100_000, "perClass", perClass, "in [1, 100000]");
        check(size >= 8 && size <= 4096, "size", size, "in [8, 4096]");
        Path root = SceneDataset.toPath(outUri);
        FileSystem fs = SceneDataset.fileSystem(outUri, root, conf);
        Path qualified = fs.makeQualified(root);
        // Local files go through java.nio: Hadoop 3.3's local FileSystem forks a chmod per created file when the
        // native library is absent (≈ 3 ms each) and adds .crc side files.
        boolean local = fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem;
        long start = System.nanoTime();
        try {
            requireEmpty(fs, qualified);
            String classFormat = "class%0" + Math.max(2, digits(classes - 1)) + "d";
            String imageFormat = "img%0" + Math.max(3, digits(perClass - 1)) + "d.png";
            ExecutorService pool = Executors.newFixedThreadPool(DecodedImages.defaultThreads(),
                    org.kpff.core.DaemonThreads.named("kpff-synthetic"));
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int c = 0; c < classes; c++) {
                    Path dir = new Path(qualified, String.format(classFormat, c));
                    if (local) {
                        Files.createDirectories(java.nio.file.Path.of(dir.toUri()));
                    } else if (!fs.mkdirs(dir)) {
                        throw new IOException("cannot create folder '" + dir + "'");
                    }
                    for (int i = 0; i < perClass; i++) {
                        int cls = c;
                        int img = i;
                        Path file = new Path(dir, String.format(imageFormat, i));
                        futures.add(pool.submit(() -> {
                            byte[] png = png(render(cls, size, new SplittableRandom(Seeds.derive(seed, cls, img))),
                                    size);
                            if (local) {
                                Files.write(java.nio.file.Path.of(file.toUri()), png, StandardOpenOption.CREATE_NEW,
                                        StandardOpenOption.WRITE);
                            } else {
                                try (OutputStream os = fs.create(file, false)) {
                                    os.write(png);
                                }
                            }
                            return null;
                        }));
                    }
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while generating '" + qualified + "'", e);
            } catch (ExecutionException e) {
                throw new UncheckedIOException(new IOException("Cannot write synthetic dataset '" + qualified + "': "
                        + e.getCause().getMessage(), e.getCause()));
            } finally {
                pool.shutdownNow();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write synthetic dataset '" + qualified + "': " + e.getMessage(), e);
        }
        // Last: a dataset whose generation was cut off has no marker. Hidden, so the listing skips it.
        byte[] marker = String.format(java.util.Locale.ROOT, "Synthetic scenes generated by kpff datagen: %d classes "
                + "x %d images of %dx%d px, seed %d.%n", classes, perClass, size, size, seed)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try {
            if (local) {
                Files.write(java.nio.file.Path.of(new Path(qualified, MARKER).toUri()), marker);
            } else {
                try (OutputStream os = fs.create(new Path(qualified, MARKER), true)) {
                    os.write(marker);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write synthetic dataset '" + qualified + "': " + e.getMessage(), e);
        }
        LOG.info("Generated {} classes x {} images of {}x{} under {} in {} ms", classes, perClass, size, size,
                qualified, (System.nanoTime() - start) / 1_000_000);
        return SceneDataset.list(qualified.toString(), conf);
    }

    /** The file that marks a dataset folder as generated by {@link #generate} (hidden: listings skip it). */
    public static final String MARKER = ".kpff-synthetic";

    /** Whether the dataset at {@code rootUri} was generated by {@link #generate} (its marker file exists). */
    public static boolean isSynthetic(String rootUri, Configuration conf) {
        try {
            Path root = SceneDataset.toPath(rootUri);
            FileSystem fs = SceneDataset.fileSystem(rootUri, root, conf);
            return fs.exists(new Path(root, MARKER));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static void requireEmpty(FileSystem fs, Path root) throws IOException {
        FileStatus status;
        try {
            status = fs.getFileStatus(root);
        } catch (FileNotFoundException e) {
            return;
        }
        if (!status.isDirectory() || fs.listStatus(root).length > 0) {
            throw new DatasetException("Synthetic dataset target '" + root + "' already exists and is not an empty "
                    + "folder; give a new or empty folder (nothing is overwritten)");
        }
    }

    private static int digits(int n) {
        return Integer.toString(Math.max(n, 0)).length();
    }

    private static void check(boolean ok, String field, int value, String allowed) {
        if (!ok) {
            throw new IllegalArgumentException(field + " = " + value + " (must be " + allowed + ")");
        }
    }

    /** One image of class {@code cls}: {@code size·size·3} bytes, row-major, interleaved R, G, B. */
    static byte[] render(int cls, int size, SplittableRandom rnd) {
        int family = cls % FAMILIES;
        int step = cls / FAMILIES;
        double theta = StrictMath.toRadians(step * 37.0 + family * 11.0 + uniform(rnd, -8, 8));
        double freq = (3.0 + 1.5 * (step % 6)) * (1 + uniform(rnd, -0.08, 0.08));
        double phase = uniform(rnd, 0, 2 * Math.PI);
        double cos = StrictMath.cos(theta);
        double sin = StrictMath.sin(theta);

        int[][] palette = PALETTES[rnd.nextBoolean() ? cls % PALETTES.length : (cls + 2) % PALETTES.length];
        boolean swap = rnd.nextBoolean();
        int[] fg = swap ? palette[1] : palette[0];
        int[] bg = swap ? palette[0] : palette[1];
        double brightness = uniform(rnd, -25, 25);
        double contrast = uniform(rnd, 0.75, 1.15);

        double[][] blobs = null;
        double blobRadius = 0;
        if (family == 2) {
            int count = 3 + (step % 5) * 2 + rnd.nextInt(3);
            blobRadius = 0.16 - 0.022 * (step % 6);
            blobs = new double[count][2];
            for (double[] b : blobs) {
                b[0] = rnd.nextDouble();
                b[1] = rnd.nextDouble();
            }
        }
        double cx = uniform(rnd, 0.25, 0.75);
        double cy = uniform(rnd, 0.25, 0.75);
        double twoPiF = 2 * Math.PI * freq;

        byte[] rgb = new byte[size * size * 3];
        for (int y = 0; y < size; y++) {
            double v = (y + 0.5) / size;
            for (int x = 0; x < size; x++) {
                double u = (x + 0.5) / size;
                double along = u * cos + v * sin;
                double across = -u * sin + v * cos;
                double t = switch (family) {
                    case 0 -> StrictMath.sin(twoPiF * along + phase);
                    case 1 -> Math.signum(StrictMath.sin(twoPiF * along + phase))
                            * Math.signum(StrictMath.sin(twoPiF * across + phase * 0.7)) * 0.9;
                    case 2 -> blobField(blobs, blobRadius, u, v, cos, sin);
                    default -> StrictMath.sin(twoPiF * StrictMath.hypot(u - cx, v - cy) + phase);
                };
                double a = (t + 1) / 2;
                int base = (y * size + x) * 3;
                for (int c = 0; c < 3; c++) {
                    double value = bg[c] + (fg[c] - bg[c]) * a;
                    value = (value - 128) * contrast + 128 + brightness + NOISE * NORMAL[rnd.nextInt(NORMAL.length)];
                    rgb[base + c] = (byte) Math.max(0, Math.min(255, (int) Math.round(value)));
                }
            }
        }
        return rgb;
    }

    /** Sum of anisotropic Gaussian bumps (long axis along the class orientation), mapped to [−1, 1]. */
    private static double blobField(double[][] blobs, double radius, double u, double v, double cos, double sin) {
        double sum = 0;
        double inv = 1 / (radius * radius);
        for (double[] b : blobs) {
            double du = u - b[0];
            double dv = v - b[1];
            double along = du * cos + dv * sin;
            double across = -du * sin + dv * cos;
            sum += StrictMath.exp(-(along * along * 0.35 + across * across * 2.0) * inv);
        }
        return 2 * Math.min(sum, 1) - 1;
    }

    private static double uniform(SplittableRandom rnd, double lo, double hi) {
        return lo + (hi - lo) * rnd.nextDouble();
    }

    /** Quantiles of the standard normal at (k + 0.5) / n, by bisection on an erf approximation (error below 1.5e-7). */
    private static float[] normalQuantiles(int n) {
        float[] out = new float[n];
        for (int k = 0; k < n; k++) {
            double p = (k + 0.5) / n;
            double lo = -6;
            double hi = 6;
            for (int it = 0; it < 60; it++) {
                double mid = (lo + hi) / 2;
                if (normalCdf(mid) < p) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            out[k] = (float) ((lo + hi) / 2);
        }
        return out;
    }

    /** Φ(x) via Abramowitz-Stegun 7.1.26 for erf. */
    private static double normalCdf(double x) {
        double z = Math.abs(x) / StrictMath.sqrt(2);
        double t = 1 / (1 + 0.3275911 * z);
        double erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027
                + t * 1.061405429)))) * StrictMath.exp(-z * z);
        return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
    }

    private static byte[] png(byte[] rgb, int size) throws IOException {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        for (int k = 0; k < rgb.length; k += 3) {
            bgr[k] = rgb[k + 2];
            bgr[k + 1] = rgb[k + 1];
            bgr[k + 2] = rgb[k];
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(size * size * 3 / 2);
        if (!ImageIO.write(image, "png", bytes)) {
            throw new IOException("no PNG writer in this JVM");
        }
        return bytes.toByteArray();
    }
}
