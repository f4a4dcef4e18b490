package org.kpff.job.search;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import org.kpff.job.config.JobConfig;
import org.kpff.job.config.SearchConfig;
import org.kpff.job.config.SearchStrategy;
import org.kpff.job.results.CellResult;

/**
 * How a resumed search takes back what an earlier attempt did: the committed cells replayed into each study (never
 * trained again), a budgeted search's recorded admissions, and the scheduler a study's journal is checked against.
 */
final class SearchReplay {

    private final JobConfig cellConfig;
    private final SearchConfig search;
    private final Map<String, CellResult> committed;
    private final Objective objective;
    private final int classCount;

    SearchReplay(JobConfig cellConfig, SearchConfig search, Map<String, CellResult> committed, Objective objective,
            int classCount) {
        this.cellConfig = cellConfig;
        this.search = search;
        this.committed = committed;
        this.objective = objective;
        this.classCount = classCount;
    }

    /**
     * Replays the committed cells into a study (never trained again); tpe proposes a trial once the results it
     * learns from are replayed: replay, propose, repeat.
     *
     * @return how many cells were replayed
     */
    int cells(SearchStudy st) {
        Set<String> replayed = new HashSet<>();
        int n = replayCommitted(st, replayed);
        if (!st.scheduler().endReplay().isEmpty()) {
            n += replayCommitted(st, replayed);
        }
        return n;
    }

    private int replayCommitted(SearchStudy st, Set<String> replayed) {
        int n = 0;
        do {
            for (Map.Entry<String, CellResult> e : committed.entrySet()) {
                Optional<Segment> seg = st.segment(e.getKey());
                if (seg.isPresent() && replayed.add(e.getKey())) {
                    st.scheduler().restore(seg.get(), objective.of(e.getValue()));
                    n++;
                }
            }
        } while (st.advance() > 0);
        return n;
    }

    /**
     * A budgeted search takes its recorded admissions and budget decisions as made (SearchScheduler#replay), its
     * admission closed if it was, unless the search was extended since: a larger budget, or more trials than the
     * journal's search could start, reopens it so that the trials after the recorded ones start where the budget
     * allows.
     */
    void budget(SearchStudy st, DecisionJournal rec, SearchConfig search) {
        DecisionJournal.Budget b = rec.budget();
        if (b == null) {
            return;
        }
        boolean extended = b.epochCells() != search.budget()
                || b.capacity() > 0 && b.capacity() < st.scheduler().capacity();
        st.scheduler().replay(rec.decisions(), b.started(), b.closed() && !extended);
    }

    /**
     * The scheduler whose decisions a study's journal must agree with: the study's own, or, when the journal lists
     * fewer trials than the study has (an extended search, or tpe's trials not proposed yet), a replay of the same
     * committed cells by the search of the journal's trials alone. An extended search reaches the end of its first
     * trials later than the smaller search did: a rung closes (stops its other entrants, or promotes its best when
     * it promoted nobody) only once it can receive no more entrants, so the smaller search's closing decisions are
     * not the larger's. Every other decision at a rung depends only on its first entrants, which are the same.
     */
    SearchScheduler recordedBy(SearchStudy st, DecisionJournal rec) {
        int p = rec.trials().size();
        int own = search.strategy() == SearchStrategy.TPE ? search.trials() : st.points().size();
        if (p == 0 || p >= own) {
            return st.scheduler();
        }
        List<SortedMap<String, String>> points = search.strategy() == SearchStrategy.TPE ? List.of()
                : st.points().subList(0, p);
        SearchConfig smaller = search.withTrials(p);
        if (rec.budget() != null) {
            smaller = smaller.withBudget((int) rec.budget().epochCells());
        }
        SearchStudy earlier = new SearchStudy(cellConfig, smaller, points, st.outer(), classCount);
        budget(earlier, rec, smaller);
        cells(earlier);
        return earlier.scheduler();
    }

}
