package org.kpff.core.data;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every image of a {@link DatasetListing} decoded once into the model input: RGB, S×S, uint8, CHW (see
 * {@link ImageDecoder}), held compactly as one {@code byte[3·S·S]} per image (3 bytes per pixel, no floats).
 *
 * <p>Indices are the listing's: {@code size() == listing.size()} and {@code label(i) == listing.label(i)}. An
 * image that could not be decoded keeps its index, holds no pixels and appears in {@link #skipped()};
 * {@link #usable(int[])} removes such indices from a fold. Immutable and thread-safe once built.
 */
public final class DecodedImages {

    private static final Logger LOG = LoggerFactory.getLogger(DecodedImages.class);
    private static final int WARN_LIMIT = 20;

    private final DatasetListing listing;
    private final int inputSize;
    private final byte[][] pixels;
    private final List<ImageProblem> skipped;
    private final long bytes;

    private DecodedImages(DatasetListing listing, int inputSize, byte[][] pixels, List<ImageProblem> skipped) {
        this.listing = listing;
        this.inputSize = inputSize;
        this.pixels = pixels;
        this.skipped = List.copyOf(skipped);
        long total = 0;
        for (byte[] p : pixels) {
            total += p == null ? 0 : p.length;
        }
        this.bytes = total;
    }

    /** The default number of decoding threads: min(available processors, 4). */
    public static int defaultThreads() {
        return Math.min(Runtime.getRuntime().availableProcessors(), 4);
    }

    /**
     * Decodes every image of {@code listing} through the Hadoop FileSystem API on {@code threads} threads. An image
     * whose bytes cannot be decoded, or whose file has disappeared since listing or cannot be opened (the reason in words), is skipped with a WARN and
     * recorded in {@link #skipped()}; call {@link #requireComplete()} to fail instead. Any other I/O error (e.g. a
     * failing datanode) fails the whole decode, so that a retry does not silently lose images.
     *
     * @param listing   the images to decode
     * @param inputSize S, the side of the square model input (≥ 1)
     * @param threads   decoding threads (≥ 1), e.g. {@link #defaultThreads()}
     * @param conf      Hadoop configuration for the images' FileSystem
     * @throws UncheckedIOException  naming the file, on an I/O error other than a missing file
     * @throws CancellationException when the calling thread is interrupted (its interrupt flag stays set)
     */
    public static DecodedImages decode(DatasetListing listing, int inputSize, int threads, Configuration conf) {
        Objects.requireNonNull(listing, "listing");
        Objects.requireNonNull(conf, "conf");
        ImageDecoder.checkSize(inputSize);
        if (threads < 1) {
            throw new IllegalArgumentException("threads = " + threads + " (must be at least 1)");
        }
        long start = System.nanoTime();
        FileSystem fs = SceneDataset.fileSystem(listing.rootUri(), new Path(listing.rootUri()), conf);
        int n = listing.size();
        byte[][] pixels = new byte[n][];
        ImageProblem[] problems = new ImageProblem[n];
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, Math.max(n, 1)),
                org.kpff.core.DaemonThreads.named("kpff-decode"));
        try {
            List<Future<?>> futures = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    problems[index] = decodeInto(fs, listing, index, inputSize, pixels, index);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            CancellationException cancelled = new CancellationException("Decoding dataset '" + listing.rootUri()
                    + "' was interrupted");
            cancelled.initCause(e);
            throw cancelled;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw new UncheckedIOException(io.getMessage(), io);
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } finally {
            pool.shutdownNow();
        }
        List<ImageProblem> skipped = new ArrayList<>();
        for (ImageProblem p : problems) {
            if (p != null) {
                skipped.add(p);
            }
        }
        for (int i = 0; i < Math.min(skipped.size(), WARN_LIMIT); i++) {
            LOG.warn("Skipping image {}", skipped.get(i));
        }
        if (skipped.size() > WARN_LIMIT) {
            LOG.warn("... and {} more images skipped", skipped.size() - WARN_LIMIT);
        }
        DecodedImages out = new DecodedImages(listing, inputSize, pixels, skipped);
        LOG.info("Decoded {} of {} images of {} at {}x{} in {} ms on {} threads ({} MiB, {} skipped)",
                n - skipped.size(), n, listing.rootUri(), inputSize, inputSize, (System.nanoTime() - start) / 1_000_000,
                threads, out.bytes >> 20, skipped.size());
        return out;
    }

    /**
     * Decodes images {@code from} (inclusive) to {@code to} (exclusive) of {@code listing} on this thread and returns
     * those {@link #decode} would skip, with the same reasons, in index order; the pixels are dropped. For a
     * pre-flight check of a whole dataset spread over many machines (the decode is what is checked, so a small
     * {@code inputSize} will do).
     *
     * @throws UncheckedIOException on an I/O error other than a missing file
     */
    public static List<ImageProblem> check(DatasetListing listing, int from, int to, int inputSize,
            Configuration conf) {
        Objects.requireNonNull(listing, "listing");
        ImageDecoder.checkSize(inputSize);
        if (from < 0 || to > listing.size()) {
            throw new IndexOutOfBoundsException("images " + from + ".." + to + " of " + listing.size());
        }
        List<ImageProblem> problems = new ArrayList<>();
        if (from >= to) {
            return problems;
        }
        FileSystem fs = SceneDataset.fileSystem(listing.rootUri(), new Path(listing.rootUri()), conf);
        byte[][] scratch = new byte[1][];
        for (int i = from; i < to; i++) {
            try {
                ImageProblem p = decodeInto(fs, listing, i, inputSize, scratch, 0);
                if (p != null) {
                    problems.add(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
        return problems;
    }

    /** Decodes image {@code index} into {@code pixels[slot]}; returns why it cannot be decoded, or null. */
    private static ImageProblem decodeInto(FileSystem fs, DatasetListing listing, int index, int inputSize,
            byte[][] pixels, int slot) throws IOException {
        String path = listing.path(index);
        try {
            pixels[slot] = ImageDecoder.decodeChw(readFully(fs, path), inputSize);
            return null;
        } catch (ImageDecoder.Unreadable e) {
            return new ImageProblem(index, path, e.getMessage());
        } catch (FileNotFoundException e) {
            // Hadoop's local FileSystem reports a file it may not open (permission denied, a folder in its place)
            // as not found too: say which it is.
            return new ImageProblem(index, path, fs.exists(new Path(path)) ? "cannot be read: " + openFailure(e, path)
                    : "file not found: it was listed but is gone");
        }
    }

    /** Why an existing file could not be opened, from the JDK's "path (reason)" message: e.g. "permission denied". */
    private static String openFailure(FileNotFoundException e, String path) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        int open = m.lastIndexOf(" (");
        String reason = open >= 0 && m.endsWith(")") ? m.substring(open + 2, m.length() - 1) : m.replace(path, "").strip();
        return reason.isEmpty() ? "the file system refused to open it" : reason.toLowerCase(java.util.Locale.ROOT);
    }

    private static byte[] readFully(FileSystem fs, String path) throws IOException {
        try (InputStream in = fs.open(new Path(path))) {
            return in.readAllBytes();
        } catch (FileNotFoundException e) {
            throw e;
        } catch (IOException e) {
            throw new IOException("Cannot read image '" + path + "': " + e.getMessage(), e);
        }
    }

    /**
     * Fails when any image was skipped, naming every skipped file (the first 10) and why: strict mode.
     *
     * @return this
     * @throws DatasetException when {@link #skipped()} is not empty
     */
    public DecodedImages requireComplete() {
        if (!skipped.isEmpty()) {
            String shown = skipped.stream().limit(10).map(ImageProblem::toString).collect(Collectors.joining("; "));
            throw new DatasetException("Strict decoding: " + skipped.size() + " of " + size() + " images of dataset '"
                    + listing.rootUri() + "' cannot be decoded: " + shown + (skipped.size() > 10 ? "; ..." : "")
                    + ". Fix or remove those files, or decode non-strictly to skip them with a warning.");
        }
        return this;
    }

    /** The listing these images come from. */
    public DatasetListing listing() {
        return listing;
    }

    /** Number of images, skipped ones included: the listing's size. */
    public int size() {
        return pixels.length;
    }

    /** S: every decoded image is 3×S×S. */
    public int inputSize() {
        return inputSize;
    }

    /** Number of classes. */
    public int classCount() {
        return listing.classCount();
    }

    /** Class names; label {@code c} is {@code classes().get(c)}. */
    public List<String> classes() {
        return listing.classes();
    }

    /** Label of image {@code index}. */
    public int label(int index) {
        return listing.label(index);
    }

    /** Fully qualified path of image {@code index}. */
    public String path(int index) {
        return listing.path(index);
    }

    /** Images that could not be decoded, in index order. */
    public List<ImageProblem> skipped() {
        return skipped;
    }

    /** Whether image {@code index} was skipped (holds no pixels). */
    public boolean isSkipped(int index) {
        return pixels[index] == null;
    }

    /** Number of images that were decoded. */
    public int decodedCount() {
        return pixels.length - skipped.size();
    }

    /** Bytes of pixel data held: {@code decodedCount() · 3 · S · S}. */
    public long bytes() {
        return bytes;
    }

    /** Pixel value 0..255 of image {@code index} at channel {@code c} (0 R, 1 G, 2 B), row {@code y}, column {@code x}. */
    public int pixel(int index, int c, int y, int x) {
        return raw(index)[(c * inputSize + y) * inputSize + x] & 0xFF;
    }

    /** A copy of image {@code index}'s {@code 3·S·S} bytes, CHW. */
    public byte[] pixels(int index) {
        return raw(index).clone();
    }

    /** Copies image {@code index}'s {@code 3·S·S} bytes, CHW, into {@code dst} at {@code offset}. */
    public void copyPixels(int index, byte[] dst, int offset) {
        byte[] p = raw(index);
        System.arraycopy(p, 0, dst, offset, p.length);
    }

    /** The given indices without the skipped ones, in the given order. */
    public int[] usable(int[] indices) {
        return Arrays.stream(indices).filter(i -> !isSkipped(i)).toArray();
    }

    /** The internal array of image {@code index}; callers in this package never modify it. */
    byte[] raw(int index) {
        byte[] p = pixels[index];
        if (p == null) {
            throw new IllegalStateException("Image " + index + " ('" + path(index) + "') was skipped: "
                    + skipped.stream().filter(s -> s.index() == index).map(ImageProblem::reason).findFirst()
                            .orElse("unknown reason"));
        }
        return p;
    }

    @Override
    public String toString() {
        return "DecodedImages[" + listing.rootUri() + " at " + inputSize + "x" + inputSize + ": " + decodedCount()
                + " of " + size() + " images, " + bytes + " bytes]";
    }
}
