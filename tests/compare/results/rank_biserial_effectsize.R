# Reference values for tests/compare/test_groups.py::test_rank_biserial_ci_matches_effectsize
# R 4.2, effectsize 0.8.3 (Debian r-cran-effectsize); output stored in rank_biserial_effectsize.csv
library(effectsize)
x <- c(3.25, 4.0, 2.5, 3.75, 4.5, 3.0, 2.75, 4.25, 3.5, 3.5, 5.0, 2.0)
y <- c(2.5, 3.0, 3.25, 2.0, 2.75, 3.5, 1.75, 3.0, 2.25)
r1 <- rank_biserial(x, y, ci = 0.95)
r2 <- rank_biserial(y, x, ci = 0.90)
print(r1); print(r2)
cat(sprintf("%.12f,%.12f,%.12f\n", r1$r_rank_biserial, r1$CI_low, r1$CI_high))
cat(sprintf("%.12f,%.12f,%.12f\n", r2$r_rank_biserial, r2$CI_low, r2$CI_high))
print(packageVersion("effectsize"))
