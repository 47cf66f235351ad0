"""Multiple testing: satisfaction.multitest.

Independent checks: the textbook definitions of Holm's step-down and Benjamini-Hochberg's
step-up procedures written out here with a loop (the module calls statsmodels), R's
``p.adjust`` values for a published vector, and Storey's pi0 by counting.
"""

from __future__ import annotations

import numpy as np
import pytest

from satisfaction.multitest import adjust_pvalues, storey_pi0


def _holm_by_definition(p: np.ndarray) -> np.ndarray:
    m = len(p)
    order = np.argsort(p, kind="mergesort")
    out = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


def _bh_by_definition(p: np.ndarray) -> np.ndarray:
    m = len(p)
    out = np.empty(m)
    for i in range(m):
        ranks = np.sum(p <= p[i])  # ties share the largest rank
        out[i] = min(1.0, min(p[j] * m / np.sum(p <= p[j]) for j in range(m) if p[j] >= p[i]))
        assert ranks >= 1
    return out


@pytest.mark.parametrize(("method", "reference"), [("holm", _holm_by_definition),
                                                   ("bh", _bh_by_definition)])
def test_adjustments_follow_their_definitions(method, reference):
    rng = np.random.default_rng(7)
    p = np.concatenate([rng.uniform(0, 1, 40), rng.uniform(0, 0.01, 10), [0.03, 0.03, 1.0]])
    assert adjust_pvalues(p, method) == pytest.approx(reference(p), abs=1e-12)


def test_r_p_adjust_values():
    # R: p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), "holm") and "BH"
    p = [0.01, 0.02, 0.03, 0.04, 0.05]
    assert adjust_pvalues(p, "holm") == pytest.approx([0.05, 0.08, 0.09, 0.09, 0.09])
    assert adjust_pvalues(p, "bh") == pytest.approx([0.05, 0.05, 0.05, 0.05, 0.05])


def test_untested_entries_stay_out_of_the_family():
    p = np.array([0.01, np.nan, 0.04, 0.03])
    got = adjust_pvalues(p, "holm")
    assert np.isnan(got[1])
    assert got[[0, 2, 3]] == pytest.approx(_holm_by_definition(p[[0, 2, 3]]))
    assert np.isnan(adjust_pvalues([np.nan, np.nan], "bh")).all()
    assert adjust_pvalues(np.array([[0.01, 0.04], [np.nan, 0.03]]), "holm").shape == (2, 2)


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown adjustment"):
        adjust_pvalues([0.1], "bonferroni-ish")
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        adjust_pvalues([1.5], "holm")


def test_storey_pi0_counts_large_p_values():
    p = np.array([0.001] * 6 + [0.7, 0.8, 0.9, 0.95])  # 4 of 10 above 0.5
    assert storey_pi0(p) == pytest.approx(4 / (10 * 0.5))
    assert storey_pi0([np.nan]) == 1.0
    assert storey_pi0([0.9, 0.99]) == 1.0  # clipped
