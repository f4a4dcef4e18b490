package org.kpff.job.exec;

import java.util.List;
import org.kpff.core.data.DatasetListing;
import org.kpff.core.data.DecodedImages;
import org.kpff.core.data.ImageProblem;

/**
 * The executor side of the driver's pre-flight image check: fully decodes a slice of the listing with the cells' own
 * decoder ({@link DecodedImages#check}) and returns the images that cannot be decoded (corrupt or truncated data,
 * not an image, gone since listing), with the reasons a cell would skip them for. Any other I/O error is thrown, so
 * that Spark retries the task instead of calling a readable image bad.
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
     * @throws java.io.UncheckedIOException on an I/O error other than a missing file
     */
    public static List<ImageProblem> check(DatasetListing listing, int from, int to, SerializableHadoopConf conf) {
        return DecodedImages.check(listing, from, to, CHECK_SIZE, conf.get());
    }
}
