# Golden files for satisfaction.design / satisfaction.intervals, written by R's `survey` package.
#
# Regenerate (from the repository root):
#     Rscript tests/golden/make_golden.R
# Needs R and the survey package only (Debian: apt-get install r-base-core r-cran-survey).
# The Python tests read what this script writes and never need R.
#
# It writes, under tests/golden/:
#   data/*.csv        the input data: R's own `api` data (apistrat, apiclus1, apiclus2, apisrs)
#                     with a few derived 0/1 columns, a constructed design `lonely.csv` with
#                     lonely PSUs, FPC columns, tiny, 0 % and 100 % domains and missing values,
#                     and a constructed two-stage design `twostage.csv` (offices, then
#                     respondents; strata and FPC at both stages; lonely units at both stages);
#   cases.json        one entry per case: the design (columns -- one per stage for a multi-stage
#                     design --, FPC, lonely-PSU policy), the statistic, the variable, the
#                     domains, the level and the R call;
#   results.csv       one row per case x domain: estimate, se, deff, n, df, psus (first-stage
#                     PSUs the domain reaches), se_stage1 (the first stage's share) and the
#                     intervals;
#   covariance.csv    vcov of svyby(~y, ~domain, design, svymean, covmat = TRUE) for a few
#                     two-stage designs: the covariance between domain means (value), and its
#                     first stage's share (stage1, with survey.ultimate.cluster = TRUE);
#   errors.json       cases where R stops (lonely_psu = "fail" at stage 1 or 2, an FPC without
#                     a column per stage), with R's message;
#   versions.json     R and survey versions that made the files.
#
# How each number is made (per domain d of case c, design `des`, variable y):
#   valid  <- des[!is.na(y), ]            rows with a valid value (R's na.rm = TRUE)
#   sub    <- valid[domain == d, ]         R's `[` keeps the full design's PSU counts (fpc$sampsize),
#                                          so `sub` is a domain of the full design, as in svyby
#   estimate, se, deff  svymean / svytotal(~y, sub, deff = "replace")
#   n, df               nrow(sub), degf(sub): PSUs that the domain reaches minus its strata
#   psus                length(unique(sub$cluster[, 1])): first-stage PSUs the domain reaches
#   se_stage1           the same SE with options(survey.ultimate.cluster = TRUE): the first
#                       stage's variance alone (equal to se for a single-stage design)
#   beta, logit, mean   svyciprop(~y, sub, method = ...)     (proportions)
#   t                   confint(stat, df = degf(sub))         (means and totals)
# and, as a check inside this script, svyby(~y, ~domain, des, svymean/svytotal, na.rm = TRUE,
# deff = "replace") must give the same estimate, se and deff for every domain.

suppressPackageStartupMessages(library(survey))
invisible(Sys.setlocale("LC_CTYPE", "C.UTF-8"))

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
out_dir <- if (length(script)) dirname(normalizePath(script)) else "tests/golden"
data_dir <- file.path(out_dir, "data")
dir.create(data_dir, showWarnings = FALSE, recursive = TRUE)

fmt <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))

write_data <- function(df, name) {
  out <- df
  for (col in names(out)) {
    if (is.factor(out[[col]])) out[[col]] <- as.character(out[[col]])
    if (is.double(out[[col]])) out[[col]] <- fmt(out[[col]])
  }
  write.csv(out, file.path(data_dir, paste0(name, ".csv")), row.names = FALSE,
            na = "NA", fileEncoding = "UTF-8")
}

json_str <- function(x) {
  if (is.null(x)) return("null")
  if (is.logical(x)) return(if (x) "true" else "false")
  if (is.numeric(x)) return(fmt(x))
  x <- gsub("\\\\", "\\\\\\\\", x)
  x <- gsub("\"", "\\\\\"", x)
  x <- gsub("\n", "\\\\n", x)
  paste0("\"", x, "\"")
}
json_obj <- function(lst) {
  parts <- vapply(names(lst), function(k) {
    v <- lst[[k]]
    val <- if (length(v) > 1 || (is.character(v) && k == "by")) {
      paste0("[", paste(vapply(v, json_str, ""), collapse = ", "), "]")
    } else json_str(v)
    paste0("\"", k, "\": ", val)
  }, "")
  paste0("{", paste(parts, collapse = ", "), "}")
}

