package org.kpff.core.data;

/** A dataset that cannot be used as given: its message names the path and says what was expected. */
public final class DatasetException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** A problem described by {@code message}. */
    public DatasetException(String message) {
        super(message);
    }

    /** A problem described by {@code message}, caused by {@code cause}. */
    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
