package org.kpff.core.data;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists a scene-classification dataset in the UC Merced layout {@code <root>/<class>/<image>} on any Hadoop
 * FileSystem (file://, hdfs://, s3a:// with hadoop-aws on the classpath, ...), without decoding any pixel.
 *
 * <p>Rules: every non-hidden sub-folder of the root is a class; classes are sorted by name ({@link String} order,
 * locale independent) and label {@code i} is the {@code i}-th name. Images are the files directly inside a class
 * folder whose extension is one of {@link #IMAGE_EXTENSIONS} (case-insensitive), sorted by class and then by file
 * name. Other files, files directly in the root and sub-folders of class folders are ignored and counted. Hidden
 * entries (names starting with {@code .} or {@code _}, e.g. {@code .DS_Store}, {@code _SUCCESS}, Hadoop's
 * {@code .crc} files) are skipped and not counted.
 */
public final class SceneDataset {

    /** File extensions taken as images, lower case: TIFF, PNG and JPEG, all read by the JDK's ImageIO. */
    public static final Set<String> IMAGE_EXTENSIONS = Set.of("tif", "tiff", "png", "jpg", "jpeg");

    private static final Logger LOG = LoggerFactory.getLogger(SceneDataset.class);
    private static final String EXPECTED_LAYOUT = "expected a folder with one sub-folder per class, each holding "
            + "the class's images (<root>/<class>/<image>.tif|.tiff|.png|.jpg|.jpeg)";

    private SceneDataset() {
    }

    /**
     * Lists the dataset at {@code uri}; cheap (two levels of directory listing).
     *
     * @param uri  the dataset root, any Hadoop URI; a path without scheme is resolved on the default FileSystem
     * @param conf Hadoop configuration (FileSystem implementations, credentials, the default FileSystem)
     * @return the listing, with at least 2 classes and at least one image in every class
     * @throws DatasetException naming the path and what was expected, when the root is missing, unreadable, of an
     *                          unknown scheme or not a folder, when a class folder has no images, or when there are
     *                          fewer than 2 classes
     */
    public static DatasetListing list(String uri, Configuration conf) {
        Scan scan = scan(uri, conf);
        if (!scan.problems().isEmpty()) {
            throw new DatasetException(String.join(" ", scan.problems()));
        }
        List<ImageRef> images = new ArrayList<>();
        for (int c = 0; c < scan.classes().size(); c++) {
            for (String path : scan.images().get(c)) {
                images.add(new ImageRef(path, c));
            }
        }
        DatasetListing listing = DatasetListing.of(scan.rootUri(), scan.classes(), images, scan.ignored().size());
        LOG.info("Listed {} images in {} classes under {} ({} non-image entries ignored)", listing.size(),
                listing.classCount(), listing.rootUri(), listing.ignoredFiles());
        return listing;
    }

    /** Whether {@code fileName} has one of the {@link #IMAGE_EXTENSIONS} (case-insensitive). */
    public static boolean isImageFile(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 && IMAGE_EXTENSIONS.contains(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** Hadoop's convention for hidden entries: names starting with '.' or '_'. */
    static boolean isHidden(String name) {
        return name.startsWith(".") || name.startsWith("_");
    }

    /**
     * The FileSystem of {@code path}, with Hadoop's "No FileSystem for scheme" turned into a message that names the
     * URI and what is allowed.
     */
    static FileSystem fileSystem(String uri, Path path, Configuration conf) {
        try {
            return path.getFileSystem(conf);
        } catch (UnsupportedFileSystemException e) {
            throw new DatasetException("Dataset URI '" + uri + "' has scheme '" + path.toUri().getScheme()
                    + "', for which no Hadoop FileSystem is available; use file://, hdfs:// or a scheme whose "
                    + "FileSystem is on the classpath and configured (e.g. s3a:// needs hadoop-aws)", e);
        } catch (IOException e) {
            throw new DatasetException("Cannot open the FileSystem of dataset URI '" + uri + "': " + e.getMessage(), e);
        }
    }

    /** Parses {@code uri} into a Hadoop path with a clear message for blank or malformed input. */
    static Path toPath(String uri) {
        if (uri == null || uri.isBlank()) {
            throw new DatasetException("Dataset URI is empty; " + EXPECTED_LAYOUT);
        }
        try {
            return new Path(uri.trim());
        } catch (IllegalArgumentException e) {
            throw new DatasetException("Dataset URI '" + uri + "' is not a valid URI or path: " + e.getMessage(), e);
        }
    }

    /**
     * Scans the two levels of the dataset without judging them: root problems (missing, unreadable, unknown scheme,
     * not a folder) throw; structural problems (no classes, an empty class, a single class) are collected in
     * {@link Scan#problems()}.
     */
    static Scan scan(String uri, Configuration conf) {
        Path given = toPath(uri);
        FileSystem fs = fileSystem(uri, given, conf);
        Path root = fs.makeQualified(given);
        FileStatus rootStatus;
        try {
            rootStatus = fs.getFileStatus(root);
        } catch (FileNotFoundException e) {
            throw new DatasetException("Dataset root '" + root + "' does not exist; " + EXPECTED_LAYOUT, e);
        } catch (IOException e) {
            throw new DatasetException("Cannot read dataset root '" + root + "': " + e.getMessage() + "; "
                    + EXPECTED_LAYOUT, e);
        }
        if (!rootStatus.isDirectory()) {
            throw new DatasetException("Dataset root '" + root + "' is a file, not a folder; " + EXPECTED_LAYOUT);
        }
        FileStatus[] top = listSorted(fs, root, "dataset root");

        List<String> classes = new ArrayList<>();
        List<List<String>> images = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        int imagesInRoot = 0;
        for (FileStatus entry : top) {
            String name = entry.getPath().getName();
            if (isHidden(name)) {
                continue;
            }
            if (!entry.isDirectory()) {
                ignored.add(entry.getPath().toString());
                imagesInRoot += isImageFile(name) ? 1 : 0;
                continue;
            }
            List<String> classImages = new ArrayList<>();
            int subFolders = 0;
            for (FileStatus f : listSorted(fs, entry.getPath(), "class folder")) {
                String fileName = f.getPath().getName();
                if (isHidden(fileName)) {
                    continue;
                }
                if (f.isDirectory()) {
                    subFolders++;
                    ignored.add(f.getPath().toString());
                } else if (isImageFile(fileName)) {
                    classImages.add(f.getPath().toString());
                } else {
                    ignored.add(f.getPath().toString());
                }
            }
            if (classImages.isEmpty()) {
                String hint = subFolders == 0 ? "" : "; it has " + subFolders + " sub-folder(s): if those are the "
                        + "classes (as in the Images/ folder of the official UCMerced_LandUse.zip), use '"
                        + entry.getPath() + "' as the dataset root";
                problems.add("Class folder '" + entry.getPath() + "' has no images (expected files ending in .tif, "
                        + ".tiff, .png, .jpg or .jpeg directly inside it)" + hint + ".");
            }
            classes.add(name);
            images.add(List.copyOf(classImages));
        }
        if (imagesInRoot > 0) {
            warnings.add(imagesInRoot + " image file(s) lie directly in the root '" + root
                    + "' and are ignored: images must be inside a class folder.");
        }
        if (classes.isEmpty()) {
            problems.add("Dataset root '" + root + "' has no class folders; " + EXPECTED_LAYOUT + ".");
        } else if (classes.size() == 1) {
            problems.add("Dataset root '" + root + "' has a single class folder ('" + classes.get(0)
                    + "'); classification needs at least 2 classes, one folder each.");
        }
        return new Scan(root.toString(), List.copyOf(classes), List.copyOf(images), List.copyOf(ignored),
                List.copyOf(problems), List.copyOf(warnings));
    }

    private static FileStatus[] listSorted(FileSystem fs, Path dir, String what) {
        FileStatus[] entries;
        try {
            entries = fs.listStatus(dir);
        } catch (IOException e) {
            throw new DatasetException("Cannot list " + what + " '" + dir + "': " + e.getMessage(), e);
        }
        Arrays.sort(entries, Comparator.comparing((FileStatus s) -> s.getPath().getName()));
        return entries;
    }

    /**
     * What a scan found.
     *
     * @param rootUri  qualified root
     * @param classes  class folder names, sorted (empty class folders included)
     * @param images   per class, the image paths sorted by file name
     * @param ignored  paths of ignored non-image files and sub-folders
     * @param problems messages of structural problems that make the dataset unusable
     * @param warnings messages of oddities that do not
     */
    record Scan(String rootUri, List<String> classes, List<List<String>> images, List<String> ignored,
            List<String> problems, List<String> warnings) {
    }
}
