package org.kpff.job.exec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * Kryo registrations of the job's own classes for {@code spark.serializer = KryoSerializer} (listed after ND4J's
 * {@code org.nd4j.kryo.Nd4jRegistrator} in {@code spark.kryo.registrator}): Spark's Kryo 4 cannot build a field
 * serializer for Java records, so the records that travel as RDD elements and task results ({@link CellTask},
 * {@link CellRun} and everything they hold) go through Java serialization, which they implement.
 */
public final class KryoRegistration implements KryoRegistrator {

    /** The value of {@code spark.kryo.registrator} that the job's Spark configurations use. */
    public static final String REGISTRATORS = "org.nd4j.kryo.Nd4jRegistrator," + KryoRegistration.class.getName();

    @Override
    public void registerClasses(Kryo kryo) {
        kryo.register(CellTask.class, new JavaSerializer());
        kryo.register(CellRun.class, new JavaSerializer());
    }
}
