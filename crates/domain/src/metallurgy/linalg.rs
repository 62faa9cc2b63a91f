//! The little dense linear algebra a reconciliation needs: a circuit has tens of balances and a
//! few hundred measurements at most, so plain row-major vectors and the textbook algorithms are
//! fast enough, easy to audit and need no dependency.

/// A dense row-major matrix.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Matrix {
    pub rows: usize,
    pub cols: usize,
    data: Vec<f64>,
}

impl Matrix {
    pub fn zeros(rows: usize, cols: usize) -> Matrix {
        Matrix { rows, cols, data: vec![0.0; rows * cols] }
    }

    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    pub fn row_mut(&mut self, i: usize) -> &mut [f64] {
        &mut self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// y = A x
    #[cfg(test)]
    pub fn mul_vec(&self, x: &[f64]) -> Vec<f64> {
        (0..self.rows).map(|i| dot(self.row(i), x)).collect()
    }
}

impl std::ops::Index<(usize, usize)> for Matrix {
    type Output = f64;
    fn index(&self, (i, j): (usize, usize)) -> &f64 {
        &self.data[i * self.cols + j]
    }
}

impl std::ops::IndexMut<(usize, usize)> for Matrix {
    fn index_mut(&mut self, (i, j): (usize, usize)) -> &mut f64 {
        &mut self.data[i * self.cols + j]
    }
}

pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The indices, ascending, of a largest set of linearly independent rows of `a`; their count
/// is the rank. Gaussian elimination with partial pivoting on a copy whose rows are first
/// scaled to a largest entry of 1 (rank does not depend on row scale, and the tolerance then
/// means the same for a flow balance in t/h and a metal balance in t x %). A pivot below `tol`
/// counts as zero. The rows kept are original rows: each pivot row is its original minus
/// multiples of earlier pivot rows, so the kept originals span the same space.
pub(crate) fn independent_rows(a: &Matrix, tol: f64) -> Vec<usize> {
    let mut work: Vec<(usize, Vec<f64>)> = (0..a.rows)
        .filter_map(|i| {
            let r = a.row(i);
            let max = r.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
            (max > 0.0).then(|| (i, r.iter().map(|v| v / max).collect()))
        })
        .collect();
    let mut kept = Vec::new();
    for col in 0..a.cols {
        if work.is_empty() {
            break;
        }
        let (best, size) = work
            .iter()
            .enumerate()
            .map(|(k, (_, r))| (k, r[col].abs()))
            .fold((0, -1.0), |b, c| if c.1 > b.1 { c } else { b });
        if size <= tol {
            continue;
        }
        let (orig, pivot) = work.swap_remove(best);
        for (_, r) in work.iter_mut() {
            let factor = r[col] / pivot[col];
            if factor != 0.0 {
                for (x, p) in r[col..].iter_mut().zip(&pivot[col..]) {
                    *x -= factor * p;
                }
            }
        }
        kept.push(orig);
    }
    kept.sort_unstable();
    kept
}

/// The lower-triangular L with L L^T = `m`, for a symmetric positive definite `m`; `None` when
/// a pivot is not clearly positive (singular or indefinite to working precision).
pub(crate) fn cholesky(m: &Matrix) -> Option<Matrix> {
    let n = m.rows;
    let max_diag = (0..n).fold(0.0_f64, |a, i| a.max(m[(i, i)]));
    let floor = max_diag * 1e-14 * n as f64;
    let mut l = Matrix::zeros(n, n);
    for j in 0..n {
        let d = m[(j, j)] - dot(&l.row(j)[..j], &l.row(j)[..j]);
        if d.is_nan() || d <= floor {
            return None;
        }
        let d = d.sqrt();
        l[(j, j)] = d;
        for i in j + 1..n {
            let s = m[(i, j)] - dot(&l.row(i)[..j], &l.row(j)[..j]);
            l[(i, j)] = s / d;
        }
    }
    Some(l)
}

/// Solve L z = b in place (forward substitution).
pub(crate) fn forward(l: &Matrix, b: &mut [f64]) {
    for i in 0..l.rows {
        let s = b[i] - dot(&l.row(i)[..i], &b[..i]);
        b[i] = s / l[(i, i)];
    }
}

/// Solve L^T x = z in place (back substitution).
pub(crate) fn backward(l: &Matrix, b: &mut [f64]) {
    for i in (0..l.rows).rev() {
        let mut s = b[i];
        for k in i + 1..l.rows {
            s -= l[(k, i)] * b[k];
        }
        b[i] = s / l[(i, i)];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_rows(rows: &[&[f64]]) -> Matrix {
        let mut m = Matrix::zeros(rows.len(), rows[0].len());
        for (i, r) in rows.iter().enumerate() {
            m.row_mut(i).copy_from_slice(r);
        }
        m
    }

    #[test]
    fn rank_finds_a_dependent_balance() {
        // Node 3 is the sum of nodes 1 and 2 (an overall balance written out as well).
        let a = from_rows(&[&[1.0, -1.0, -1.0, 0.0], &[0.0, 1.0, 0.0, -1.0], &[1.0, 0.0, -1.0, -1.0]]);
        assert_eq!(independent_rows(&a, 1e-9).len(), 2);
        let a = from_rows(&[&[0.0, 0.0], &[2.0, 4.0], &[1e-3, 2e-3], &[0.0, 1.0]]);
        assert_eq!(independent_rows(&a, 1e-9), vec![1, 3]);
    }

    #[test]
    fn cholesky_solves_and_refuses_singular() {
        let m = from_rows(&[&[4.0, 2.0, 0.4], &[2.0, 5.0, 1.0], &[0.4, 1.0, 3.0]]);
        let l = cholesky(&m).unwrap();
        let x = [1.0, -2.0, 0.5];
        let mut b = m.mul_vec(&x);
        forward(&l, &mut b);
        backward(&l, &mut b);
        for (a, e) in b.iter().zip(x) {
            assert!((a - e).abs() < 1e-14);
        }
        assert!(cholesky(&from_rows(&[&[1.0, 1.0], &[1.0, 1.0]])).is_none());
        assert!(cholesky(&from_rows(&[&[1.0, 2.0], &[2.0, 1.0]])).is_none());
    }
}
