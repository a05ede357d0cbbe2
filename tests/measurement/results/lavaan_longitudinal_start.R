# Reference values for tests/measurement/test_longitudinal_invariance.py::test_hard_start_equals_lavaan
# panel_commitment.csv: the demo study's four commitment items (leerlab demo --seed 7,
# clean stage; renamed a1..a4) in wide form, one row per person, three waves. From
# semopy's default start SLSQP stopped far from the optimum here (configural chi2 216.8).
# Run from this folder: Rscript lavaan_longitudinal_start.R
suppressPackageStartupMessages(library(lavaan))
waves <- c("T0", "T1", "T2")
items <- c("a1", "a2", "a3", "a4")
dat <- read.csv("panel_commitment.csv")
source("lavaan_longitudinal_model.R")
measures <- c("chisq", "df", "cfi", "tli", "rmsea", "srmr", "baseline.chisq", "ntotal")
rows <- list()
for (step in c("configural", "metric", "scalar")) {
  fit <- cfa(model_for(step), data = dat, missing = "ml", meanstructure = TRUE)
  v <- fitMeasures(fit, measures)
  rows[[length(rows) + 1]] <- data.frame(step = step, t(as.numeric(v)))
}
fm <- do.call(rbind, rows)
names(fm) <- c("step", gsub(".", "_", measures, fixed = TRUE))
write.csv(fm, "longitudinal_commitment_lavaan.csv", row.names = FALSE)