# ---------------------------------------------------------------------------------------------
# Input data
# ---------------------------------------------------------------------------------------------
data(api)
apistrat$sw <- as.numeric(apistrat$sch.wide == "Yes")
apistrat$aw <- as.numeric(apistrat$awards == "Yes")
apistrat$fpc_frac <- ave(rep(1, nrow(apistrat)), apistrat$stype, FUN = sum) / apistrat$fpc
apistrat$api_hi <- as.numeric(apistrat$api00 > 700)
apistrat$api_hi[c(3, 17, 50, 120, 160)] <- NA  # a few missing answers
apiclus1$sw <- as.numeric(apiclus1$sch.wide == "Yes")
apiclus1$ed_hi <- as.numeric(apiclus1$avg.ed > 3)  # NA where avg.ed is NA (26 rows)
apiclus2$sw <- as.numeric(apiclus2$sch.wide == "Yes")
apiclus2$fpc2b <- ifelse(apiclus2$fpc2 == 1, 3, apiclus2$fpc2)  # single schools not a census
apisrs$yr_rnd <- as.numeric(apisrs$yr.rnd == "Yes")  # 180 of 200 missing
apisrs$sw <- as.numeric(apisrs$sch.wide == "Yes")
apisrs$pw1 <- 1

write_data(apistrat, "apistrat")
write_data(apiclus1, "apiclus1")
write_data(apiclus2, "apiclus2")
write_data(apisrs, "apisrs")

# A constructed design: 9 strata, some with one PSU (S3, S7 and the census stratum S9), weights,
# FPC, a 0/1 item with missing answers, a score with missing answers and domains that are tiny,
# all-satisfied, none-satisfied, or reach one PSU of a stratum with several.
set.seed(20200101)
npsu <- c(S1 = 5, S2 = 3, S3 = 1, S4 = 4, S5 = 2, S6 = 6, S7 = 1, S8 = 3, S9 = 1)
Npsu <- c(S1 = 40, S2 = 9, S3 = 7, S4 = 4, S5 = 30, S6 = 25, S7 = 12, S8 = 20, S9 = 1)
rows <- list()
for (h in names(npsu)) {
  for (j in seq_len(npsu[[h]])) {
    m <- sample(4:14, 1)
    rows[[length(rows) + 1]] <- data.frame(
      stratum = h, office = sprintf("%s-P%d", h, j), m = m,
      weight = round(runif(m, 5, 60), 3), stringsAsFactors = FALSE)
  }
}
lonely <- do.call(rbind, rows)
lonely$m <- NULL
n <- nrow(lonely)
lonely$pop_psu <- Npsu[lonely$stratum]
lonely$frac_psu <- npsu[lonely$stratum] / Npsu[lonely$stratum]
rate <- c(S1 = .9, S2 = .7, S3 = .95, S4 = .5, S5 = .8, S6 = .85, S7 = .6, S8 = .75, S9 = .9)
lonely$satisfied <- rbinom(n, 1, rate[lonely$stratum])
lonely$score <- round(rnorm(n, 3.5 + lonely$satisfied, 0.8), 2)
lonely$level <- sample(c("province", "district", "commune"), n, replace = TRUE, prob = c(.2, .4, .4))
lonely$field <- sample(c("residence", "id_card", "passport"), n, replace = TRUE)
lonely$dom <- sample(c("a", "b", "c"), n, replace = TRUE)
# Special domains, each built from the first rows of named offices (PSUs):
#   onepsu  reaches one PSU of S1 (five PSUs), two of S4 and one of S6: domain-lonely in S1 and S6;
#   tiny    4 rows in 3 PSUs of 2 strata (1 degree of freedom);
#   allyes  12 rows in 6 PSUs of 3 strata, all satisfied (100 %); allno  10 rows in 5 PSUs of 3
#           strata, none satisfied (0 %).
pick <- function(offices, k) unlist(lapply(offices, function(o) which(lonely$office == o)[seq_len(k)]))
one <- c(which(lonely$office == "S1-P2"), pick(c("S4-P1", "S4-P2", "S6-P1"), 3))
lonely$dom[one] <- "onepsu"
tiny <- c(pick("S4-P3", 2), pick(c("S4-P4", "S2-P2"), 1))
lonely$dom[tiny] <- "tiny"
yes <- pick(c("S2-P1", "S2-P3", "S6-P3", "S6-P4", "S6-P6", "S8-P2"), 2)
lonely$dom[yes] <- "allyes"; lonely$satisfied[yes] <- 1
no <- pick(c("S5-P1", "S5-P2", "S6-P5", "S1-P4", "S1-P5"), 2)
lonely$dom[no] <- "allno"; lonely$satisfied[no] <- 0
miss <- sample(setdiff(seq_len(n), c(yes, no, tiny)), 12)
lonely$satisfied[miss] <- NA
lonely$score[sample(seq_len(n), 10)] <- NA
lonely$region <- ifelse(lonely$stratum %in% c("S1", "S2", "S3"), "H\u00e0 N\u1ed9i",
                        "\u0110\u00e0 N\u1eb5ng")  # Vietnamese labels, NFC
