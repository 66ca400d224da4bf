//! Predictive distributions: turning a mean and a variance into quantiles.
//!
//! Sales are counts, so a count-valued series gets a discrete distribution: a negative
//! binomial with the given mean and variance when the variance exceeds the mean
//! (over-dispersion: demand that comes in clumps), a Poisson otherwise (a variance below
//! the mean is sampling noise of a short history; the Poisson is then the slightly wider,
//! safer choice). A series with fractional values (weights, volumes, any data set given to
//! `forecast eval`) gets a normal distribution cut at zero instead.
//!
//! Quantiles of a discrete distribution are whole numbers: the smallest `k` with
//! `P(X ≤ k) ≥ p`. They are monotone in `p` by construction, and an interval
//! `[q(0.05), q(0.95)]` of a count covers *at least* 90 % (more for low rates, where one
//! step from 0 to 1 already carries many percent of probability).

/// The standard normal quantiles of the probabilities [`super::Quantiles`] reports.
const Z05: f64 = -1.644_853_626_951_472_2;
const Z90: f64 = 1.281_551_565_544_600_5;
const Z95: f64 = 1.644_853_626_951_472_2;

/// Most terms summed for one discrete quantile before falling back to the normal shape.
const MAX_TERMS: usize = 200_000;

/// A predictive distribution of a non-negative quantity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Predictive {
    /// Its mean (the point forecast), ≥ 0.
    pub mean: f64,
    /// Its variance, ≥ 0.
    pub variance: f64,
    /// Whether the quantity is a count (discrete distribution) or continuous.
    pub discrete: bool,
}

impl Predictive {
    /// A distribution with this mean and variance; non-finite or negative inputs are read
    /// as 0, so the result is always usable.
    pub fn new(mean: f64, variance: f64, discrete: bool) -> Self {
        let clean = |x: f64| if x.is_finite() && x > 0.0 { x } else { 0.0 };
        Predictive { mean: clean(mean), variance: clean(variance), discrete }
    }

    /// The `p`-quantile; `p` is clamped into (0, 1), a NaN `p` reads as 0.5.
    pub fn quantile(&self, p: f64) -> f64 {
        let p = if p.is_nan() { 0.5 } else { p.clamp(1e-12, 1.0 - 1e-12) };
        let mut out = [0.0];
        self.quantiles_into(&[p], &mut out, &[inverse_normal(p)]);
        out[0]
    }

    /// The four reported quantiles.
    pub fn quantiles(&self) -> super::Quantiles {
        let mut out = [0.0; 4];
        self.quantiles_into(&[0.05, 0.5, 0.9, 0.95], &mut out, &[Z05, 0.0, Z90, Z95]);
        super::Quantiles { q05: out[0], q50: out[1], q90: out[2], q95: out[3] }
    }

    /// Quantiles at ascending probabilities `ps` (with their normal scores `zs`).
    fn quantiles_into(&self, ps: &[f64], out: &mut [f64], zs: &[f64]) {
        if self.mean <= 0.0 {
            out.fill(0.0);
            return;
        }
        if !(self.discrete && discrete_quantiles(self.mean, self.variance, ps, out)) {
            let sd = self.variance.sqrt();
            for (o, z) in out.iter_mut().zip(zs) {
                *o = (self.mean + z * sd).max(0.0);
            }
        }
    }
}

