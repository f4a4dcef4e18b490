package org.kpff.core.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Inspects a dataset for a human, without failing: it lists like {@link SceneDataset#list}, fully decodes every
 * image (at its stored size, no resizing) to find the unreadable ones, and reports everything in a
 * {@link DatasetReport} instead of throwing.
 */
public final class DatasetInspector {

    private DatasetInspector() {
    }

    /** Inspects the dataset at {@code uri} without a fold count. */
    public static DatasetReport inspect(String uri, Configuration conf) {
        return inspect(uri, conf, 0);
    }

    /**
     * Inspects the dataset at {@code uri}.
     *
     * @param uri   the dataset root, any Hadoop URI
     * @param conf  Hadoop configuration
     * @param folds the k of the planned cross-validation, to report classes with fewer than k readable images as
     *              problems; 0 to skip that check
     * @return the report; problems with the root (missing, unknown scheme, ...) are in {@link DatasetReport#problems()}
     */
    public static DatasetReport inspect(String uri, Configuration conf, int folds) {
        if (folds < 0) {
            throw new IllegalArgumentException("folds = " + folds + " (must be 0 for no check, or the k of k-fold)");
        }
        SceneDataset.Scan scan;
        try {
            scan = SceneDataset.scan(uri, conf);
        } catch (DatasetException e) {
            return new DatasetReport(uri == null ? "" : uri, Map.of(), Map.of(), List.of(), List.of(), List.of(),
                    List.of(e.getMessage()));
        }
        List<String> paths = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        Map<String, Integer> classCounts = new LinkedHashMap<>();
        for (int c = 0; c < scan.classes().size(); c++) {
            classCounts.put(scan.classes().get(c), scan.images().get(c).size());
            for (String p : scan.images().get(c)) {
                paths.add(p);
                labels.add(c);
            }
        }
        ImageSize[] sizes = new ImageSize[paths.size()];
        ImageProblem[] failures = new ImageProblem[paths.size()];
        readAll(scan.rootUri(), paths, conf, sizes, failures);

        Map<ImageSize, Integer> histogram = new TreeMap<>();
        List<ImageProblem> unreadable = new ArrayList<>();
        int[] readable = new int[scan.classes().size()];
        for (int i = 0; i < paths.size(); i++) {
            if (sizes[i] != null) {
                histogram.merge(sizes[i], 1, Integer::sum);
                readable[labels.get(i)]++;
            } else {
                unreadable.add(failures[i]);
            }
        }
        List<String> problems = new ArrayList<>(scan.problems());
        List<String> warnings = new ArrayList<>(scan.warnings());
        for (int c = 0; c < readable.length; c++) {
            int files = scan.images().get(c).size();
            String name = scan.classes().get(c);
            if (files > 0 && readable[c] == 0) {
                problems.add("Class '" + name + "' has " + files + " image file(s) and none can be decoded.");
            } else if (folds >= 2 && files > 0 && readable[c] < folds) {
                problems.add("Class '" + name + "' has " + readable[c] + " readable image(s), fewer than the k = "
                        + folds + " folds: every class needs at least k images.");
            }
        }
        if (!unreadable.isEmpty()) {
            warnings.add(unreadable.size() + " image file(s) cannot be decoded: training skips them with a warning, "
                    + "strict mode fails on them.");
        }
        if (!scan.ignored().isEmpty()) {
            warnings.add(scan.ignored().size() + " non-image entries are ignored.");
        }
        if (histogram.size() > 1) {
            warnings.add("Images come in " + histogram.size() + " sizes; every image is resized to the model input "
                    + "size (aspect ratio not kept).");
        }
        return new DatasetReport(scan.rootUri(), classCounts, histogram, unreadable, scan.ignored(), warnings,
                problems);
    }

    private static void readAll(String rootUri, List<String> paths, Configuration conf, ImageSize[] sizes,
            ImageProblem[] failures) {
        FileSystem fs = SceneDataset.fileSystem(rootUri, new Path(rootUri), conf);
        ExecutorService pool = Executors.newFixedThreadPool(DecodedImages.defaultThreads(),
                org.kpff.core.DaemonThreads.named("kpff-inspect"));
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < paths.size(); i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    String path = paths.get(index);
                    try (InputStream in = fs.open(new Path(path))) {
                        BufferedImage image = ImageDecoder.read(in.readAllBytes());
                        sizes[index] = new ImageSize(image.getWidth(), image.getHeight());
                    } catch (ImageDecoder.Unreadable e) {
                        failures[index] = new ImageProblem(index, path, e.getMessage());
                    } catch (IOException e) {
                        failures[index] = new ImageProblem(index, path, "cannot read file: " + e.getMessage());
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while inspecting dataset '" + rootUri + "'", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Inspecting dataset '" + rootUri + "' failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
