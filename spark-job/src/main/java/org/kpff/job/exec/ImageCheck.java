package org.kpff.job.exec;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.kpff.core.data.DatasetException;
import org.kpff.core.data.DatasetListing;
import org.kpff.core.data.ImageDecoder;
import org.kpff.core.data.ImageProblem;

/**
 * The executor side of the driver's pre-flight image check: fully decodes a slice of the listing and returns the
 * images that cannot be decoded (corrupt or truncated data, not an image, gone since listing). Any other I/O error
 * is thrown, so that Spark retries the task instead of calling a readable image bad.
 */
public final class ImageCheck {

    /** Side the decoded images are resized to; the decode itself is what is checked, so the smallest will do. */
    static final int CHECK_SIZE = 16;

    private ImageCheck() {
    }

    /**
     * Decodes images {@code from} (inclusive) to {@code to} (exclusive) of {@code listing}.
     *
     * @return the problems, in index order; empty when every image decodes
     * @throws UncheckedIOException on an I/O error other than a missing file
     */
    public static List<ImageProblem> check(DatasetListing listing, int from, int to, SerializableHadoopConf conf) {
        List<ImageProblem> problems = new ArrayList<>();
        if (from >= to) {
            return problems;
        }
        try {
            FileSystem fs = new Path(listing.rootUri()).getFileSystem(conf.get());
            for (int i = from; i < to; i++) {
                String path = listing.path(i);
                byte[] bytes;
                try (InputStream in = fs.open(new Path(path))) {
                    bytes = in.readAllBytes();
                } catch (FileNotFoundException e) {
                    problems.add(new ImageProblem(i, path, "file not found: it was listed but is gone"));
                    continue;
                }
                try {
                    ImageDecoder.decode(bytes, path, CHECK_SIZE);
                } catch (DatasetException e) {
                    Throwable cause = e.getCause() == null ? e : e.getCause();
                    problems.add(new ImageProblem(i, path, cause.getMessage()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the images of " + listing.rootUri() + ": " + e.getMessage(), e);
        }
        return problems;
    }
}