write_data(lonely, "lonely")

# A constructed two-stage design: 8 strata of offices (stage 1, FPC = offices in the stratum),
# respondents sampled within each office (stage 2, FPC = clients of the office), or within each
# office and channel (stage-2 strata, FPC per office and channel). Stage 1 has a lonely stratum
# (S3), a census of offices (S4: 3 of 3) and a census lonely stratum (S7: 1 of 1); stage 2 has
# offices with one respondent out of many (lonely at stage 2) and offices where every client was
# asked (a census at stage 2). A third stage (respondents within a channel of an office) for a
# three-stage case. Domains: tiny, 100 %, 0 %, one office in each of several strata (onepsu),
# inside a single office (oneoffice).
set.seed(20240611)
n1 <- c(S1 = 4, S2 = 3, S3 = 1, S4 = 3, S5 = 2, S6 = 5, S7 = 1, S8 = 2)
N1 <- c(S1 = 20, S2 = 6, S3 = 8, S4 = 3, S5 = 10, S6 = 40, S7 = 1, S8 = 5)
rows <- list()
for (h in names(n1)) {
  for (j in seq_len(n1[[h]])) {
    office <- sprintf("%s-O%d", h, j)
    m <- if (office %in% c("S2-O2", "S6-O4")) 1 else sample(3:12, 1)   # stage-2 lonely
    M <- if (office %in% c("S5-O1", "S2-O2")) m else sample(30:300, 1)  # stage-2 census
    chan <- sample(c("online", "counter"), m, replace = TRUE, prob = c(.4, .6))
    if (m >= 4) chan[1:2] <- c("online", "counter")
    rows[[length(rows) + 1]] <- data.frame(stratum = h, office = office, pop_psu = N1[[h]],
                                           pop2 = M, channel = chan, stringsAsFactors = FALSE)
  }
}
twostage <- do.call(rbind, rows)
n <- nrow(twostage)
twostage$rid <- sprintf("r%03d", seq_len(n))
twostage$frac1 <- n1[twostage$stratum] / N1[twostage$stratum]
m_of <- ave(rep(1, n), twostage$office, FUN = sum)
twostage$frac2 <- m_of / twostage$pop2
# stage-2 strata: channel within office, population split as the sample is (at least the sample)
m_oc <- ave(rep(1, n), twostage$office, twostage$channel, FUN = sum)
twostage$pop2s <- pmax(m_oc, round(twostage$pop2 * m_oc / m_of))
twostage$n_channels <- 3  # three channels in every office's population; 1 or 2 sampled
twostage$weight <- round(N1[twostage$stratum] / n1[twostage$stratum] * twostage$pop2 / m_of *
                         runif(n, 0.8, 1.25), 3)
