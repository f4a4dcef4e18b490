package org.kpff.job.driver;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import scala.collection.JavaConverters;

/**
 * A Spark listener that records every finished task attempt of the job's cell jobs (job group {@code cell-<id>}):
 * the attempt number, the executor it ran on, and how it ended. Tests read it to count retries exactly.
 */
final class TaskLog extends SparkListener {

    /** One finished task attempt of a cell. */
    record Attempt(String cellId, int attempt, String executorId, boolean successful, String reason) {
    }

    private final Map<Integer, String> cellOfStage = new ConcurrentHashMap<>();
    private final List<Attempt> attempts = new CopyOnWriteArrayList<>();

    /** A log listening on {@code spark} from now on. */
    static TaskLog attach(SparkSession spark) {
        TaskLog log = new TaskLog();
        spark.sparkContext().addSparkListener(log);
        return log;
    }

    /** Stops listening. */
    void detach(SparkSession spark) {
        spark.sparkContext().removeSparkListener(this);
    }

    @Override
    public void onJobStart(SparkListenerJobStart start) {
        String group = start.properties() == null ? null : start.properties().getProperty("spark.jobGroup.id");
        if (group != null && group.startsWith("cell-")) {
            for (Object stage : JavaConverters.seqAsJavaList(start.stageIds())) {
                cellOfStage.put((Integer) stage, group.substring("cell-".length()));
            }
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        String cell = cellOfStage.get(end.stageId());
        if (cell != null) {
            attempts.add(new Attempt(cell, end.taskInfo().attemptNumber(), end.taskInfo().executorId(),
                    end.taskInfo().successful(), String.valueOf(end.reason())));
        }
    }

    /** The finished attempts of one cell, in the order they ended, after the listener bus has drained. */
    List<Attempt> of(SparkSession spark, String cellId) throws TimeoutException {
        spark.sparkContext().listenerBus().waitUntilEmpty(60_000);
        return attempts.stream().filter(a -> a.cellId().equals(cellId)).toList();
    }

    /** Every finished attempt of every cell, after the listener bus has drained. */
    List<Attempt> all(SparkSession spark) throws TimeoutException {
        spark.sparkContext().listenerBus().waitUntilEmpty(60_000);
        return List.copyOf(attempts);
    }
}
