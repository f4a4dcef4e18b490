package org.kpff.job.config;

import java.util.List;
import java.util.Map;

/** The checks of the {@code search.*} section that involve more than one key, run after every key was read. */
final class SearchChecks {

    private SearchChecks() {
    }

    /** Adds one sentence per inconsistency; keys that failed to read are skipped (their error is already there). */
    static void check(Map<String, Object> values, List<String> errors) {
        SearchStrategy strategy = (SearchStrategy) values.get(ConfigKeys.SEARCH_STRATEGY.name());
        SearchSpace space = (SearchSpace) values.get(ConfigKeys.SEARCH_SPACE.name());
        Integer trials = (Integer) values.get(ConfigKeys.SEARCH_TRIALS.name());
        if (strategy == null || space == null || trials == null) {
            return;
        }
        if (strategy == SearchStrategy.NONE) {
            if (!space.isEmpty()) {
                errors.add("search.space names " + String.join(", ", space.dimensions().keySet())
                        + " but search.strategy = none: set search.strategy to grid, random, asha or tpe");
            }
            if (Boolean.TRUE.equals(values.get(ConfigKeys.SEARCH_FOLD_PRUNING.name()))) {
                errors.add("search.fold-pruning = true but search.strategy = none: pruning needs a search (grid, "
                        + "random, asha or tpe)");
            }
            if (Boolean.TRUE.equals(values.get(ConfigKeys.SEARCH_NESTED.name()))) {
                errors.add("search.nested = true but search.strategy = none: nesting needs a search (grid, random, "
                        + "asha or tpe)");
            }
            Integer budget = (Integer) values.get(ConfigKeys.SEARCH_BUDGET.name());
            if (budget != null && budget > 0) {
                errors.add("search.budget = " + budget + " but search.strategy = none: a budget needs a search (grid, "
                        + "random, asha or tpe)");
            }
            return;
        }
        if (space.isEmpty()) {
            errors.add("search.space is empty but search.strategy = " + strategy.id() + ": name at least one key to "
                    + "search, e.g. space { \"train.learning-rate\" = [0.0001, 0.001] }");
            return;
        }
        Boolean nested = (Boolean) values.get(ConfigKeys.SEARCH_NESTED.name());
        Integer folds = (Integer) values.get(ConfigKeys.DATA_FOLDS.name());
        if (Boolean.TRUE.equals(nested) && folds != null && folds < 3) {
            errors.add("search.nested = true with data.folds = " + folds + ": an inner search cross-validates on the "
                    + "other folds, so nested search needs data.folds >= 3");
        }
        // An inner search of a nested one has k - 1 folds; with k = 3 its 2 folds leave no look (FoldPruner.looks()
        // is 0), so only the main search prunes there: allowed, and said in search.md.
        if (Boolean.TRUE.equals(values.get(ConfigKeys.SEARCH_FOLD_PRUNING.name())) && folds != null && folds < 3) {
            errors.add("search.fold-pruning = true with data.folds = " + folds + ": a look needs 2 completed folds "
                    + "and a fold left to save, so fold pruning needs data.folds >= 3");
        }
        checkBudget(values, folds, errors);
        checkBrackets(values, strategy, errors);
        if (!space.dimensions().containsKey(ConfigKeys.MODEL_BACKBONES.name())) {
            oneOf(values, ConfigKeys.MODEL_BACKBONES, "backbone", errors);
        }
        if (!space.dimensions().containsKey(ConfigKeys.MODEL_METHODS.name())) {
            oneOf(values, ConfigKeys.MODEL_METHODS, "fusion method", errors);
        }
        long grid = space.gridSize();
        switch (strategy) {
            case GRID -> {
                space.dimensions().forEach((k, d) -> {
                    if (!d.kind().discrete()) {
                        errors.add("search.space \"" + k + "\": grid search needs a list of values, not a " + d.kind().id()
                                + " distribution (use search.strategy = random, asha or tpe to draw from it)");
                    }
                });
                if (trials != 0 && space.isDiscrete()) {
                    errors.add("search.trials = " + trials + ": grid search trains every point of the space (" + grid
                            + "); leave search.trials at 0, or use search.strategy = random to draw " + trials
                            + " of them");
                }
            }
            case RANDOM -> {
                if (trials < 1) {
                    errors.add("search.trials = " + trials + ": random search needs a trial budget >= 1");
                }
                budgetFitsGrid(space, trials, grid, errors);
            }
            case ASHA, HYPERBAND -> {
                if (trials < 1 && !space.isDiscrete()) {
                    errors.add("search.trials = " + trials + ": " + strategy.id() + " over distributions needs a trial budget >= 1 "
                            + "(0 means every point only for a space of lists)");
                }
                budgetFitsGrid(space, trials, grid, errors);
                if (space.dimensions().containsKey(ConfigKeys.TRAIN_EPOCHS.name())) {
                    errors.add("search.space \"train.epochs\": " + strategy.id() + " allocates epochs itself through its rungs; remove "
                            + "train.epochs from the space and set it to the largest budget");
                }
                Integer epochs = (Integer) values.get(ConfigKeys.TRAIN_EPOCHS.name());
                Integer eta = (Integer) values.get(ConfigKeys.SEARCH_ETA.name());
                Integer min = (Integer) values.get(ConfigKeys.SEARCH_MIN_EPOCHS.name());
                if (epochs != null && eta != null && min != null && (long) min * eta > epochs) {
                    errors.add("train.epochs = " + epochs + ": " + strategy.id() + " needs train.epochs >= search.min-epochs x search.eta"
                            + " = " + ((long) min * eta) + " so that there are at least two rungs");
                }
            }
            case TPE -> {
                if (trials < 1) {
                    errors.add("search.trials = " + trials + ": tpe needs a trial budget >= 1");
                }
                budgetFitsGrid(space, trials, grid, errors);
                if (space.dimensions().containsKey(ConfigKeys.TRAIN_EPOCHS.name())) {
                    errors.add("search.space \"train.epochs\": tpe compares trials at the same epochs (and allocates "
                            + "them through rungs when search.min-epochs x search.eta <= train.epochs); remove "
                            + "train.epochs from the space and set it to the largest budget");
                }
                Integer startup = (Integer) values.get(ConfigKeys.SEARCH_TPE_STARTUP_TRIALS.name());
                if (startup != null && trials >= 1 && startup >= trials) {
                    errors.add("search.tpe.startup-trials = " + startup + " with search.trials = " + trials + ": every "
                            + "trial would be a random draw; set search.tpe.startup-trials below " + trials
                            + ", or use search.strategy = random");
                }
            }
            default -> throw new IllegalStateException("unhandled strategy " + strategy);
        }
    }

