package org.kpff.job.driver;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.api.java.JavaSparkContext;
import org.kpff.core.data.DatasetException;
import org.kpff.core.data.DatasetListing;
import org.kpff.core.data.ImageProblem;
import org.kpff.job.exec.ImageCheck;
import org.kpff.job.exec.SerializableHadoopConf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pre-flight decode job: decodes every image of the dataset once, spread over the executors, before anything is
 * written, so that an undecodable image refuses a strict run (naming the files) or is skipped by every cell.
 */
final class PreflightCheck {

    private static final Logger LOG = LoggerFactory.getLogger(PreflightCheck.class);

    /** How many undecodable files a message names before it says "...". */
    private static final int NAMED = 10;

    private final JavaSparkContext jsc;

    PreflightCheck(JavaSparkContext jsc) {
        this.jsc = jsc;
    }

    /**
     * Decodes every image of {@code listing} in a short Spark job.
     *
     * @param strict refuse the run when any image cannot be decoded
     * @return the images that cannot be decoded, in listing order (empty when all decode)
     * @throws DatasetException in strict mode, when any image cannot be decoded
     */
    List<ImageProblem> check(DatasetListing listing, boolean strict) {
        int n = listing.size();
        int partitions = Math.max(1, Math.min(n, jsc.defaultParallelism() * 2));
        List<int[]> slices = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            slices.add(new int[] {(int) ((long) n * p / partitions), (int) ((long) n * (p + 1) / partitions)});
        }
        SerializableHadoopConf conf = new SerializableHadoopConf(jsc.hadoopConfiguration());
        jsc.setJobGroup("kpff-image-check", "Decode check of " + n + " images of " + listing.rootUri(), true);
        List<ImageProblem> problems;
        try {
            problems = new ArrayList<>(jsc.parallelize(slices, partitions)
                    .flatMap(s -> ImageCheck.check(listing, s[0], s[1], conf).iterator()).collect());
        } finally {
            jsc.clearJobGroup();
        }
        problems.sort(Comparator.comparingInt(ImageProblem::index));
        if (problems.isEmpty()) {
            return List.of();
        }
        String shown = problems.stream().limit(NAMED).map(ImageProblem::toString).collect(Collectors.joining("; "));
        String more = problems.size() > NAMED ? "; ..." : "";
        if (strict) {
            throw new DatasetException("data.strict = true and " + problems.size() + " of " + n + " images of "
                    + "dataset '" + listing.rootUri() + "' cannot be decoded: " + shown + more + ". Fix or remove "
                    + "those files, or set data.strict = false to skip them.");
        }
        LOG.warn("{} of {} images cannot be decoded and are skipped by every cell: {}{}", problems.size(), n, shown,
                more);
        return List.copyOf(problems);
    }
}
