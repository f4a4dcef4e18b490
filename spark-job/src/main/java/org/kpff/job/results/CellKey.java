package org.kpff.job.results;

import java.io.Serializable;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.job.plan.GridCell;

/**
 * The identity columns every per-cell table starts with: {@code cell_id, backbone, fusion, fold, hp}.
 *
 * @param cellId  the cell id (see {@link GridCell#id()})
 * @param backbone backbone name
 * @param method  fusion method, stored as its id in the {@code fusion} column
 * @param fold    held-out fold, 0-based
 * @param hp      hyperparameter point (canonical values), empty for a plain run
 */
public record CellKey(String cellId, String backbone, FusionMethod method, int fold, SortedMap<String, String> hp)
        implements Serializable {

    /** Validates and copies the point. */
    public CellKey {
        Objects.requireNonNull(cellId, "cellId");
        Objects.requireNonNull(backbone, "backbone");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(hp, "hp");
        if (fold < 0) {
            throw new IllegalArgumentException("CellKey fold = " + fold + " must be >= 0");
        }
        hp = Collections.unmodifiableSortedMap(new TreeMap<>(hp));
    }

    /** The key of a planned cell. */
    public static CellKey of(GridCell cell) {
        return new CellKey(cell.id(), cell.backbone(), cell.method(), cell.fold(), cell.hp());
    }

    /** The five identity values in column order, for building a row. */
    Object[] values() {
        return new Object[] {cellId, backbone, method.id(), fold, new TreeMap<>(hp)};
    }

    /** Reads the identity columns of a row. */
    static CellKey fromRow(Row row, StructType schema) {
        return new CellKey(Rows.string(row, schema, "cell_id"), Rows.string(row, schema, "backbone"),
                FusionMethod.parse(Rows.string(row, schema, "fusion")), Rows.integer(row, schema, "fold"),
                Rows.stringMap(row, schema, "hp"));
    }
}
