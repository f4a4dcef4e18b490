package org.kpff.core.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.kpff.core.Seeds;

/**
 * The immutable, serializable result of listing a dataset: root URI, class names in sorted order, and every image
 * (path and label) in a stable order: by class, then by file name.
 *
 * <p>It carries no pixels and is small (one path string per image), so a Spark driver ships it to executors. Its
 * {@link #fingerprint()} identifies the exact set of files and labels, and keys {@link ImageCache}.
 */
public final class DatasetListing implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String rootUri;
    private final List<String> classes;
    private final List<ImageRef> images;
    private final int ignoredFiles;
    private final String fingerprint;

    private DatasetListing(String rootUri, List<String> classes, List<ImageRef> images, int ignoredFiles) {
        this.rootUri = Objects.requireNonNull(rootUri, "rootUri");
        this.classes = List.copyOf(classes);
        this.images = List.copyOf(images);
        if (ignoredFiles < 0) {
            throw new IllegalArgumentException("ignoredFiles = " + ignoredFiles + " (must be >= 0)");
        }
        if (new HashSet<>(this.classes).size() != this.classes.size()) {
            throw new IllegalArgumentException("classes = " + this.classes + " (names must be distinct)");
        }
        Set<String> paths = new HashSet<>();
        for (ImageRef ref : this.images) {
            if (ref.label() >= this.classes.size()) {
                throw new IllegalArgumentException("label = " + ref.label() + " of image '" + ref.path()
                        + "' (must be < the " + this.classes.size() + " classes)");
            }
            if (!paths.add(ref.path())) {
                throw new IllegalArgumentException("image '" + ref.path() + "' is listed twice (paths must be distinct)");
            }
        }
        this.ignoredFiles = ignoredFiles;
        this.fingerprint = computeFingerprint(this.rootUri, this.classes, this.images);
    }

    /**
     * A listing of the given parts; {@link SceneDataset#list} is the usual way to get one.
     *
     * @param rootUri      fully qualified root folder
     * @param classes      distinct class names; label {@code i} is {@code classes.get(i)}
     * @param images       images with labels in [0, classes.size()), distinct paths, in the order to index them
     * @param ignoredFiles how many non-image files the listing ignored (≥ 0)
     */
    public static DatasetListing of(String rootUri, List<String> classes, List<ImageRef> images, int ignoredFiles) {
        return new DatasetListing(rootUri, classes, images, ignoredFiles);
    }

    /** The fully qualified root folder, e.g. {@code file:/data/ucmerced} or {@code hdfs://nn:8020/ucm}. */
    public String rootUri() {
        return rootUri;
    }

    /** Class names; label {@code i} is {@code classes().get(i)}. */
    public List<String> classes() {
        return classes;
    }

    /** All images, in index order. */
    public List<ImageRef> images() {
        return images;
    }

    /** Non-image files (by extension) and sub-folders of class folders that the listing ignored. */
    public int ignoredFiles() {
        return ignoredFiles;
    }

    /** Number of images. */
    public int size() {
        return images.size();
    }

    /** Number of classes. */
    public int classCount() {
        return classes.size();
    }

    /** The image at {@code index}. */
    public ImageRef image(int index) {
        return images.get(index);
    }

    /** The fully qualified path of image {@code index}. */
    public String path(int index) {
        return images.get(index).path();
    }

    /** The label of image {@code index}. */
    public int label(int index) {
        return images.get(index).label();
    }

    /** A fresh array of all labels in index order. */
    public int[] labels() {
        int[] out = new int[images.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = images.get(i).label();
        }
        return out;
    }

    /** A fresh array: {@code classCounts()[c]} is the number of images of class {@code c}. */
    public int[] classCounts() {
        int[] out = new int[classes.size()];
        for (ImageRef ref : images) {
            out[ref.label()]++;
        }
        return out;
    }

    /**
     * The path of image {@code index} relative to the root, e.g. {@code beach/beach00.tif}: the same for a copy of
     * the dataset on another FileSystem, so use it in result tables.
     */
    public String relativePath(int index) {
        String path = path(index);
        String prefix = rootUri.endsWith("/") ? rootUri : rootUri + "/";
        return path.startsWith(prefix) ? path.substring(prefix.length()) : path;
    }

    /**
     * A SHA-256 hex digest of the root URI, the class names and every (label, path): equal listings have equal
     * fingerprints, and any added, removed, renamed or relabelled image changes it.
     */
    public String fingerprint() {
        return fingerprint;
    }

    /**
     * The fingerprint this listing would have under another root: the same classes, labels and relative paths
     * below {@code otherRoot} (a fully qualified URI). A run's recorded fingerprint equal to this means its dataset
     * was moved (or copied) there unchanged.
     */
    public String fingerprintAt(String otherRoot) {
        String prefix = otherRoot.endsWith("/") ? otherRoot : otherRoot + "/";
        List<ImageRef> moved = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            moved.add(new ImageRef(prefix + relativePath(i), images.get(i).label()));
        }
        return computeFingerprint(otherRoot, classes, moved);
    }

    private static String computeFingerprint(String rootUri, List<String> classes, List<ImageRef> images) {
        StringBuilder text = new StringBuilder(rootUri).append('\n');
        for (String c : classes) {
            text.append("class\t").append(c).append('\n');
        }
        for (ImageRef ref : images) {
            text.append(ref.label()).append('\t').append(ref.path()).append('\n');
        }
        return HexFormat.of().formatHex(Seeds.sha256(text.toString()));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DatasetListing other && ignoredFiles == other.ignoredFiles
                && fingerprint.equals(other.fingerprint) && rootUri.equals(other.rootUri)
                && classes.equals(other.classes) && images.equals(other.images);
    }

    @Override
    public int hashCode() {
        return fingerprint.hashCode();
    }

    /** A one-line summary (not every path). */
    @Override
    public String toString() {
        return "DatasetListing[" + rootUri + ": " + images.size() + " images in " + classes.size() + " classes, "
                + ignoredFiles + " ignored files, fingerprint " + fingerprint.substring(0, 12) + "]";
    }
}
