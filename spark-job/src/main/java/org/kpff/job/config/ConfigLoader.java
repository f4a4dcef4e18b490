package org.kpff.job.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Layers built-in defaults, a config source and {@code key=value} overrides, then checks every key and value,
 * collecting all errors before it gives up.
 */
final class ConfigLoader {

    static final String DEFAULT_ORIGIN = "built-in default";

    /** One override: a declared or undeclared key, its raw text and where it came from (e.g. "--set"). */
    record Override(String key, String value, String origin) {
    }

    private ConfigLoader() {
    }

    /** The built-in defaults of every declared key as a HOCON tree. */
    static Config defaults() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (ConfigKey<?> k : ConfigKeys.ALL) {
            m.put(k.name(), plainDefault(k));
        }
        return ConfigFactory.parseMap(m, DEFAULT_ORIGIN);
    }

    private static <T> Object plainDefault(ConfigKey<T> k) {
        return k.plain(k.defaultValue());
    }

    /**
     * Parses {@code key=value} strings (as given to {@code --set}); malformed ones become errors.
     */
    static List<Override> parseOverrides(List<String> overrides, String origin, List<String> errors) {
        List<Override> out = new ArrayList<>();
        for (String s : overrides) {
            int eq = s == null ? -1 : s.indexOf('=');
            if (eq <= 0) {
                errors.add(origin + " '" + s + "': must be key=value, e.g. train.epochs=10");
                continue;
            }
            out.add(new Override(s.substring(0, eq).trim(), s.substring(eq + 1), origin));
        }
        return out;
    }

    /**
     * Loads a config: defaults, then {@code source}, then the overrides in order (a later one wins).
     *
     * @param source the parsed config file or text; empty for none
     * @param errors errors already found (e.g. a file that could not be parsed); more are added
     * @throws ConfigValidationException with every error if any
     */
    static JobConfig load(Config source, List<Override> overrides, List<String> errors) {
        Config layer = ConfigFactory.empty();
        Config base = source;
        for (Override o : overrides) {
            Optional<ConfigKey<?>> key = ConfigKeys.byName(o.key());
            if (key.isEmpty()) {
                errors.add(unknownKeyMessage(o.key(), o.origin()));
                continue;
            }
            layer = layer.withValue(key.get().name(), overrideValue(key.get(), o.value(), o.origin() + " " + o.key()));
            if ("object".equals(key.get().type())) {
                // An object key given on the command line replaces the file's object instead of merging into it.
                base = base.withoutPath(key.get().name());
            }
        }
        Config merged;
        try {
            merged = layer.withFallback(base).withFallback(defaults()).resolve();
        } catch (ConfigException e) {
            errors.add("the config cannot be resolved: " + e.getMessage());
            throw new ConfigValidationException(errors);
        }
        findUnknownKeys(merged.root(), new ArrayList<>(), errors);
        Map<String, Object> values = new LinkedHashMap<>();
        for (ConfigKey<?> k : ConfigKeys.ALL) {
            read(k, merged, errors).ifPresent(v -> values.put(k.name(), v));
        }
        checkCombinations(values, errors);
        SearchChecks.check(values, errors);
        if (!errors.isEmpty()) {
            throw new ConfigValidationException(errors);
        }
        return new JobConfig(values);
    }

    /** Checks values that are allowed alone but not together (only where both were read). */
    private static void checkCombinations(Map<String, Object> values, List<String> errors) {
        Object mode = values.get(ConfigKeys.RUN_MODE.name());
        Object concurrent = values.get(ConfigKeys.RUN_MAX_CONCURRENT_CELLS.name());
        if (mode == RunMode.DATA_PARALLEL && concurrent instanceof Integer n && n > 1) {
            errors.add(ConfigKeys.RUN_MAX_CONCURRENT_CELLS.name() + " = " + n + ": must be 0 or 1 with "
                    + ConfigKeys.RUN_MODE.name() + " = " + RunMode.DATA_PARALLEL.id() + " (each cell is trained over "
                    + "all executors, so cells run one after another)");
        }
        Object strategy = values.get(ConfigKeys.SEARCH_STRATEGY.name());
        if (mode == RunMode.DATA_PARALLEL && strategy instanceof SearchStrategy st && st != SearchStrategy.NONE) {
            errors.add(ConfigKeys.SEARCH_STRATEGY.name() + " = " + st.id() + ": a search runs its trials' cells side by "
                    + "side, one task each; it needs " + ConfigKeys.RUN_MODE.name() + " = " + RunMode.LOCAL.id()
                    + " (not " + RunMode.DATA_PARALLEL.id() + ")");
        }
    }

    private static <T> Optional<T> read(ConfigKey<T> key, Config merged, List<String> errors) {
        ConfigValue value;
        try {
            value = merged.getValue(key.name());
        } catch (ConfigException.Null e) {
            errors.add(key.name() + " = null: must be " + key.allowed() + where(e.origin() == null ? null
                    : e.origin().description()));
            return Optional.empty();
        } catch (ConfigException e) {
            errors.add(key.name() + ": must be " + key.allowed() + " (" + e.getMessage() + ")");
            return Optional.empty();
        }
        if (key == ConfigKeys.SEARCH_SPACE) {
            // One sentence per problem of the space, not one for the whole object.
            List<String> spaceErrors = new ArrayList<>();
            Optional<SearchSpace> space = SearchSpace.read(value.unwrapped(), spaceErrors);
            String at = where(value.origin().description());
            spaceErrors.forEach(e -> errors.add(e + at));
            @SuppressWarnings("unchecked")
            Optional<T> typed = (Optional<T>) space;
            return typed;
        }
        try {
            return Optional.of(key.read(value.unwrapped()));
        } catch (ConfigKey.BadValue e) {
            errors.add(badValueMessage(key, value, e.getMessage(), value.origin().description()));
            return Optional.empty();
        }
    }

    private static void findUnknownKeys(ConfigObject object, List<String> path, List<String> errors) {
        for (Map.Entry<String, ConfigValue> e : object.entrySet()) {
            List<String> p = new ArrayList<>(path);
            p.add(e.getKey());
            String name = ConfigUtil.joinPath(p);
            if (ConfigKeys.byName(name).isPresent()) {
                continue;
            }
            if (e.getValue().valueType() == ConfigValueType.OBJECT) {
                findUnknownKeys((ConfigObject) e.getValue(), p, errors);
            } else {
                errors.add(unknownKeyMessage(name, e.getValue().origin().description()));
            }
        }
    }

    /** The sentence for an undeclared key, with a "did you mean" suggestion when one is near. */
    static String unknownKeyMessage(String key, String origin) {
        StringBuilder sb = new StringBuilder("unknown key '").append(key).append("'").append(where(origin));
        Section section = Section.ofKey(key);
        Optional<String> near = Suggestions.closest(key, ConfigKeys.names());
        if (near.isPresent()) {
            sb.append("; did you mean '").append(near.get()).append("'?");
        } else if (section != null) {
            sb.append("; the keys of section ").append(section.id()).append(" are ")
                    .append(String.join(", ", ConfigKeys.of(section).stream().map(ConfigKey::name).toList()));
        } else {
            sb.append("; the sections are ")
                    .append(String.join(", ", Arrays.stream(Section.values()).map(Section::id).toList()));
        }
        return sb.toString();
    }

    /** The sentence for a bad value: key, value as written, what is allowed, a detail and where it came from. */
    static String badValueMessage(ConfigKey<?> key, ConfigValue value, String detail, String origin) {
        String rendered = value.render(ConfigRenderOptions.concise());
        return key.name() + " = " + rendered + ": must be " + key.allowed()
                + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")") + where(origin);
    }

    private static String where(String origin) {
        return origin == null || origin.isEmpty() || origin.startsWith(DEFAULT_ORIGIN) ? "" : " [" + origin + "]";
    }

    /**
     * A raw override text as a HOCON value for the key: string keys take the text literally (a double-quoted text
     * is unquoted); other keys parse it as a HOCON value ({@code 1e-4}, {@code [a, b]}, {@code true}) and fall back
     * to the literal text (so {@code alexnet,vgg16} is a comma-separated list).
     */
    static ConfigValue overrideValue(ConfigKey<?> key, String raw) {
        return overrideValue(key, raw, "override " + key.name());
    }

    static ConfigValue overrideValue(ConfigKey<?> key, String raw, String origin) {
        String t = raw.trim();
        if (!"string".equals(key.type()) || (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\""))) {
            try {
                ConfigValue v = ConfigFactory.parseString("v = " + t).getValue("v");
                return ConfigValueFactory.fromAnyRef(v.unwrapped(), origin);
            } catch (ConfigException e) {
                // not a HOCON value: take the literal text
            }
        }
        return ConfigValueFactory.fromAnyRef("string".equals(key.type()) ? raw : t, origin);
    }
}
