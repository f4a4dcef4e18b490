package org.kpff.job.results;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * What a run trained on, as {@code summary.md} states it: the dataset root, its class count and its images (from
 * run.json's {@code dataset}), and whether it looks like UC Merced, the paper's dataset (21 classes).
 *
 * @param root      the dataset root URI the run was given
 * @param classes   number of classes (class folders)
 * @param images    number of images listed
 * @param synthetic whether the images were generated ({@code datagen}, submit/local.sh's default dataset)
 */
public record DatasetSummary(String root, int classes, int images, boolean synthetic) {

    /** A dataset of real images. */
    public DatasetSummary(String root, int classes, int images) {
        this(root, classes, images, false);
    }

    /** The accuracy of guessing, in %: 100 / classes. */
    public double chancePercent() {
        return 100.0 / classes;
    }

    /** UC Merced Land Use has 21 classes; a dataset with another count cannot be compared with the paper. */
    public static final int UC_MERCED_CLASSES = 21;

    /**
     * The dataset of a run.json body ({@code dataset.uri}, {@code dataset.classes}, {@code dataset.images}, {@code
     * dataset.synthetic}, false when absent).
     */
    public static Optional<DatasetSummary> fromRunJson(JsonNode runJson) {
        JsonNode d = runJson.path("dataset");
        if (!d.path("uri").isTextual() || !d.path("classes").isArray() || !d.path("images").canConvertToInt()) {
            return Optional.empty();
        }
        return Optional.of(new DatasetSummary(d.path("uri").asText(), d.path("classes").size(),
                d.path("images").asInt(), d.path("synthetic").asBoolean(false)));
    }

    /** True when the class count is UC Merced's (21): only then does the paper's Table 1 stand beside the run. */
    public boolean looksLikeUcMerced() {
        return classes == UC_MERCED_CLASSES;
    }
}
