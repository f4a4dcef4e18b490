package org.kpff.core;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The one way the project's enums turn into the ids used in configs and result tables ({@code TRAIN_FOLD} ↔
 * {@code train-fold}) and back, with an error naming the value and the allowed ids.
 */
public final class EnumIds {

    private EnumIds() {
    }

    /** The lower-case, hyphenated id of a constant: {@code DATA_PARALLEL} → {@code data-parallel}. */
    public static String id(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The constant of {@code type} whose id equals {@code value}, ignoring case and surrounding blanks.
     *
     * @param what how messages name the value, e.g. {@code fusion method}
     * @throws IllegalArgumentException naming {@code what}, the value and the allowed ids
     */
    public static <E extends Enum<E>> E parse(Class<E> type, String value, String what) {
        String wanted = value == null ? "" : value.trim();
        for (E e : type.getEnumConstants()) {
            if (id(e).equalsIgnoreCase(wanted)) {
                return e;
            }
        }
        throw new IllegalArgumentException("Unknown " + what + " '" + value + "'; allowed: "
                + Arrays.stream(type.getEnumConstants()).map(EnumIds::id).collect(Collectors.joining(", ")) + ".");
    }
}
