package org.kpff.core.backbone;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The registry of backbones by name: {@code alexnet}, {@code vgg16}, {@code inception}. */
public final class Backbones {

    private static final Map<String, Backbone> REGISTRY;

    static {
        Map<String, Backbone> m = new LinkedHashMap<>();
        for (Backbone b : List.of(new AlexNet(), new Vgg16(), new Inception())) {
            m.put(b.name(), b);
        }
        REGISTRY = Collections.unmodifiableMap(m);
    }

    private Backbones() {
    }

    /** The registered names, in registry order. */
    public static List<String> names() {
        return List.copyOf(REGISTRY.keySet());
    }

    /**
     * Looks a backbone up by name (case-insensitive).
     *
     * @throws IllegalArgumentException naming the value and the registered names
     */
    public static Backbone get(String name) {
        Backbone b = name == null ? null : REGISTRY.get(name.trim().toLowerCase(Locale.ROOT));
        if (b == null) {
            throw new IllegalArgumentException("Unknown backbone '" + name + "'; allowed: "
                    + String.join(", ", REGISTRY.keySet()) + ".");
        }
        return b;
    }
}
