# Reference values for longitudinal measurement invariance
# (tests/reliability/test_longitudinal_invariance.py). Run once from this folder:
#   Rscript lavaan_longitudinal.R        (the tests never call R)
#
# Writes
#   panel_items.csv                 one row per person: item__T0 ... item__T2 (wide; NA where
#                                   the person did not answer that wave: attrition, newcomers)
#   longitudinal_invariance_lavaan.csv  step, missing, fit measures (configural/metric/scalar)
#
# Model: one factor per wave (4 items, marker = first item), factor (co)variances free across
# waves, residuals of the same item correlated across waves. Configural: loadings and
# intercepts free per wave, factor means 0. Metric: loadings equal across waves. Scalar:
# loadings and intercepts equal, factor means free after the first wave. Full-information ML
# (missing = "ml") on the panel; the complete-case panel is fitted too (missing = "listwise").
suppressPackageStartupMessages(library(lavaan))
set.seed(20240614)

n <- 420
waves <- c("T0", "T1", "T2")
items <- c("a1", "a2", "a3", "a4")
lam <- c(1, 0.9, 1.1, 0.7)
nu <- c(3.4, 3.6, 3.2, 3.0)
# latent factor across waves: AR-like correlation, small mean change
phi <- matrix(c(1, .6, .45, .6, 1, .6, .45, .6, 1), 3) * 0.5
eta <- MASS::mvrnorm(n, mu = c(0, 0.1, 0.05), Sigma = phi)
# item-specific residual shared across waves (the reason for correlated residuals)
spec <- matrix(rnorm(n * 4, 0, 0.3), n, 4)
dat <- data.frame(id = 1:n)
for (w in seq_along(waves)) {
  for (k in seq_along(items)) {
    y <- nu[k] + lam[k] * eta[, w] + spec[, k] + rnorm(n, 0, 0.5)
    dat[[paste0(items[k], "__", waves[w])]] <- pmin(5, pmax(1, round(y)))
  }
}
# attrition and newcomers: 1/4 start at T1 or T2; a third leaves after each wave
first <- sample(1:3, n, replace = TRUE, prob = c(0.75, 0.15, 0.10))
leave1 <- runif(n) < 1 / 3
leave2 <- runif(n) < 1 / 3
present <- cbind(first == 1, (first == 1 & !leave1) | first == 2,
                 ((first == 1 & !leave1) | first == 2) & !leave2 | first == 3)
for (w in seq_along(waves)) {
  cols <- paste0(items, "__", waves[w])
  dat[!present[, w], cols] <- NA
}
# a few item non-responses
for (k in 2:ncol(dat)) dat[runif(n) < 0.02, k] <- NA
dat <- dat[rowSums(!is.na(dat[, -1])) > 0, ]
write.csv(dat, "panel_items.csv", row.names = FALSE, na = "")

source("lavaan_longitudinal_model.R")
measures <- c("chisq", "df", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
              "srmr", "baseline.chisq", "baseline.df", "logl", "unrestricted.logl", "ntotal",
              "npar")
rows <- list()
for (miss in c("ml", "listwise")) {
  for (step in c("configural", "metric", "scalar")) {
    fit <- cfa(model_for(step), data = dat, missing = miss, meanstructure = TRUE)
    v <- fitMeasures(fit, measures)
    rows[[length(rows) + 1]] <- data.frame(step = step, missing = miss, t(as.numeric(v)))
  }
}
fm <- do.call(rbind, rows)
names(fm) <- c("step", "missing", gsub("\\.", "_", measures))
write.csv(fm, "longitudinal_invariance_lavaan.csv", row.names = FALSE)
print(fm)
cat(R.version.string, "lavaan", as.character(packageVersion("lavaan")), "\n")
