package org.kpff.core.data;

import java.io.Serializable;
import java.util.Objects;

/**
 * One image of a listing: its fully qualified Hadoop path and the index of its class.
 *
 * @param path  fully qualified path, e.g. {@code hdfs://nn:8020/data/ucm/beach/beach00.tif}
 * @param label index into {@link DatasetListing#classes()} (≥ 0)
 */
public record ImageRef(String path, int label) implements Serializable {

    public ImageRef {
        Objects.requireNonNull(path, "path");
        if (label < 0) {
            throw new IllegalArgumentException("label = " + label + " for image '" + path + "' (must be >= 0)");
        }
    }

    /** The last path component, e.g. {@code beach00.tif}. */
    public String fileName() {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
