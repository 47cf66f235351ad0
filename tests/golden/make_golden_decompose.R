# Golden files for satisfaction.compare.decompose_change (the Kitagawa decomposition of a change
# in a rate between two independent survey years), written by R's `survey` package.
#
# Regenerate (from the repository root):
#     Rscript tests/golden/make_golden_decompose.R
# Needs R and the survey package only. The Python tests (tests/test_decompose.py) read what this
# script writes and never need R. It writes, under tests/golden/:
#   data/decompose_current.csv, data/decompose_base.csv
#                     two constructed survey years: strata, PSUs (offices), weights, an FPC
#                     column, a lonely PSU in each year (a different stratum), a 0/1 item with
#                     missing answers, a grouping column with a group found only in the
#                     current year (a Vietnamese label) and one only in the base year, a second grouping column with missing values;
#   decompose_cases.json   one entry per case: design settings, `by`, level, the R method;
#   decompose_results.csv  one row per case and statistic: estimate, se;
#   decompose_versions.json  R and survey versions.
#
# How R computes each number (case c, grouping `by`, years t = current, base):
#   * every respondent with a valid answer belongs to one group g (the `by` values crossed; a
#     missing value is the group "(missing)");
#   * per year, svytotal over that year's own design of the columns W_tg = 1[valid, g] and
#     A_tg = y 1[valid, g] (only groups present in the year): the totals and their covariance
#     (Taylor linearisation with the year's strata, PSUs, FPC and lonely-PSU option);
#   * the two years are independent samples: their totals are put side by side with a
#     block-diagonal covariance (a `svystat` object), and `svycontrast` evaluates the
#     decomposition as expressions of the totals (its delta method, by symbolic derivatives):
#       p_tg = W_tg / sum_g W_tg, r_tg = A_tg / W_tg,
#       total = sum p1 r1 - sum p0 r0,
#       composition = sum (p1 - p0) (r1 + r0) / 2, within = sum (r1 - r0) (p1 + p0) / 2,
#       standardised = sum p0 r1, standardised_change = standardised - sum p0 r0,
#     a group found in one year only taking, in the other, the rate of the year it is in;
#   * as checks inside this script: the same contrasts on ONE stacked design (both years'
#     rows, strata and PSUs labelled by year; svytotal on the stacked design) give the same
#     estimates and standard errors (policies other than "average", whose rescaling counts the
#     strata of the whole design), the current and base rates equal svymean, and the group
#     rates equal svyby(~y, ~group, svymean).

suppressPackageStartupMessages(library(survey))
invisible(Sys.setlocale("LC_CTYPE", "C.UTF-8"))

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
out_dir <- if (length(script)) dirname(normalizePath(script)) else "tests/golden"
data_dir <- file.path(out_dir, "data")
dir.create(data_dir, showWarnings = FALSE, recursive = TRUE)

fmt <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
json_str <- function(x) {
  if (is.null(x)) return("null")
  if (is.logical(x)) return(if (x) "true" else "false")
  if (is.numeric(x)) return(fmt(x))
  paste0("\"", gsub("\"", "\\\\\"", x), "\"")
}
json_obj <- function(lst) {
  parts <- vapply(names(lst), function(k) {
    v <- lst[[k]]
    val <- if (k == "by") paste0("[", paste(vapply(v, json_str, ""), collapse = ", "), "]")
           else json_str(v)
    paste0("\"", k, "\": ", val)
  }, "")
  paste0("{", paste(parts, collapse = ", "), "}")
}
write_data <- function(df, name) {
  out <- df
  for (col in names(out)) if (is.double(out[[col]])) out[[col]] <- fmt(out[[col]])
  write.csv(out, file.path(data_dir, paste0(name, ".csv")), row.names = FALSE, na = "",
            fileEncoding = "UTF-8")
}

