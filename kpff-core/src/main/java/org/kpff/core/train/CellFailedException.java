package org.kpff.core.train;

/**
 * A deterministic failure of a cell (non-finite loss, a model that cannot be built for the input): retrying
 * gives the same result, so the cell is recorded as failed with {@link #getMessage()} as its reason.
 */
public class CellFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CellFailedException(String reason) {
        super(reason);
    }

    public CellFailedException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
