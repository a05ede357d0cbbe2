# The lavaan syntax of the longitudinal invariance steps, shared by
# lavaan_longitudinal.R and lavaan_longitudinal_start.R (source()d; reads the
# caller's `waves` and `items`): one factor per wave with the first loading fixed,
# residuals of the same item correlated across waves; metric equal loadings,
# scalar also equal intercepts with the later waves' factor means free.
model_for <- function(step) {
  lines <- c()
  for (w in waves) {
    v <- paste0(items, "__", w)
    lab <- if (step == "configural") paste0("l", 2:4, "_", w) else paste0("l", 2:4)
    lines <- c(lines, paste0("f_", w, " =~ 1*", v[1], " + ",
                             paste0(lab, "*", v[-1], collapse = " + ")))
    ilab <- if (step == "scalar") paste0("n", 1:4) else paste0("n", 1:4, "_", w)
    lines <- c(lines, paste0(v, " ~ ", ilab, "*1"))
    if (step == "scalar" && w != waves[1]) lines <- c(lines, paste0("f_", w, " ~ 1"))
    else lines <- c(lines, paste0("f_", w, " ~ 0*1"))
  }
  for (k in seq_along(items)) {
    v <- paste0(items[k], "__", waves)
    for (a in 1:(length(v) - 1)) for (b in (a + 1):length(v))
      lines <- c(lines, paste0(v[a], " ~~ ", v[b]))
  }
  paste(lines, collapse = "\n")
}