    /** search.budget must pay for one trial trained to train.epochs on every fold of the search over all folds. */
    private static void checkBudget(Map<String, Object> values, Integer folds, List<String> errors) {
        Integer budget = (Integer) values.get(ConfigKeys.SEARCH_BUDGET.name());
        Integer epochs = (Integer) values.get(ConfigKeys.TRAIN_EPOCHS.name());
        if (budget != null && budget > 0 && folds != null && epochs != null && (long) folds * epochs > budget) {
            errors.add("search.budget = " + budget + ": must be 0 (no budget) or at least data.folds x train.epochs = "
                    + ((long) folds * epochs) + " epoch-cells, what one trial trained to the end on every fold costs");
        }
    }

    /** search.brackets: at most one per rung, and only for a strategy with rungs. */
    private static void checkBrackets(Map<String, Object> values, SearchStrategy strategy, List<String> errors) {
        Integer brackets = (Integer) values.get(ConfigKeys.SEARCH_BRACKETS.name());
        Integer epochs = (Integer) values.get(ConfigKeys.TRAIN_EPOCHS.name());
        Integer eta = (Integer) values.get(ConfigKeys.SEARCH_ETA.name());
        Integer min = (Integer) values.get(ConfigKeys.SEARCH_MIN_EPOCHS.name());
        if (brackets == null || brackets <= 1 || epochs == null || eta == null || min == null) {
            return;
        }
        if (strategy == SearchStrategy.GRID || strategy == SearchStrategy.RANDOM) {
            errors.add("search.brackets = " + brackets + " with search.strategy = " + strategy.id() + ": brackets "
                    + "start trials at different rungs, so they need rungs; use search.strategy = hyperband, asha or "
                    + "tpe, or leave search.brackets at 0");
            return;
        }
        int rungs = 1;
        while ((long) min * pow(eta, rungs) <= epochs) {
            rungs++;
        }
        if (brackets > rungs) {
            errors.add("search.brackets = " + brackets + ": must be 0 (the strategy's default) or 1.." + rungs
                    + ", one bracket per rung (train.epochs = " + epochs + ", search.min-epochs = " + min
                    + ", search.eta = " + eta + " give " + rungs + " rung" + (rungs == 1 ? "" : "s") + ")");
        }
    }

    private static long pow(int base, int exp) {
        long r = 1;
        for (int i = 0; i < exp && r <= Integer.MAX_VALUE; i++) {
            r *= base;
        }
        return r;
    }

    private static void budgetFitsGrid(SearchSpace space, int trials, long grid, List<String> errors) {
        if (space.isDiscrete() && trials > grid) {
            errors.add("search.trials = " + trials + " exceeds the " + grid + " distinct points of the space (all "
                    + "lists); lower it or give a distribution");
        }
    }

    private static void oneOf(Map<String, Object> values, ConfigKey<? extends List<?>> key, String what,
            List<String> errors) {
        List<?> list = (List<?>) values.get(key.name());
        if (list != null && list.size() != 1) {
            List<String> ids = list.stream().map(o -> o instanceof org.kpff.core.fusion.FusionMethod m ? m.id()
                    : String.valueOf(o)).toList();
            errors.add(key.name() + " = " + ids + " has " + list.size() + " values but a search tunes one " + what + " (its "
                    + "objective is the fold-mean accuracy of one network): set one, or search it (search.space \"" + key.name()
                    + "\" = [...], one " + what + " per value)");
        }
    }
}
