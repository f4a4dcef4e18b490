package org.kpff.core.data;

import java.io.Serializable;
import java.util.Objects;

/**
 * An image that could not be decoded: its index in the listing, its path and why.
 *
 * @param index  index in the listing (and in the decoded images and folds)
 * @param path   fully qualified path of the file
 * @param reason what went wrong, e.g. {@code "truncated or corrupt PNG data: Error reading PNG image data"}
 */
public record ImageProblem(int index, String path, String reason) implements Serializable {

    public ImageProblem {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(reason, "reason");
    }

    /** {@code path (reason)}, for messages. */
    @Override
    public String toString() {
        return path + " (" + reason + ")";
    }
}
