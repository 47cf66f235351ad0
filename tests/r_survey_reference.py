"""A small design and the numbers R's survey package gives on it (the goldens of two test files).

``design_frame()``: 60 rows, 12 PSUs in 5 strata (stratum D has one PSU), built from formulas.
``R_SCRIPT`` (R 4.x, survey 4.1.1) was run on it written to CSV; the numbers below are pasted
from its output. They check :meth:`satisfaction.design.SurveyDesign.domain_covariance` and
:meth:`~satisfaction.design.SurveyDesign.contrasts` (``svycontrast`` of two domain ratios built
from ``svytotal``, every lonely-PSU policy, with an FPC: tests/test_design_contrast.py,
tests/test_design.py) and the jackknife of Cronbach's alpha (``withReplicates`` on an
``as.svrepdesign(type = "JKn")`` design: tests/test_instrument_consistency.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def design_frame() -> pd.DataFrame:
    """60 rows, 12 PSUs in 5 strata (stratum D has one PSU), built from formulas (no RNG)."""
    i = np.arange(60)
    psu = i // 5
    stratum = np.select([psu <= 2, psu <= 4, psu <= 8, psu == 9], ["A", "B", "C", "D"], "E")
    w = 1 + (i * 7 % 11) / 4
    y = (((i * 3 + psu) % 4) != 0).astype(float)
    y[i % 13 == 6] = np.nan
    g = np.where((i * 5 % 7) < 3, "online", "in_person")
    x1 = 1 + (i * 3 + psu) % 5
    x2 = 1 + (i * 3 + psu + (i % 3)) % 5
    x3 = (1 + (i * 3 + 2 * psu + (i % 2)) % 5).astype(float)
    x3[i % 17 == 4] = np.nan
    x4 = np.clip(x1 + (i % 3) - 1, 1, 5)
    fpc = np.select([stratum == "A", stratum == "B", stratum == "C", stratum == "D"],
                    [10, 5, 8, 3], 6)
    return pd.DataFrame({"stratum": stratum, "psu": psu.astype(str), "w": w, "y": y, "g": g,
                         "x1": x1, "x2": x2, "x3": x3, "x4": x4, "fpc": fpc})


R_SCRIPT = r"""
# Rscript ref.R  (R 4.x, survey 4.1.1), frame.csv = design_frame().to_csv(index=False, na_rep="NA")
suppressMessages(library(survey))
d <- read.csv("frame.csv", stringsAsFactors = FALSE); d$psu <- as.character(d$psu)
d$va <- as.numeric(d$g == "online" & !is.na(d$y))
d$vb <- as.numeric(d$g == "in_person" & !is.na(d$y))
y0 <- ifelse(is.na(d$y), 0, d$y); d$ya <- y0 * d$va; d$yb <- y0 * d$vb
domain_means <- function(des) {          # ratio means by linearisation of the totals
  tot <- svytotal(~ya + va + yb + vb, des)
  m <- svycontrast(tot, list(a = quote(ya/va), b = quote(yb/vb)))
  list(tot = tot, coef = coef(m), vcov = vcov(m))
}
for (policy in c("adjust", "certainty", "average", "remove")) {
  options(survey.lonely.psu = policy)
  des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = d, nest = TRUE)
  b <- domain_means(des); print(b$coef, digits = 15); print(as.vector(b$vcov), digits = 15)
  ct <- svycontrast(b$tot, quote(ya/va - yb/vb)); print(c(coef(ct), SE(ct)), digits = 15)
}
options(survey.lonely.psu = "adjust")
desf <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, fpc = ~fpc, data = d, nest = TRUE)
print(as.vector(domain_means(desf)$vcov), digits = 15)
d2 <- d[d$stratum != "D", ]
des2 <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = d2, nest = TRUE)
walpha <- function(w, data) {
  X <- as.matrix(data[, c("x1", "x2", "x3", "x4")]); ok <- complete.cases(X)
  X <- X[ok, ]; w <- w[ok]
  C <- cov.wt(X, wt = w / sum(w), method = "ML")$cov; k <- ncol(X)
  k / (k - 1) * (1 - sum(diag(C)) / sum(C))
}
r <- withReplicates(as.svrepdesign(des2, type = "JKn", mse = TRUE), walpha)
print(c(coef(r), SE(r)), digits = 15); print(degf(des2))
"""
R_COEF = (0.61214953271028, 0.590579710144927)
R_VCOV = {  # as.vector(vcov): (a,a), (b,a), (a,b), (b,b)
    "adjust": (0.0115172336833199, -0.00593009077797364, 0.00552187857662868),
    "certainty": (0.0115163105801133, -0.00596002063924769, 0.0045514598959215),
    "average": (0.0143953882251417, -0.00745002579905961, 0.00568932486990187),
    "remove": (0.0115163105801133, -0.00596002063924769, 0.0045514598959215),
}
R_DIFF_SE = {"adjust": 0.169997922975241, "certainty": 0.167295581993459,
             "average": 0.187042146836382, "remove": 0.167295581993459}
R_VCOV_FPC = (0.00715810878727042, -0.00368575535154588, 0.00351166911651646)
R_JK_ALPHA = (0.478657146913553, 0.0805876526609079)
R_JK_DF = 7
