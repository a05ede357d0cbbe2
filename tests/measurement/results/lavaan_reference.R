# Reference values for tests/measurement (run from this folder):
#   Rscript lavaan_reference.R
# Produces every *.csv / *.json in this folder. The Python tests only read these
# files; they never call R. Versions are written to r_versions.json.
# R 4 with lavaan 0.6-14, psych 2.2.9, semTools 0.5-6 produced the stored files.
suppressPackageStartupMessages({library(lavaan); library(psych); library(jsonlite)})

versions <- list(R = R.version.string,
                 lavaan = as.character(packageVersion("lavaan")),
                 psych = as.character(packageVersion("psych")))
write(toJSON(versions, auto_unbox = TRUE, pretty = TRUE), "r_versions.json")

HS <- lavaan::HolzingerSwineford1939
write.csv(HS[, c("id", "school", paste0("x", 1:9))], "holzinger1939.csv", row.names = FALSE)

# ---- omega total of one-factor ML models: (sum lambda)^2 / ((sum lambda)^2 + sum theta)
omega_row <- function(dataset, items, data) {
  model <- paste("f =~", paste(items, collapse = " + "))
  fit <- cfa(model, data = data, std.lv = TRUE, estimator = "ML")  # listwise by default
  pe <- parameterEstimates(fit)
  lam <- pe$est[pe$op == "=~"]
  th <- pe$est[pe$op == "~~" & pe$lhs == pe$rhs & pe$lhs %in% items]
  a <- psych::alpha(data[complete.cases(data[, items]), items], check.keys = FALSE, warnings = FALSE)
  data.frame(dataset = dataset, items = paste(items, collapse = " "),
             n = lavInspect(fit, "nobs"),
             omega = sum(lam)^2 / (sum(lam)^2 + sum(th)),
             alpha_psych = a$total$raw_alpha, std_alpha_psych = a$total$std.alpha,
             loadings = paste(sprintf("%.10f", lam), collapse = " "),
             residuals = paste(sprintf("%.10f", th), collapse = " "))
}
bfi <- psych::bfi
write.csv(bfi[, c(paste0("N", 1:5), paste0("C", 1:5))], "bfi_NC.csv", row.names = FALSE, na = "")
om <- rbind(
  omega_row("holzinger", paste0("x", 1:3), HS),
  omega_row("holzinger", paste0("x", 4:6), HS),
  omega_row("holzinger", paste0("x", 7:9), HS),
  omega_row("bfi", paste0("N", 1:5), bfi),
  omega_row("bfi", paste0("C", 1:3), bfi)
)
write.csv(om, "omega_lavaan.csv", row.names = FALSE)

# ---- item analysis (psych::alpha, listwise) on bfi N1-N5
nn <- bfi[complete.cases(bfi[, paste0("N", 1:5)]), paste0("N", 1:5)]
a <- psych::alpha(nn, check.keys = FALSE, warnings = FALSE)
items <- data.frame(item = rownames(a$item.stats), r_drop = a$item.stats$r.drop,
                    alpha_if_deleted = a$alpha.drop$raw_alpha,
                    mean = a$item.stats$mean, sd = a$item.stats$sd)
items$omega_if_deleted <- sapply(items$item, function(it) {
  omega_row("bfi", setdiff(paste0("N", 1:5), it), nn)$omega })
write.csv(items, "items_bfi_N_psych.csv", row.names = FALSE)

# ---- three-factor CFA of Holzinger-Swineford, single group and by school
HS.model <- "visual =~ x1 + x2 + x3
             textual =~ x4 + x5 + x6
             speed =~ x7 + x8 + x9"
measures <- c("chisq", "df", "fmin", "cfi", "tli", "rmsea", "rmsea.ci.lower",
              "rmsea.ci.upper", "srmr", "srmr_bentler", "srmr_bentler_nomean",
              "baseline.chisq", "baseline.df", "logl", "unrestricted.logl", "ntotal")
fits <- list(
  single = cfa(HS.model, data = HS),
  configural = cfa(HS.model, data = HS, group = "school"),
  metric = cfa(HS.model, data = HS, group = "school", group.equal = "loadings"),
  scalar = cfa(HS.model, data = HS, group = "school", group.equal = c("loadings", "intercepts"))
)
fm <- do.call(rbind, lapply(names(fits), function(nm) {
  v <- fitMeasures(fits[[nm]], measures)
  data.frame(model = nm, t(as.numeric(v)))
}))
names(fm) <- c("model", gsub("\\.", "_", measures))
write.csv(fm, "holzinger_cfa_fit_lavaan.csv", row.names = FALSE)

std <- standardizedSolution(fits$single)
std <- std[std$op == "=~", c("lhs", "rhs", "est.std")]
write.csv(std, "holzinger_cfa_loadings_lavaan.csv", row.names = FALSE)
pe <- do.call(rbind, lapply(names(fits), function(nm) {
  p <- parameterEstimates(fits[[nm]])
  p <- p[p$op %in% c("=~", "~1"), ]
  if (is.null(p$group)) p$group <- 1
  data.frame(model = nm, lhs = p$lhs, op = p$op, rhs = p$rhs, group = p$group, est = p$est)
}))
write.csv(pe, "holzinger_cfa_estimates_lavaan.csv", row.names = FALSE)
cat("groups:", lavInspect(fits$configural, "group.label"), "\n")

# ---- the same models with missing values, full-information ML (missing = "ml")
# Deterministic holes: x1 when id %% 7 == 0, x5 when id %% 11 == 0, x9 when id %% 13 == 0,
# x2 and x3 when id %% 17 == 0.
HSm <- HS
HSm$x1[HSm$id %% 7 == 0] <- NA
HSm$x5[HSm$id %% 11 == 0] <- NA
HSm$x9[HSm$id %% 13 == 0] <- NA
HSm$x2[HSm$id %% 17 == 0] <- NA
HSm$x3[HSm$id %% 17 == 0] <- NA
write.csv(HSm[, c("id", "school", paste0("x", 1:9))], "holzinger1939_missing.csv", row.names = FALSE, na = "")
fits_m <- list(
  single = cfa(HS.model, data = HSm, missing = "ml"),
  configural = cfa(HS.model, data = HSm, group = "school", missing = "ml"),
  metric = cfa(HS.model, data = HSm, group = "school", missing = "ml", group.equal = "loadings"),
  scalar = cfa(HS.model, data = HSm, group = "school", missing = "ml",
               group.equal = c("loadings", "intercepts"))
)
fm <- do.call(rbind, lapply(names(fits_m), function(nm) {
  v <- fitMeasures(fits_m[[nm]], measures)
  data.frame(model = nm, t(as.numeric(v)))
}))
names(fm) <- c("model", gsub("\\.", "_", measures))
write.csv(fm, "holzinger_cfa_fit_missing_lavaan.csv", row.names = FALSE)
std <- standardizedSolution(fits_m$single)
std <- std[std$op == "=~", c("lhs", "rhs", "est.std")]
write.csv(std, "holzinger_cfa_loadings_missing_lavaan.csv", row.names = FALSE)
