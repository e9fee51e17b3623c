# metafor.R — R's metafor on the same meta-analyses bench_meta fitted, for
# the ratio in bench/run.sh's table (issue 3's benchmark).
#
# usage: Rscript bench/metafor.R DATA.csv WW_ESTIMATES.csv REPS
#   DATA.csv          set,yi,vi as bench_meta --data wrote it
#   WW_ESTIMATES.csv  set,dl_tau2,dl_estimate,reml_tau2,reml_estimate
#                     as bench_meta --estimates wrote it
#
# Times rma.uni(yi, vi, method = "DL") and then "REML" over every set, REPS
# times each, and prints the medians as one line of key=value pairs, with
# the largest differences from whatworks' own estimates (metafor's REML
# stops at its default threshold, 1e-5; whatworks' at 1e-10, so REML
# differences of that order are expected). Only the fitting loop is timed:
# R's start-up, loading metafor and reading the CSV are not.

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 3) {
  cat("usage: Rscript metafor.R DATA.csv WW_ESTIMATES.csv REPS\n", file = stderr())
  quit(status = 64)
}
reps <- as.integer(args[3])
suppressPackageStartupMessages(library(metafor))

d <- read.csv(args[1])
by_set <- split(d[, c("yi", "vi")], d$set)
ys <- lapply(by_set, function(x) x$yi)
vs <- lapply(by_set, function(x) x$vi)
n <- length(ys)

fit_all <- function(method) {
  lapply(seq_len(n), function(j) {
    tryCatch(rma.uni(ys[[j]], vs[[j]], method = method), error = function(e) NULL)
  })
}

time_method <- function(method) {
  elapsed <- numeric(reps)
  fits <- NULL
  for (r in seq_len(reps)) {
    t0 <- proc.time()[["elapsed"]]
    fits <- fit_all(method)
    elapsed[r] <- proc.time()[["elapsed"]] - t0
  }
  list(ms = median(elapsed) * 1000, fits = fits)
}

dl <- time_method("DL")
reml <- time_method("REML")

ww <- read.csv(args[2])
max_diff <- function(fits, ww_values, what) {
  r <- vapply(fits, function(f) if (is.null(f)) NA_real_ else as.numeric(f[[what]]), 0)
  max(abs(r - ww_values), na.rm = TRUE)
}
failed <- sum(vapply(dl$fits, is.null, TRUE)) + sum(vapply(reml$fits, is.null, TRUE))

cat(sprintf(paste0("r_dl_ms=%.1f r_reml_ms=%.1f r_failed=%d max_dtau2_dl=%.3g max_dest_dl=%.3g ",
                   "max_dtau2_reml=%.3g max_dest_reml=%.3g metafor=%s R=%s\n"),
            dl$ms, reml$ms, failed,
            max_diff(dl$fits, ww$dl_tau2, "tau2"), max_diff(dl$fits, ww$dl_estimate, "beta"),
            max_diff(reml$fits, ww$reml_tau2, "tau2"),
            max_diff(reml$fits, ww$reml_estimate, "beta"),
            as.character(packageVersion("metafor")),
            paste(R.version$major, R.version$minor, sep = ".")))
