package org.kpff.job.config;

import java.util.List;

/** The job config is invalid; carries every error found, each naming the key, the bad value and what is allowed. */
public final class ConfigValidationException extends IllegalArgumentException {

    private final List<String> errors;

    /** An exception reporting all the given errors together. */
    public ConfigValidationException(List<String> errors) {
        super(message(errors));
        this.errors = List.copyOf(errors);
    }

    /** Each error as one sentence, in the order found. */
    public List<String> errors() {
        return errors;
    }

    private static String message(List<String> errors) {
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("A ConfigValidationException needs at least one error");
        }
        StringBuilder sb = new StringBuilder("Invalid job config (").append(errors.size())
                .append(errors.size() == 1 ? " error):" : " errors):");
        for (String e : errors) {
            sb.append(System.lineSeparator()).append("  - ").append(e);
        }
        return sb.toString();
    }
}