rate <- c(S1 = .9, S2 = .7, S3 = .95, S4 = .6, S5 = .8, S6 = .85, S7 = .5, S8 = .75)
twostage$satisfied <- rbinom(n, 1, rate[twostage$stratum])
twostage$score <- round(rnorm(n, 3.5 + twostage$satisfied, 0.8), 2)
twostage$level <- sample(c("province", "district", "commune"), n, replace = TRUE)
twostage$dom <- sample(c("a", "b", "c"), n, replace = TRUE)
pick2 <- function(offices, k) unlist(lapply(offices, function(o) which(twostage$office == o)[seq_len(k)]))
one <- pick2(c("S1-O1", "S5-O2", "S6-O2", "S8-O1"), 3)   # one office in each of four strata
twostage$dom[one] <- "onepsu"
oneo <- pick2("S6-O3", 3)                                # inside a single office
twostage$dom[oneo] <- "oneoffice"
tiny <- c(pick2("S1-O2", 2), pick2("S2-O1", 1))
twostage$dom[tiny] <- "tiny"
yes <- pick2(c("S1-O3", "S4-O1", "S4-O2", "S6-O5"), 2)
twostage$dom[yes] <- "allyes"; twostage$satisfied[yes] <- 1
no <- pick2(c("S2-O3", "S8-O2", "S6-O1"), 2)
twostage$dom[no] <- "allno"; twostage$satisfied[no] <- 0
miss <- sample(setdiff(seq_len(n), c(yes, no, tiny, one, oneo)), 10)
twostage$satisfied[miss] <- NA
twostage$score[sample(seq_len(n), 8)] <- NA
twostage$region <- ifelse(twostage$stratum %in% c("S1", "S2", "S3", "S4"), "H\u00e0 N\u1ed9i",
                          "\u0110\u00e0 N\u1eb5ng")
write_data(twostage, "twostage")

# ---------------------------------------------------------------------------------------------
# Designs
# ---------------------------------------------------------------------------------------------
terms <- function(cols) if (is.null(cols)) NULL else as.formula(paste0("~", paste(cols, collapse = "+")))
make_design <- function(spec) {
  d <- get(spec$data)
  ids <- if (is.null(spec$psu)) ~1 else terms(spec$psu)
  svydesign(ids = ids, strata = terms(spec$strata), weights = terms(spec$weights),
            fpc = terms(spec$fpc), data = d, nest = TRUE)
}
formula_text <- function(cols, none = "NULL") if (is.null(cols)) none else paste0("~", paste(cols, collapse = "+"))

cases <- list()
results <- list()
errors <- list()
case_no <- 0

