# Reference values for the longitudinal mixed models (tests/compare/test_longitudinal.py).
# Run once from this folder: Rscript lme4_longitudinal.R   (the tests never call R).
#
# Writes
#   panel_lme4.csv                 the simulated panel (12 labs, 3 waves, attrition and
#                                  newcomers, person ids unique within lab only)
#   lme4_longitudinal_fixef.csv    model, term, estimate, std_error (vcov(fit))
#   lme4_longitudinal_varcomp.csv  model, component, value (VarCorr; lab slope and covariance)
#   lme4_longitudinal_ranef.csv    model, lab, term, blup, condvar (ranef(condVar = TRUE))
#   lme4_longitudinal_logLik.csv   model, reml_loglik
#   lme4_anchoring_*.csv           the same four for the anchoring models as
#                                  compare/longitudinal.py fits them (below)
#
# Models (REML, lme4::lmer):
#   wave      y ~ wave + role + school_type + (1 | lab/person)
#   anchoring y ~ time + after + role + school_type + (1 + after0 | lab) + (1 | lab:person)
#   line      anchoring model + after:line + line
#   round     anchoring model + after:round + round
# time = years since the first wave, after = years since the lab's subsidy ended (0 before),
# after0 = after minus its value at the first wave (the lab's random intercept is its level
# at the first wave; its random slope the deviation of its slope after the subsidy).
suppressPackageStartupMessages(library(lme4))
set.seed(20240613)

n_labs <- 12
labs <- sprintf("lab%02d", 1:n_labs)
line <- rep(c("samenwerking", "leerroute"), length.out = n_labs)
round_ <- ifelse(1:n_labs <= 4, "r2019", "r2022")
# subsidy end in years after the first wave: 2019 labs long before, 2022 labs between T1 and T2
sub_end <- ifelse(round_ == "r2019", -2.1, 0.9)
wave_time <- c(T0 = 0, T1 = 0.75, T2 = 1.75)
u0 <- rnorm(n_labs, 0, 0.30)
u1 <- rnorm(n_labs, 0, 0.25)

rows <- list()
for (j in 1:n_labs) {
  n0 <- sample(25:40, 1)
  n_new1 <- sample(5:10, 1)
  n_new2 <- sample(5:10, 1)
  n <- n0 + n_new1 + n_new2
  role <- sample(c("docent", "management", "bestuur", "anders"), n, replace = TRUE,
                 prob = c(0.55, 0.2, 0.1, 0.15))
  school <- sample(c("vmbo", "mbo"), n, replace = TRUE)
  person_u <- rnorm(n, 0, 0.45)
  first <- c(rep(1, n0), rep(2, n_new1), rep(3, n_new2))
  stay12 <- runif(n) < 0.65
  stay23 <- runif(n) < 0.7
  for (i in 1:n) {
    present <- c(first[i] == 1,
                 (first[i] == 1 & stay12[i]) | first[i] == 2,
                 ((first[i] == 1 & stay12[i]) | first[i] == 2) & stay23[i] | first[i] == 3)
    for (w in which(present)) {
      t <- wave_time[[w]]
      after <- max(0, t - sub_end[j])
      mu <- 3.4 + 0.10 * t - 0.20 * after + u0[j] + u1[j] * (after - max(0, wave_time[[1]] - sub_end[j])) + person_u[i] +
        0.3 * (role[i] == "bestuur") + 0.15 * (role[i] == "management") +
        0.1 * (school[i] == "mbo") + 0.15 * (line[j] == "leerroute") * after
      rows[[length(rows) + 1]] <- data.frame(
        lab = labs[j], person = sprintf("p%03d", i), wave = names(wave_time)[w],
        time = t, after = after, after0 = after - max(0, wave_time[[1]] - sub_end[j]),
        role = role[i], school_type = school[i],
        line = line[j], round = round_[j], y = round(mu + rnorm(1, 0, 0.5), 6))
    }
  }
}
d <- do.call(rbind, rows)
d$role <- relevel(factor(d$role), ref = "docent")
d$school_type <- relevel(factor(d$school_type), ref = "vmbo")
d$line <- relevel(factor(d$line), ref = "samenwerking")
d$round <- relevel(factor(d$round), ref = "r2022")
write.csv(d, "panel_lme4.csv", row.names = FALSE)

ctrl <- lmerControl(optimizer = "nloptwrap",
                    optCtrl = list(xtol_abs = 1e-12, ftol_abs = 1e-14, maxeval = 1e5),
                    check.conv.singular = "ignore")
