# Reference values for leerlab_research.coding.agreement from R's irr package
# (Gamer, Lemon, Fellows & Singh, irr 0.84.1): kappa2() and kripp.alpha(method = "nominal").
#
# Writes irr_examples.csv (the coded data: example, answer, coder_a, coder_b, coder_c;
# 1 = theme present, 0 = absent, NA = not coded) and irr_values.csv.
#
# Run from this folder: Rscript irr_agreement.R
# Without the installed package (Debian has no r-cran-irr), point IRR_SRC at the
# package's R/ sources (kappa2.R and kripp.alpha.R are plain R):
#   IRR_SRC=/path/to/irr/R Rscript irr_agreement.R
if (requireNamespace("irr", quietly = TRUE)) {
  kappa2 <- irr::kappa2
  kripp.alpha <- irr::kripp.alpha
  irr_version <- as.character(packageVersion("irr"))
} else {
  src <- Sys.getenv("IRR_SRC")
  source(file.path(src, "kappa2.R"))
  source(file.path(src, "kripp.alpha.R"))
  desc <- read.dcf(file.path(src, "..", "DESCRIPTION"))
  irr_version <- paste0(desc[1, "Version"], " (sources)")
}

set.seed(20190901)
make <- function(name, n, p, flip_b, flip_c, miss_c) {
  truth <- rbinom(n, 1, p)
  a <- truth
  b <- ifelse(runif(n) < flip_b, 1 - truth, truth)
  c <- ifelse(runif(n) < flip_c, 1 - truth, truth)
  c[runif(n) < miss_c] <- NA
  data.frame(example = name, answer = seq_len(n), coder_a = a, coder_b = b, coder_c = c)
}
ex <- rbind(
  make("common_theme", 120, 0.40, 0.10, 0.15, 0.00),
  make("rare_theme", 200, 0.08, 0.05, 0.05, 0.20),
  make("noisy", 60, 0.50, 0.35, 0.30, 0.10),
  make("small", 15, 0.30, 0.10, 0.20, 0.30)
)
write.csv(ex, "irr_examples.csv", row.names = FALSE, na = "")

rows <- list()
for (name in unique(ex$example)) {
  d <- ex[ex$example == name, ]
  k <- kappa2(d[, c("coder_a", "coder_b")])
  a2 <- kripp.alpha(t(as.matrix(d[, c("coder_a", "coder_b")])), method = "nominal")
  a3 <- kripp.alpha(t(as.matrix(d[, c("coder_a", "coder_b", "coder_c")])), method = "nominal")
  rows[[name]] <- data.frame(
    example = name, kappa_ab = k$value, alpha_ab = a2$value, alpha_abc = a3$value
  )
}
out <- do.call(rbind, rows)
out$irr_version <- irr_version
write.csv(format(out, digits = 15), "irr_values.csv", row.names = FALSE, quote = FALSE)
print(out)