run_case <- function(spec, stat, var, by, level = 0.95) {
  case_no <<- case_no + 1
  cid <- sprintf("c%03d", case_no)
  options(survey.lonely.psu = spec$lonely_psu,
          survey.adjust.domain.lonely = spec$adjust_domain_lonely)
  des <- make_design(spec)
  y <- des$variables[[var]]
  valid <- des[!is.na(y), ]
  if (is.null(by)) {
    dom <- rep("all", nrow(valid))
    keys <- data.frame(domain_1 = "all", domain_2 = NA, stringsAsFactors = FALSE)
  } else {
    parts <- lapply(by, function(b) as.character(valid$variables[[b]]))
    dom <- do.call(paste, c(parts, sep = "\r"))
    ud <- sort(unique(dom))
    keys <- data.frame(domain_1 = sapply(strsplit(ud, "\r"), `[`, 1),
                       domain_2 = if (length(by) > 1) sapply(strsplit(ud, "\r"), `[`, 2) else NA,
                       stringsAsFactors = FALSE)
  }
  f <- as.formula(paste0("~", var))
  fy <- as.formula(paste0("~", var))
  out <- list()
  for (k in seq_len(nrow(keys))) {
    key <- if (is.na(keys$domain_2[k])) keys$domain_1[k] else paste(keys$domain_1[k], keys$domain_2[k], sep = "\r")
    sub <- valid[dom == key, ]
    st <- suppressWarnings(if (stat == "total") svytotal(f, sub, deff = "replace")
                           else svymean(f, sub, deff = "replace"))
    options(survey.ultimate.cluster = TRUE)  # the first stage's variance alone
    st1 <- suppressWarnings(if (stat == "total") svytotal(f, sub) else svymean(f, sub))
    options(survey.ultimate.cluster = FALSE)
    row <- data.frame(case = cid, domain_1 = keys$domain_1[k], domain_2 = keys$domain_2[k],
                      estimate = as.vector(coef(st)), se = as.vector(SE(st)),
                      deff = as.vector(deff(st)), n = nrow(sub), df = degf(sub),
                      psus = length(unique(sub$cluster[, 1])), se_stage1 = as.vector(SE(st1)),
                      stringsAsFactors = FALSE)
    ci <- function(expr) tryCatch(suppressWarnings(expr), error = function(e) c(NA, NA))
    if (stat == "proportion") {
      b <- ci(as.vector(attr(svyciprop(fy, sub, method = "beta", level = level), "ci")))
      l <- ci(as.vector(attr(svyciprop(fy, sub, method = "logit", level = level), "ci")))
      m <- ci(as.vector(attr(svyciprop(fy, sub, method = "mean", level = level), "ci")))
      row$beta_low <- b[1]; row$beta_high <- b[2]
      row$logit_low <- l[1]; row$logit_high <- l[2]
      row$mean_low <- m[1]; row$mean_high <- m[2]
      row$t_low <- NA; row$t_high <- NA
    } else {
      tci <- suppressWarnings(as.vector(confint(st, level = level, df = degf(sub))))
      row$beta_low <- NA; row$beta_high <- NA; row$logit_low <- NA; row$logit_high <- NA
      row$mean_low <- NA; row$mean_high <- NA
      row$t_low <- tci[1]; row$t_high <- tci[2]
    }
    out[[k]] <- row
  }
  tab <- do.call(rbind, out)

  # Check: svyby over the full design (na.rm = TRUE) gives the same numbers as the subsets.
  if (!is.null(by)) {
    FUN <- if (stat == "total") svytotal else svymean
    byf <- as.formula(paste0("~", paste(by, collapse = "+")))
    sb <- suppressWarnings(svyby(f, byf, des, FUN, na.rm = TRUE, deff = "replace",
                                 keep.var = TRUE))
    lab <- do.call(paste, c(lapply(by, function(b) as.character(sb[[b]])), sep = "\r"))
    mine <- if (length(by) > 1) paste(tab$domain_1, tab$domain_2, sep = "\r") else tab$domain_1
    idx <- match(mine, lab)
    stopifnot(!anyNA(idx))
    stopifnot(isTRUE(all.equal(as.vector(coef(sb))[idx], tab$estimate, tolerance = 1e-12)))
    se_ok <- is.finite(tab$se)  # R's NaN (average with nothing to average) stays NaN in svyby
    stopifnot(isTRUE(all.equal(as.vector(SE(sb))[idx][se_ok], tab$se[se_ok], tolerance = 1e-10)))
  } else {
    FUN <- if (stat == "total") svytotal else svymean
    whole <- suppressWarnings(FUN(f, des, na.rm = TRUE, deff = "replace"))
    stopifnot(isTRUE(all.equal(as.vector(coef(whole)), tab$estimate, tolerance = 1e-12)))
    if (!isTRUE(all.equal(as.vector(SE(whole)), tab$se, tolerance = 1e-10))) { print(whole); print(tab); stop("mismatch") }
    stopifnot(degf(valid) == tab$df)
  }

  call <- sprintf("options(survey.lonely.psu='%s', survey.adjust.domain.lonely=%s); svydesign(ids=%s, strata=%s, weights=%s, fpc=%s, data=%s, nest=TRUE); %s(~%s%s)",
                  spec$lonely_psu, spec$adjust_domain_lonely,
                  formula_text(spec$psu, "~1"), formula_text(spec$strata),
                  formula_text(spec$weights), formula_text(spec$fpc), spec$data,
                  if (stat == "total") "svytotal" else "svymean", var,
                  if (is.null(by)) "" else paste0(" by ~", paste(by, collapse = "+")))
  cases[[length(cases) + 1]] <<- json_obj(c(list(case = cid), spec,
                                            list(stat = stat, var = var, by = by,
                                                 level = level, r_call = call)))
  results[[length(results) + 1]] <<- tab
}

