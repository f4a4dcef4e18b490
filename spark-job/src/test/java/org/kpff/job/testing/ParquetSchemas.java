package org.kpff.job.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Checks result files against {@code ResultSchemas} with DuckDB, a reader that is not Spark: names, order, types. */
public final class ParquetSchemas {

    private ParquetSchemas() {
    }

    /** The DuckDB type Spark's Parquet writer gives a Spark type. */
    public static String duckType(DataType t) {
        if (t instanceof ArrayType a) {
            return duckType(a.elementType()) + "[]";
        }
        if (t instanceof MapType m) {
            return "MAP(" + duckType(m.keyType()) + ", " + duckType(m.valueType()) + ")";
        }
        Map<DataType, String> simple = Map.of(DataTypes.StringType, "VARCHAR", DataTypes.IntegerType, "INTEGER",
                DataTypes.LongType, "BIGINT", DataTypes.DoubleType, "DOUBLE", DataTypes.FloatType, "FLOAT",
                DataTypes.TimestampType, "TIMESTAMP WITH TIME ZONE"); // TIMESTAMP_MICROS, UTC (schema version 3)
        String type = simple.get(t);
        if (type == null) {
            throw new IllegalArgumentException("No DuckDB type known for Spark type " + t);
        }
        return type;
    }

    /** Column name to DuckDB type of {@code SELECT * FROM <from>}, in column order. */
    public static Map<String, String> describe(Connection db, String from) throws SQLException {
        Map<String, String> columns = new LinkedHashMap<>();
        try (Statement st = db.createStatement();
                ResultSet rs = st.executeQuery("DESCRIBE SELECT * FROM " + from)) {
            while (rs.next()) {
                columns.put(rs.getString("column_name"), rs.getString("column_type"));
            }
        }
        return columns;
    }

    /** Asserts that {@code from} has exactly the schema's columns, in its order, with the DuckDB types they map to. */
    public static void assertSchema(Connection db, String from, StructType schema) throws SQLException {
        Map<String, String> expected = new LinkedHashMap<>();
        for (StructField f : schema.fields()) {
            expected.put(f.name(), duckType(f.dataType()));
        }
        assertEquals(expected, describe(db, from), from);
    }
}