fits <- list(
  wave = lmer(y ~ wave + role + school_type + (1 | lab/person), data = d, REML = TRUE,
              control = ctrl),
  anchoring = lmer(y ~ time + after + role + school_type + (1 + after0 | lab) +
                     (1 | lab:person), data = d, REML = TRUE, control = ctrl),
  line = lmer(y ~ time + after + role + school_type + line + after:line +
                (1 + after0 | lab) + (1 | lab:person), data = d, REML = TRUE, control = ctrl),
  round = lmer(y ~ time + after + role + school_type + round + after:round +
                 (1 + after0 | lab) + (1 | lab:person), data = d, REML = TRUE, control = ctrl)
)

# Writes <prefix>_fixef/_varcomp/_ranef/_logLik.csv for a list of fits.
write_fits <- function(fits, prefix) {
  fx <- do.call(rbind, lapply(names(fits), function(m) {
    f <- fits[[m]]
    data.frame(model = m, term = names(fixef(f)), estimate = unname(fixef(f)),
               std_error = sqrt(diag(as.matrix(vcov(f)))))
  }))
  write.csv(fx, paste0(prefix, "_fixef.csv"), row.names = FALSE)
  vc <- do.call(rbind, lapply(names(fits), function(m) {
    v <- as.data.frame(VarCorr(fits[[m]]))
    # `||` names the groups lab.person, lab (after0) and lab.1 (intercept)
    comp <- ifelse(v$grp == "Residual", "residual",
            ifelse(v$grp %in% c("person:lab", "lab:person", "lab.person"), "person",
            ifelse(is.na(v$var2),
                   ifelse(v$var1 == "(Intercept)", "lab", "lab_after"),
                   "lab_cov_after")))
    data.frame(model = m, component = comp, value = v$vcov)
  }))
  write.csv(vc, paste0(prefix, "_varcomp.csv"), row.names = FALSE)
  re <- do.call(rbind, lapply(names(fits), function(m) {
    r <- ranef(fits[[m]], condVar = TRUE)$lab
    pv <- attr(r, "postVar")
    # `||` gives one postVar array per column (a list) and columns in its own order
    cv <- if (is.list(pv)) lapply(colnames(r), function(k) pv[[k]][1, 1, ]) else
      lapply(seq_len(ncol(r)), function(k) pv[k, k, ])
    do.call(rbind, lapply(seq_len(ncol(r)), function(k) {
      data.frame(model = m, lab = rownames(r), term = colnames(r)[k], blup = r[, k],
                 condvar = cv[[k]])
    }))
  }))
  write.csv(re, paste0(prefix, "_ranef.csv"), row.names = FALSE)
  ll <- data.frame(model = names(fits),
                   reml_loglik = sapply(fits, function(f) as.numeric(logLik(f))))
  write.csv(ll, paste0(prefix, "_logLik.csv"), row.names = FALSE)
  print(fx); print(vc); print(ll)
}
write_fits(fits, "lme4_longitudinal")

# The anchoring models as compare/longitudinal.py fits them: after0 (years after the
# subsidy minus their value at the first wave) in the fixed and the random part, with
# independent lab effects:
#   anchoring y ~ time + after0 + role + school_type + (1 + after0 || lab) + (1 | lab:person)
#   line      anchoring model + line + after0:line
#   round     anchoring model + round + after0:round
# after0 in the fixed part: a lab of an earlier round (subsidy ended years before the first
# wave) is not assumed to have been at the programme's level when its subsidy ended; its
# slope after the subsidy is learnt from its own change over the waves. `||`: the labs'
# levels at the first wave and their slopes after the subsidy are independent (with 12
# labs their correlation cannot be estimated with any precision, and a lab's verdict should
# rest on its own change, not on its level).
anchoring <- list(
  anchoring = lmer(y ~ time + after0 + role + school_type + (1 + after0 || lab) +
                     (1 | lab:person), data = d, REML = TRUE, control = ctrl),
  line = lmer(y ~ time + after0 + role + school_type + line + after0:line +
                (1 + after0 || lab) + (1 | lab:person), data = d, REML = TRUE, control = ctrl),
  round = lmer(y ~ time + after0 + role + school_type + round + after0:round +
                 (1 + after0 || lab) + (1 | lab:person), data = d, REML = TRUE, control = ctrl)
)
write_fits(anchoring, "lme4_anchoring")
cat(R.version.string, "lme4", as.character(packageVersion("lme4")), "\n")