run_error <- function(spec, stat, var) {
  case_no <<- case_no + 1
  cid <- sprintf("c%03d", case_no)
  options(survey.lonely.psu = spec$lonely_psu,
          survey.adjust.domain.lonely = spec$adjust_domain_lonely)
  f <- as.formula(paste0("~", var))
  msg <- tryCatch({
    des <- make_design(spec)
    svymean(f, des, na.rm = TRUE); ""
  }, error = function(e) conditionMessage(e))
  stopifnot(nzchar(msg))
  errors[[length(errors) + 1]] <<- json_obj(c(list(case = cid), spec,
                                              list(stat = stat, var = var, r_error = msg)))
}

spec <- function(data, weights = NULL, strata = NULL, psu = NULL, fpc = NULL,
                 lonely_psu = "fail", adjust_domain_lonely = FALSE) {
  list(data = data, weights = weights, strata = strata, psu = psu, fpc = fpc,
       lonely_psu = lonely_psu, adjust_domain_lonely = adjust_domain_lonely)
}

# R's api data --------------------------------------------------------------------------------
s <- spec("apistrat", weights = "pw", strata = "stype", fpc = "fpc")   # FPC as population sizes
run_case(s, "proportion", "sw", NULL)
run_case(s, "proportion", "sw", "stype")
run_case(s, "proportion", "aw", "cname")             # tiny, 0 % and 100 % domains
run_case(s, "proportion", "sw", c("stype", "aw"))    # two-way table
run_case(s, "proportion", "api_hi", "stype")         # missing answers
run_case(s, "proportion", "sw", "stype", level = 0.9)
run_case(s, "mean", "api00", NULL)
run_case(s, "mean", "api00", "stype")
run_case(s, "total", "enroll", "stype")
run_case(s, "total", "enroll", NULL)
s <- spec("apistrat", weights = "pw", strata = "stype", fpc = "fpc_frac")  # FPC as fractions
run_case(s, "proportion", "sw", "stype")
run_case(s, "mean", "api00", "stype")
s <- spec("apistrat", weights = "pw", strata = "stype")               # no FPC
run_case(s, "proportion", "sw", "stype")
run_case(s, "mean", "api00", NULL)
s <- spec("apistrat", weights = "pw", strata = "stype", psu = "dnum")  # strata and PSUs
run_case(s, "proportion", "sw", "stype")
run_case(s, "proportion", "aw", NULL)
run_case(s, "mean", "api00", "sw")
s <- spec("apiclus1", weights = "pw", psu = "dnum", fpc = "fpc")      # one-stage cluster sample
run_case(s, "proportion", "sw", NULL)
run_case(s, "proportion", "sw", "stype")
run_case(s, "proportion", "ed_hi", "stype")          # missing answers
run_case(s, "mean", "api00", "stype")
run_case(s, "mean", "avg.ed", NULL)
run_case(s, "total", "enroll", "stype")
s <- spec("apiclus1", weights = "pw", psu = "dnum")                   # with replacement
run_case(s, "proportion", "sw", "stype")
s <- spec("apiclus2", weights = "pw", psu = "dnum", fpc = "fpc1")     # ultimate clusters
run_case(s, "proportion", "sw", "stype")
run_case(s, "mean", "enroll", "stype")                # missing values
run_case(s, "total", "enroll", NULL)
s <- spec("apisrs", fpc = "fpc")                                       # weights from the FPC
run_case(s, "proportion", "sw", NULL)
run_case(s, "proportion", "yr_rnd", "stype")          # 180 of 200 missing
run_case(s, "mean", "api00", "stype")
s <- spec("apisrs", weights = "pw1")                                  # equal weights, SRS
run_case(s, "proportion", "sw", "stype")
run_case(s, "mean", "api00", NULL)