# ---------------------------------------------------------------------------------------------
# Two survey years
# ---------------------------------------------------------------------------------------------
set.seed(16)
make_year <- function(year, npsu, Npsu, mix, rates, online) {
  rows <- list()
  for (h in names(npsu)) for (j in seq_len(npsu[[h]])) {
    m <- sample(6:16, 1)
    rows[[length(rows) + 1]] <- data.frame(
      stratum = h, office = sprintf("%s-%s-P%d", year, h, j), weight = round(runif(m, 5, 80), 3),
      stringsAsFactors = FALSE)
  }
  d <- do.call(rbind, rows)
  n <- nrow(d)
  d$pop_psu <- Npsu[d$stratum]
  d$level <- sample(names(mix), n, replace = TRUE, prob = mix)
  d$channel <- ifelse(runif(n) < online, "online", "in_person")
  d$channel[sample(n, 5)] <- NA                       # a missing group value: its own group
  p <- rates[d$level] + ifelse(d$channel %in% "online", -0.08, 0)
  d$satisfied <- rbinom(n, 1, pmin(pmax(p, 0.02), 0.98))
  d$satisfied[sample(n, 9)] <- NA                     # no valid answer
  d
}
levels_mix0 <- c(central = .15, province = .35, district = .42, other = .08)  # other: 2019 only
levels_mix1 <- c(central = .1, province = .25, district = .4, "X\u00e3" = .25)  # Xã: 2020 only
rates0 <- c(central = .9, province = .8, district = .7, other = .6)
rates1 <- c(central = .93, province = .85, district = .78, "X\u00e3" = .95)
base <- make_year("2019", c(S1 = 4, S2 = 3, S3 = 5, S4 = 2, S5 = 1),
                  c(S1 = 20, S2 = 9, S3 = 40, S4 = 6, S5 = 3), levels_mix0, rates0, 0.1)
current <- make_year("2020", c(S1 = 4, S2 = 3, S3 = 5, S4 = 1, S5 = 3),
                     c(S1 = 20, S2 = 9, S3 = 40, S4 = 6, S5 = 3), levels_mix1, rates1, 0.3)
write_data(current, "decompose_current")
write_data(base, "decompose_base")

# ---------------------------------------------------------------------------------------------
# The decomposition as svycontrast expressions of each year's group totals
# ---------------------------------------------------------------------------------------------
group_of <- function(d, by) {
  parts <- lapply(by, function(b) ifelse(is.na(d[[b]]), "(missing)", as.character(d[[b]])))
  do.call(paste, c(parts, sep = "|"))
}

totals_of <- function(d, by, tag, spec) {
  g <- group_of(d, by)
  valid <- !is.na(d$satisfied)
  groups <- sort(unique(g[valid]))
  for (k in seq_along(groups)) {
    inside <- valid & g == groups[k]
    d[[sprintf("W%s_%d", tag, k)]] <- as.numeric(inside)
    d[[sprintf("A%s_%d", tag, k)]] <- ifelse(inside, d$satisfied, 0)
  }
  des <- svydesign(ids = ~office, strata = ~stratum, weights = ~weight,
                   fpc = if (spec$fpc) ~pop_psu else NULL, data = d, nest = TRUE)
  vars <- c(sprintf("W%s_%d", tag, seq_along(groups)), sprintf("A%s_%d", tag, seq_along(groups)))
  tot <- svytotal(as.formula(paste("~", paste(vars, collapse = "+"))), des)
  list(groups = groups, total = tot, design = des, data = d)
}

expressions <- function(groups1, groups0) {
  all <- sort(union(groups1, groups0))
  W1 <- paste0("(", paste(sprintf("W1_%d", seq_along(groups1)), collapse = "+"), ")")
  W0 <- paste0("(", paste(sprintf("W0_%d", seq_along(groups0)), collapse = "+"), ")")
  term <- function(g) {
    k1 <- match(g, groups1); k0 <- match(g, groups0)
    p1 <- if (is.na(k1)) "0" else sprintf("(W1_%d/%s)", k1, W1)
    p0 <- if (is.na(k0)) "0" else sprintf("(W0_%d/%s)", k0, W0)
    r1 <- if (is.na(k1)) sprintf("(A0_%d/W0_%d)", k0, k0) else sprintf("(A1_%d/W1_%d)", k1, k1)
    r0 <- if (is.na(k0)) sprintf("(A1_%d/W1_%d)", k1, k1) else sprintf("(A0_%d/W0_%d)", k0, k0)
    c(comp = sprintf("(%s-%s)*(%s+%s)/2", p1, p0, r1, r0),
      within = sprintf("(%s-%s)*(%s+%s)/2", r1, r0, p1, p0),
      cur = sprintf("%s*%s", p1, r1), base = sprintf("%s*%s", p0, r0),
      std = sprintf("%s*%s", p0, r1))
  }
  terms <- sapply(all, term)
  sum_of <- function(row) paste(terms[row, ], collapse = " + ")
  text <- list(
    total = paste0("(", sum_of("cur"), ") - (", sum_of("base"), ")"),
    composition = sum_of("comp"), within = sum_of("within"),
    current = sum_of("cur"), base = sum_of("base"), standardised = sum_of("std"),
    standardised_change = paste0("(", sum_of("std"), ") - (", sum_of("base"), ")"))
  lapply(text, function(t) parse(text = t)[[1]])
}

