package org.kpff.job.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.job.plan.CellRole;

/**
 * The cells table's {@code outer_fold} and {@code role}: a row round-trips them, a row of a run written before them
 * reads as an ordinary cv cell, and a role that contradicts its outer fold is refused.
 */
class CellRoleColumnsTest {

    @Test
    void aNestedCellsRoleAndOuterFoldRoundTripAndAnOldRowReadsAsCv() {
        CellResult plain = ResultFixtures.ok("alexnet", FusionMethod.KPFF, 1, 0.8, 0.9);
        CellResult inner = withRole(plain, 2, CellRole.INNER);
        Row row = inner.toRow();
        assertEquals(2, row.getInt(row.size() - 2));
        assertEquals("inner", row.getString(row.size() - 1));
        CellResult back = CellResult.fromRow(new GenericRowWithSchema(rowValues(row), ResultSchemas.CELLS));
        assertEquals(inner, back);

        // A run written before the two columns: its rows lack them.
        Row full = plain.toRow();
        StructType old = new StructType(Arrays.copyOf(ResultSchemas.CELLS.fields(), ResultSchemas.CELLS.size() - 2));
        CellResult legacy = CellResult.fromRow(new GenericRowWithSchema(Arrays.copyOf(rowValues(full),
                full.size() - 2), old));
        assertEquals(CellRole.CV, legacy.role());
        assertNull(legacy.outerFold());
        assertEquals(plain, legacy);
    }

    @Test
    void aRoleThatContradictsItsOuterFoldIsRefusedNamingTheField() {
        CellResult plain = ResultFixtures.ok("alexnet", FusionMethod.NONE, 0, 0.8, 0.9);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> withRole(plain, null, CellRole.OUTER));
        assertTrue(e.getMessage().contains("outerFold = null (must be null exactly for a cv cell (role outer))"),
                e.getMessage());
    }

    private static Object[] rowValues(Row row) {
        Object[] v = new Object[row.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = row.get(i);
        }
        return v;
    }

    private static CellResult withRole(CellResult c, Integer outer, CellRole role) {
        return new CellResult(c.cell(), c.status(), c.reason(), c.finalAccuracy(), c.bestAccuracy(), c.bestEpoch(),
                c.epochs(), c.seconds(), c.trainSeconds(), c.host(), c.gpu(), c.attempts(), c.learnedW(),
                c.confusion(), c.fusionInit(), c.seed(), c.resumedFrom(), c.jvmDecodes(), c.nativeBytes(),
                c.rssBytes(), c.engine(), c.executorId(), c.startedAt(), c.finishedAt(), c.device(),
                c.imagesPerSecond(), outer, role);
    }
}
