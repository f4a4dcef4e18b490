package org.kpff.job.results;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/** Typed, null-aware reads from Spark rows by column name, for rows with or without their own schema. */
final class Rows {

    private Rows() {
    }

    static int index(Row row, StructType schema, String column) {
        return row.schema() != null ? row.fieldIndex(column) : schema.fieldIndex(column);
    }

    static String string(Row row, StructType schema, String column) {
        int i = index(row, schema, column);
        return row.isNullAt(i) ? null : row.getString(i);
    }

    /** A string column that older rows may lack: null when the row's schema has no such column. */
    static String optionalString(Row row, StructType schema, String column) {
        return has(row, schema, column) ? string(row, schema, column) : null;
    }

    static java.time.Instant optionalInstant(Row row, StructType schema, String column) {
        return has(row, schema, column) ? instant(row, schema, column) : null;
    }

    /** A double column that older rows may lack: null when the row's schema has no such column. */
    static Double optionalDouble(Row row, StructType schema, String column) {
        return has(row, schema, column) ? doubleValue(row, schema, column) : null;
    }

    /** An int column that older rows may lack: null when the row's schema has no such column. */
    static Integer optionalInteger(Row row, StructType schema, String column) {
        return has(row, schema, column) ? integer(row, schema, column) : null;
    }

    private static boolean has(Row row, StructType schema, String column) {
        StructType own = row.schema() != null ? row.schema() : schema;
        return java.util.Arrays.asList(own.fieldNames()).contains(column);
    }

    static Integer integer(Row row, StructType schema, String column) {
        int i = index(row, schema, column);
        return row.isNullAt(i) ? null : row.getInt(i);
    }

    static Long longValue(Row row, StructType schema, String column) {
        int i = index(row, schema, column);
        return row.isNullAt(i) ? null : row.getLong(i);
    }

    static Double doubleValue(Row row, StructType schema, String column) {
        int i = index(row, schema, column);
        return row.isNullAt(i) ? null : row.getDouble(i);
    }

    static java.time.Instant instant(Row row, StructType schema, String column) {
        int i = index(row, schema, column);
        if (row.isNullAt(i)) {
            return null;
        }
        Object o = row.get(i);
        return o instanceof java.time.Instant t ? t : ((java.sql.Timestamp) o).toInstant();
    }

    static SortedMap<String, String> stringMap(Row row, StructType schema, String column) {
        int i = index(row, schema, column);
        if (row.isNullAt(i)) {
            return null;
        }
        Object o = row.get(i);
        Map<?, ?> m = o instanceof Map<?, ?> javaMap ? javaMap : row.getJavaMap(i);
        SortedMap<String, String> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
        return Collections.unmodifiableSortedMap(out);
    }

    static <T> List<T> list(Row row, StructType schema, String column, Class<T> element) {
        int i = index(row, schema, column);
        if (row.isNullAt(i)) {
            return null;
        }
        Object o = row.get(i);
        List<?> l = o instanceof List<?> javaList ? javaList : row.getList(i);
        List<T> out = new ArrayList<>(l.size());
        for (Object x : l) {
            out.add(element.cast(x));
        }
        return List.copyOf(out);
    }
}