/// Fills `out` with the quantiles at ascending `ps` of a negative binomial (Poisson when
/// `variance ≤ mean`); false when the distribution is too wide to sum term by term.
fn discrete_quantiles(mean: f64, variance: f64, ps: &[f64], out: &mut [f64]) -> bool {
    let poisson = variance <= mean * (1.0 + 1e-9);
    let var = if poisson { mean } else { variance };
    let sd = var.sqrt();
    if 30.0 * sd > MAX_TERMS as f64 {
        return false;
    }
    // The mass below `start` is negligible (more than 12 standard deviations down, and
    // both distributions have a lighter left than right tail).
    let start = (mean - 12.0 * sd).floor().max(0.0);
    let (r, q) = if poisson { (0.0, 0.0) } else { (mean * mean / (var - mean), 1.0 - mean / var) };
    let log_pmf_start = if poisson {
        start * mean.ln() - mean - ln_gamma(start + 1.0)
    } else {
        ln_gamma(start + r) - ln_gamma(r) - ln_gamma(start + 1.0) + r * (1.0 - q).ln() + start * q.ln()
    };
    let mut pmf = log_pmf_start.exp();
    let mut cdf = pmf;
    let mut k = start;
    let mut i = 0;
    for _ in 0..MAX_TERMS {
        while i < ps.len() && cdf >= ps[i] {
            out[i] = k;
            i += 1;
        }
        if i == ps.len() {
            return true;
        }
        pmf *= if poisson { mean / (k + 1.0) } else { (k + r) / (k + 1.0) * q };
        k += 1.0;
        cdf += pmf;
        if !pmf.is_finite() {
            break;
        }
        // Rounding can stop the sum just short of 1: past the bulk, the rest is the tail.
        if pmf < 1e-300 && k > mean + 40.0 * sd {
            out[i..].fill(k);
            return true;
        }
    }
    false
}

/// ln Γ(x) for x > 0: Stirling's series, shifted up to x ≥ 10 where it is accurate to
/// about 1e-13.
pub fn ln_gamma(x: f64) -> f64 {
    let mut shift = 0.0;
    let mut x = x;
    while x < 10.0 {
        shift -= x.ln();
        x += 1.0;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    let series = inv * (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 / 1680.0)));
    shift + (x - 0.5) * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI).ln() + series
}

/// The standard normal quantile, by bisection on [`normal_cdf`] (used for arbitrary `p`
/// only; the reported quantiles use constants).
pub fn inverse_normal(p: f64) -> f64 {
    let (mut lo, mut hi) = (-40.0_f64, 40.0_f64);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if normal_cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The standard normal distribution function, from the complementary error function
/// (Chebyshev fit with fractional error below 1.2e-7, Numerical Recipes' `erfcc`).
pub fn normal_cdf(x: f64) -> f64 {
    let z = (x / std::f64::consts::SQRT_2).abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let erfc = t * poly.exp();
    if x >= 0.0 { 1.0 - 0.5 * erfc } else { 0.5 * erfc }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn ln_gamma_matches_factorials() {
        let mut fact = 1.0_f64;
        for n in 1..30 {
            fact *= n as f64;
            assert!((ln_gamma(n as f64 + 1.0) - fact.ln()).abs() < 1e-10, "{n}");
        }
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-10);
    }

    #[test]
    fn poisson_quantiles_match_tables() {
        // Poisson(5): P(X ≤ 1) = 0.040, P(X ≤ 2) = 0.125, P(X ≤ 8) = 0.932, P(X ≤ 9) = 0.968.
        let q = Predictive::new(5.0, 5.0, true).quantiles();
        assert_eq!((q.q05, q.q50, q.q95), (2.0, 5.0, 9.0));
        assert_eq!(Predictive::new(0.0, 0.0, true).quantiles(), super::super::Quantiles::default());
    }

    #[test]
    fn negative_binomial_is_wider_than_poisson() {
        let nb = Predictive::new(5.0, 20.0, true).quantiles();
        let po = Predictive::new(5.0, 5.0, true).quantiles();
        assert!(nb.q95 > po.q95 && nb.q05 <= po.q05);
    }

    #[test]
    fn huge_means_fall_back_or_sum_without_overflow() {
        for (m, v) in [(1e6, 1e6), (1e6, 1e9), (1e12, 1e13), (3000.0, 3000.0)] {
            let d = Predictive::new(m, v, true);
            let q = d.quantiles();
            assert!(q.q05 <= q.q50 && q.q50 <= q.q95 && q.q95.is_finite(), "{m} {v}: {q:?}");
            assert!((q.q50 - m).abs() <= 0.01 * m, "{m} {v}: {q:?}");
        }
    }

    #[test]
    fn normal_quantile_inverts_the_cdf() {
        assert!((inverse_normal(0.95) - Z95).abs() < 1e-6);
        assert!((inverse_normal(0.9) - Z90).abs() < 1e-6);
        assert!(inverse_normal(0.5).abs() < 1e-6);
    }
}