# Lonely PSUs under each policy, with and without FPC and domain-lonely adjustment -------------
for (pol in c("certainty", "remove", "adjust", "average")) {
  for (adl in c(FALSE, TRUE)) {
    for (fp in list(NULL, "pop_psu", "frac_psu")) {
      s <- spec("lonely", weights = "weight", strata = "stratum", psu = "office", fpc = fp,
                lonely_psu = pol, adjust_domain_lonely = adl)
      run_case(s, "proportion", "satisfied", NULL)
      run_case(s, "proportion", "satisfied", "dom")
      if (is.null(fp)) {
        run_case(s, "mean", "score", "dom")
        run_case(s, "total", "score", "level")
        run_case(s, "proportion", "satisfied", c("level", "field"))
        run_case(s, "proportion", "satisfied", "region")
      }
    }
  }
}
# Each row its own PSU, strata with a single row
s <- spec("lonely", weights = "weight", strata = "office", lonely_psu = "adjust")
run_case(s, "proportion", "satisfied", "dom")
s <- spec("lonely", weights = "weight", strata = "office", lonely_psu = "average")
run_case(s, "mean", "score", "dom")

# lonely_psu = "fail": R stops and names the stratum
for (fp in list(NULL, "pop_psu")) {
  run_error(spec("lonely", weights = "weight", strata = "stratum", psu = "office", fpc = fp,
                 lonely_psu = "fail"), "proportion", "satisfied")
}
# ... but not when the lonely stratum is a census of its PSUs: with FPC, S9 (1 of 1 PSU) adds no
# variance, and the strata S3 and S7 still fail.

# Multi-stage designs --------------------------------------------------------------------------
# R's apiclus2: two-stage cluster sample (districts, then schools), FPC at both stages
for (w in list(NULL, "pw")) {
  s <- spec("apiclus2", weights = w, psu = c("dnum", "snum"), fpc = c("fpc1", "fpc2"))
  run_case(s, "proportion", "sw", NULL)
  run_case(s, "proportion", "sw", "stype")
  run_case(s, "mean", "api00", "stype")
  run_case(s, "mean", "enroll", NULL)                  # missing values
  run_case(s, "total", "enroll", "stype")
}
for (pol in c("certainty", "adjust", "average")) {     # single schools that are not a census
  s <- spec("apiclus2", psu = c("dnum", "snum"), fpc = c("fpc1", "fpc2b"), lonely_psu = pol)
  run_case(s, "proportion", "sw", "stype")
  run_case(s, "mean", "api00", NULL)
}
s <- spec("apiclus2", weights = "pw", psu = c("dnum", "snum"))   # no FPC: the first stage only
run_case(s, "mean", "api00", "stype")
# The constructed two-stage design under each policy, with and without domain-lonely adjustment
for (pol in c("certainty", "remove", "adjust", "average")) {
  for (adl in c(FALSE, TRUE)) {
    s <- spec("twostage", strata = "stratum", psu = c("office", "rid"),
              fpc = c("pop_psu", "pop2"), lonely_psu = pol, adjust_domain_lonely = adl)
    run_case(s, "proportion", "satisfied", NULL)
    run_case(s, "proportion", "satisfied", "dom")
    run_case(s, "mean", "score", "dom")
    if (!adl) {
      run_case(s, "total", "score", "level")
      run_case(s, "proportion", "satisfied", c("level", "region"))
    }
    # second-stage strata (channel within office), given weights
    s <- spec("twostage", weights = "weight", strata = c("stratum", "channel"),
              psu = c("office", "rid"), fpc = c("pop_psu", "pop2s"), lonely_psu = pol,
              adjust_domain_lonely = adl)
    run_case(s, "proportion", "satisfied", "dom")
    run_case(s, "mean", "score", "level")
  }
}
s <- spec("twostage", strata = "stratum", psu = c("office", "rid"), fpc = c("frac1", "frac2"),
          lonely_psu = "adjust")                                   # FPC as sampling fractions
run_case(s, "proportion", "satisfied", "dom")
run_case(s, "mean", "score", NULL)
s <- spec("twostage", strata = "stratum", psu = c("office", "channel", "rid"),
          fpc = c("pop_psu", "n_channels", "pop2s"), lonely_psu = "adjust")  # three stages
