# Reference values for tests/compare (run once: Rscript reference.R; tests never call R).
#
# Sources:
#   Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability.
#   Bliese, P. D. (2022). Multilevel Modeling in R (2.7), the manual of R package
#     `multilevel` (sections on ICC1/ICC2 with bh1996 and rwg.j/awg with lq2002).
#   R package multilevel 2.7 (data bh1996, lq2002; functions ICC1, ICC2, rwg.j, awg).
#   R package lme4 (REML random-intercept model, ranef(condVar = TRUE)).
suppressPackageStartupMessages({library(multilevel); library(lme4)})
data(bh1996)
data(lq2002)
out <- list()

# ICC(1), ICC(2) of WBEING, HRS, LEAD, COHES by GRP (manual: ICC1(aov(WBEING ~ as.factor(GRP))))
for (v in c("WBEING", "HRS", "LEAD", "COHES")) {
  m <- aov(bh1996[[v]] ~ as.factor(bh1996$GRP))
  out[[length(out) + 1]] <- data.frame(source = "multilevel::ICC1/ICC2", data = "bh1996",
    variable = v, statistic = c("icc1", "icc2"), value = c(ICC1(m), ICC2(m)))
}
write.csv(bh1996[, c("GRP", "WBEING", "HRS", "LEAD", "COHES")], "bh1996.csv", row.names = FALSE)

# rwg(j) and awg(j) on lq2002 (manual examples: TSIG01-03 with ranvar = 2; LEAD01-11)
tsig <- c("TSIG01", "TSIG02", "TSIG03")
lead <- sprintf("LEAD%02d", 1:11)
write.csv(lq2002[, c("COMPID", tsig, lead)], "lq2002.csv", row.names = FALSE)
r1 <- rwg.j(lq2002[, tsig], lq2002$COMPID, ranvar = 2)
r2 <- rwg.j(lq2002[, lead], lq2002$COMPID, ranvar = 2)
a1 <- awg(lq2002[, tsig], lq2002$COMPID, range = c(1, 5))
a2 <- awg(lq2002[, lead], lq2002$COMPID, range = c(1, 5))
write.csv(data.frame(grpid = r1$grpid, items = "TSIG", rwg_j = r1$rwg.j, gsize = r1$gsize,
                     awg = a1$a.wg), "rwgj_awg_tsig.csv", row.names = FALSE)
write.csv(data.frame(grpid = r2$grpid, items = "LEAD", rwg_j = r2$rwg.j, gsize = r2$gsize,
                     awg = a2$a.wg), "rwgj_awg_lead.csv", row.names = FALSE)

# lme4 REML intercept-only model of WBEING: variance components, intercept, BLUPs and
# their conditional variances (independent check of the benchmark's empirical Bayes).
fit <- lmer(WBEING ~ 1 + (1 | GRP), data = bh1996, REML = TRUE)
vc <- as.data.frame(VarCorr(fit))
re <- ranef(fit, condVar = TRUE)
pv <- attr(re$GRP, "postVar")
write.csv(data.frame(grp = rownames(re$GRP), blup = re$GRP[, 1], condvar = as.numeric(pv[1, 1, ])),
          "lme4_wbeing_blups.csv", row.names = FALSE)
out[[length(out) + 1]] <- data.frame(source = "lme4::lmer REML", data = "bh1996", variable = "WBEING",
  statistic = c("tau2", "sigma2", "intercept"), value = c(vc$vcov[1], vc$vcov[2], fixef(fit)[[1]]))
res <- do.call(rbind, out)
write.csv(res, "reference_values.csv", row.names = FALSE)
print(res)
cat(R.version.string, "multilevel", as.character(packageVersion("multilevel")),
    "lme4", as.character(packageVersion("lme4")), "\n")
