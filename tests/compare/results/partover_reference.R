# Reference values for the `waves` rows of change.csv (compare/change.py: overlap_vec):
# the partially overlapping samples t-test of Derrick, Toher & White (2017), T_new2
# (separate variances), as R's Partiallyoverlapping::Partover.test (version 2.0).
#
# Run from the repository root:
#   Rscript tests/compare/results/partover_reference.R
# Writes tests/compare/results/partover_data.csv (the samples) and
# tests/compare/results/partover_reference.csv (Partover.test per case). Sample 1 is
# the later wave, sample 2 the earlier, so `estimate` is later minus earlier, as
# change.csv's mean_diff. The tests never call R.
suppressPackageStartupMessages(library(Partiallyoverlapping))
stopifnot(packageVersion("Partiallyoverlapping") == "2.0")
dir <- "tests/compare/results"

set.seed(20171)
draw <- function(n_left, n_new, n_paired, rho, shift) {
  z <- matrix(rnorm(2 * n_paired), ncol = 2)
  earlier_p <- 3.4 + 0.6 * z[, 1]
  later_p <- 3.4 + shift + 0.6 * (rho * z[, 1] + sqrt(1 - rho^2) * z[, 2])
  list(
    later_unpaired = round(3.4 + shift + 0.7 * rnorm(n_new), 4),
    earlier_unpaired = round(3.4 + 0.5 * rnorm(n_left), 4),
    later_paired = round(later_p, 4),
    earlier_paired = round(earlier_p, 4)
  )
}
cases <- list(
  # the example of the package's documentation (Derrick, Toher & White 2017)
  package_example = list(
    later_unpaired = c(20, 21, 16, 18, 14, 12, 14, 17),
    earlier_unpaired = c(10, 16, 18, 16, 15, 14, 13, 10),
    later_paired = c(14, 15, 18, 20, 11, 19, 14, 15),
    earlier_paired = c(15, 10, 15, 17, 13, 19, 12, 13)
  ),
  few_leavers = draw(3, 9, 18, 0.6, 0.3),
  few_newcomers = draw(11, 2, 25, 0.5, -0.2),
  no_leavers = draw(0, 6, 14, 0.7, 0.1),
  negative_r = draw(8, 7, 12, -0.4, 0.25),
  large = draw(40, 35, 120, 0.55, 0.05)
)

data_rows <- list()
res_rows <- list()
for (name in names(cases)) {
  s <- cases[[name]]
  for (part in names(s)) {
    if (length(s[[part]])) {
      data_rows[[length(data_rows) + 1]] <- data.frame(case = name, sample = part, value = s[[part]])
    }
  }
  r <- Partover.test(
    x1 = s$later_unpaired, x2 = s$earlier_unpaired,
    x3 = s$later_paired, x4 = s$earlier_paired,
    var.equal = FALSE, conf.level = 0.95
  )
  res_rows[[length(res_rows) + 1]] <- data.frame(
    case = name, statistic = r$statistic, df = r$parameter, p = r$p.value,
    estimate = r$estimate, ci_low = r$conf.int[1], ci_high = r$conf.int[2]
  )
}
# the documented result of the package example (equal variances): p = 0.026
eq <- Partover.test(cases$package_example$later_unpaired, cases$package_example$earlier_unpaired,
                    cases$package_example$later_paired, cases$package_example$earlier_paired,
                    var.equal = TRUE)
stopifnot(round(eq$p.value, 3) == 0.026)

write.csv(do.call(rbind, data_rows), file.path(dir, "partover_data.csv"), row.names = FALSE)
out <- do.call(rbind, res_rows)
out[-1] <- lapply(out[-1], function(x) sprintf("%.15g", x))
write.csv(out, file.path(dir, "partover_reference.csv"), row.names = FALSE, quote = FALSE)