run_case(s, "proportion", "satisfied", "dom")
run_case(s, "mean", "score", "region")
s <- spec("twostage", weights = "weight", strata = "stratum", psu = c("office", "rid"),
          lonely_psu = "adjust")                                   # no FPC: ultimate cluster
run_case(s, "proportion", "satisfied", "dom")

# Errors: fail at stage 1 and at stage 2, an FPC without a column per stage
run_error(spec("twostage", strata = "stratum", psu = c("office", "rid"),
               fpc = c("pop_psu", "pop2"), lonely_psu = "fail"), "proportion", "satisfied")
run_error(spec("apiclus2", psu = c("dnum", "snum"), fpc = c("fpc1", "fpc2b"),
               lonely_psu = "fail"), "proportion", "sw")
run_error(spec("apiclus2", psu = c("dnum", "snum"), fpc = "fpc1", lonely_psu = "fail"),
          "proportion", "sw")

# Covariance between domain means (svyby covmat) of two-stage designs ---------------------------
covs <- list()
cov_case <- function(spec, var, by) {
  options(survey.lonely.psu = spec$lonely_psu, survey.adjust.domain.lonely = FALSE)
  des <- make_design(spec)
  des <- des[!is.na(des$variables[[var]]), ]
  sb <- svyby(as.formula(paste0("~", var)), as.formula(paste0("~", by)), des, svymean,
              covmat = TRUE)
  v <- vcov(sb)
  options(survey.ultimate.cluster = TRUE)  # the first stage's share
  v1 <- vcov(svyby(as.formula(paste0("~", var)), as.formula(paste0("~", by)), des, svymean,
                   covmat = TRUE))
  options(survey.ultimate.cluster = FALSE)
  lab <- as.character(sb[[by]])
  covs[[length(covs) + 1]] <<- data.frame(
    data = spec$data, psu = paste(spec$psu, collapse = "+"),
    strata = if (is.null(spec$strata)) NA else paste(spec$strata, collapse = "+"),
    fpc = paste(spec$fpc, collapse = "+"), lonely_psu = spec$lonely_psu, var = var, by = by,
    row = rep(lab, times = length(lab)), col = rep(lab, each = length(lab)),
    value = fmt(as.vector(v)), stage1 = fmt(as.vector(v1)), stringsAsFactors = FALSE)
}
for (pol in c("certainty", "adjust")) {
  cov_case(spec("twostage", strata = "stratum", psu = c("office", "rid"),
                fpc = c("pop_psu", "pop2"), lonely_psu = pol), "score", "dom")
  cov_case(spec("twostage", weights = "weight", strata = c("stratum", "channel"),
                psu = c("office", "rid"), fpc = c("pop_psu", "pop2s"), lonely_psu = pol),
           "satisfied", "level")
}
cov_case(spec("apiclus2", psu = c("dnum", "snum"), fpc = c("fpc1", "fpc2"), lonely_psu = "fail"),
         "api00", "stype")
write.csv(do.call(rbind, covs), file.path(out_dir, "covariance.csv"), row.names = FALSE,
          na = "NA", fileEncoding = "UTF-8")

# ---------------------------------------------------------------------------------------------
# Write
# ---------------------------------------------------------------------------------------------
res <- do.call(rbind, results)
num <- c("estimate", "se", "se_stage1", "deff", "beta_low", "beta_high", "logit_low", "logit_high",
         "mean_low", "mean_high", "t_low", "t_high")
for (col in num) res[[col]] <- fmt(res[[col]])
write.csv(res, file.path(out_dir, "results.csv"), row.names = FALSE, na = "NA",
          fileEncoding = "UTF-8")
writeLines(c("[", paste(unlist(cases), collapse = ",\n"), "]"), file.path(out_dir, "cases.json"),
           useBytes = TRUE)
writeLines(c("[", paste(unlist(errors), collapse = ",\n"), "]"), file.path(out_dir, "errors.json"),
           useBytes = TRUE)
writeLines(json_obj(list(R = R.version.string,
                         survey = as.character(packageVersion("survey")))),
           file.path(out_dir, "versions.json"))
cat("wrote", length(cases), "cases,", nrow(res), "domain rows,", length(errors), "error cases\n")