side_by_side <- function(t1, t0) {
  b1 <- coef(t1); b0 <- coef(t0)
  v <- matrix(0, length(b1) + length(b0), length(b1) + length(b0))
  v[seq_along(b1), seq_along(b1)] <- vcov(t1)
  v[length(b1) + seq_along(b0), length(b1) + seq_along(b0)] <- vcov(t0)
  est <- c(b1, b0)
  dimnames(v) <- list(names(est), names(est))
  structure(est, var = v, statistic = "total", class = "svystat")
}

cases <- list(); results <- list(); case_no <- 0
run_case <- function(by, policy, fpc = FALSE, adjust_domain_lonely = FALSE, level = 0.95) {
  case_no <<- case_no + 1
  cid <- sprintf("d%03d", case_no)
  options(survey.lonely.psu = policy, survey.adjust.domain.lonely = adjust_domain_lonely)
  spec <- list(fpc = fpc)
  one <- totals_of(current, by, "1", spec)
  zero <- totals_of(base, by, "0", spec)
  exprs <- expressions(one$groups, zero$groups)
  con <- svycontrast(side_by_side(one$total, zero$total), exprs)
  est <- as.vector(coef(con)); se <- as.vector(SE(con))

  # Checks: rates as svymean; group rates as svyby; the stacked design (not under "average").
  for (part in list(list(one, 4), list(zero, 5))) {
    m <- svymean(~satisfied, part[[1]]$design, na.rm = TRUE)
    stopifnot(isTRUE(all.equal(as.vector(coef(m)), est[part[[2]]], tolerance = 1e-12)))
    stopifnot(isTRUE(all.equal(as.vector(SE(m)), se[part[[2]]], tolerance = 1e-9)))
    dd <- part[[1]]$design
    dd <- update(dd, grp = group_of(dd$variables, by))
    sb <- svyby(~satisfied, ~grp, subset(dd, !is.na(satisfied)), svymean)
    stopifnot(identical(as.character(sb$grp), part[[1]]$groups))
  }
  # sum(pr) of the stacked design equals the side-by-side one
  if (policy != "average") {
    s1 <- one$data; s0 <- zero$data
    extra1 <- setdiff(names(s0), names(s1)); extra0 <- setdiff(names(s1), names(s0))
    for (v in extra1) s1[[v]] <- 0
    for (v in extra0) s0[[v]] <- 0
    stacked <- rbind(transform(s1, year = "2020"), transform(s0, year = "2019"))
    stacked$stratum_y <- paste(stacked$year, stacked$stratum)
    sdes <- svydesign(ids = ~office, strata = ~stratum_y, weights = ~weight,
                      fpc = if (fpc) ~pop_psu else NULL, data = stacked, nest = TRUE)
    vars <- c(names(coef(one$total)), names(coef(zero$total)))
    st <- svytotal(as.formula(paste("~", paste(vars, collapse = "+"))), sdes)
    scon <- svycontrast(st, exprs)
    stopifnot(isTRUE(all.equal(as.vector(coef(scon)), est, tolerance = 1e-12)))
    stopifnot(isTRUE(all.equal(as.vector(SE(scon)), se, tolerance = 1e-9)))
  }
  results[[length(results) + 1]] <<- data.frame(case = cid, row = names(exprs), estimate = est,
                                                se = se, stringsAsFactors = FALSE)
  cases[[length(cases) + 1]] <<- json_obj(list(
    case = cid, by = by, lonely_psu = policy, fpc = if (fpc) "pop_psu" else NULL,
    adjust_domain_lonely = adjust_domain_lonely, level = level,
    r_method = paste("svycontrast(expressions of the decomposition) on svytotal of each",
                     "year's group totals W_tg, A_tg; years side by side (block-diagonal",
                     "covariance)")))
}

for (policy in c("adjust", "certainty", "remove", "average")) {
  run_case("level", policy)
  run_case(c("level", "channel"), policy)
}
run_case(c("level", "channel"), "adjust", fpc = TRUE)
run_case("channel", "average", fpc = TRUE)
run_case(c("level", "channel"), "adjust", adjust_domain_lonely = TRUE)

writeLines(c("[", paste(unlist(cases), collapse = ",\n"), "]"),
           file.path(out_dir, "decompose_cases.json"), useBytes = TRUE)
res <- do.call(rbind, results)
res$estimate <- fmt(res$estimate); res$se <- fmt(res$se)
write.csv(res, file.path(out_dir, "decompose_results.csv"), row.names = FALSE)
writeLines(sprintf("{\"R\": \"%s\", \"survey\": \"%s\"}", R.version.string,
                   as.character(packageVersion("survey"))),
           file.path(out_dir, "decompose_versions.json"))
cat("wrote", nrow(res), "rows for", length(cases), "cases\n")
