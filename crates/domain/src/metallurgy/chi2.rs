//! The chi-square distribution, for the gross-error test of a reconciliation: its statistic J
//! is chi-square with as many degrees of freedom as independent balances. A table covers a few
//! levels and degrees of freedom; a circuit can have any number, so the quantile is computed.

/// ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: about 15 significant digits).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection keeps the series in its accurate range.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The regularised lower incomplete gamma function P(a, x) = γ(a, x) / Γ(a), a > 0, x >= 0:
/// the series below x = a + 1, the continued fraction (modified Lentz) above, each where it
/// converges fast.
pub fn regularized_gamma_p(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let log_prefix = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        let (mut term, mut sum, mut n) = (1.0 / a, 1.0 / a, a);
        for _ in 0..1000 {
            n += 1.0;
            term *= x / n;
            sum += term;
            if term.abs() < sum.abs() * 1e-17 {
                break;
            }
        }
        (sum.ln() + log_prefix).exp().min(1.0)
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..1000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-17 {
                break;
            }
        }
        (1.0 - (h.ln() + log_prefix).exp()).max(0.0)
    }
}

/// P(X <= x) for X chi-square with `dof` degrees of freedom.
pub fn chi_square_cdf(x: f64, dof: usize) -> f64 {
    regularized_gamma_p(dof as f64 / 2.0, x / 2.0)
}

fn chi_square_pdf(x: f64, dof: usize) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let k = dof as f64 / 2.0;
    ((k - 1.0) * x.ln() - x / 2.0 - k * std::f64::consts::LN_2 - ln_gamma(k)).exp()
}

/// The `p` quantile (0 < p < 1) of the chi-square distribution with `dof` >= 1 degrees of
/// freedom: Newton's method on the distribution function, kept inside a bracket that bisection
/// narrows whenever a Newton step would leave it.
pub fn chi_square_quantile(p: f64, dof: usize) -> f64 {
    assert!(dof >= 1 && p > 0.0 && p < 1.0, "chi-square quantile of p = {p} with {dof} degrees of freedom");
    let (mut lo, mut hi) = (0.0_f64, (dof as f64).max(1.0));
    while chi_square_cdf(hi, dof) < p {
        lo = hi;
        hi *= 2.0;
    }
    let mut x = 0.5 * (lo + hi);
    for _ in 0..200 {
        let f = chi_square_cdf(x, dof) - p;
        if f == 0.0 {
            return x;
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let pdf = chi_square_pdf(x, dof);
        let newton = if pdf > 0.0 { x - f / pdf } else { f64::NAN };
        let next = if newton > lo && newton < hi { newton } else { 0.5 * (lo + hi) };
        if (next - x).abs() <= 1e-14 * x.max(1e-300) {
            return next;
        }
        x = next;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_gamma_of_integers_and_halves() {
        assert!((ln_gamma(1.0)).abs() < 1e-14);
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-13);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-14);
        assert!((ln_gamma(0.25) - 3.625_609_908_221_908_f64.ln()).abs() < 1e-13);
    }

    #[test]
    fn quantiles_match_the_printed_table() {
        // Table values of the 95 % (and 99 %) points, to the six decimals printed.
        for (p, dof, table) in [
            (0.95, 1, 3.841459),
            (0.95, 2, 5.991465),
            (0.95, 3, 7.814728),
            (0.95, 10, 18.307038),
            (0.95, 30, 43.772972),
            (0.95, 100, 124.342113),
            (0.99, 1, 6.634897),
            (0.99, 10, 23.209251),
            (0.05, 10, 3.940299),
        ] {
            let q = chi_square_quantile(p, dof);
            assert!((q - table).abs() < 5e-7, "p {p} dof {dof}: {q} vs {table}");
        }
    }

    #[test]
    fn two_degrees_of_freedom_has_a_closed_form() {
        // With 2 degrees of freedom the distribution is exponential: x = -2 ln(1 - p).
        for p in [0.01, 0.5, 0.95, 0.999] {
            let q = chi_square_quantile(p, 2);
            assert!((q + 2.0 * (1.0 - p).ln()).abs() < 1e-11 * q.max(1.0), "{p}: {q}");
        }
    }

    #[test]
    fn quantile_inverts_the_distribution_function() {
        for dof in [1, 2, 5, 40, 250, 1000] {
            for p in [0.001, 0.05, 0.5, 0.95, 0.999] {
                let q = chi_square_quantile(p, dof);
                assert!((chi_square_cdf(q, dof) - p).abs() < 1e-12, "dof {dof} p {p}");
            }
        }
    }
}
