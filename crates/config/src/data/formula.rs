//! Formulas typed by the user, such as `sin(3*x) + 0.2*x^2`.
//!
//! Parsing is done by `exmex` (a maintained f64 expression crate): no JavaScript eval, and every
//! failure is a readable message instead of a panic. A 1-D target's only variable is `x`; a 2-D
//! regression's formula may use `x` and `y`.

use exmex::{Express, FlatEx};

/// Longest formula we accept; protects the parser and the URL from pathological input.
pub const MAX_FORMULA_LEN: usize = 200;

/// A parsed formula in `x` (and, for a surface, `y`).
#[derive(Clone, Debug)]
pub struct Formula {
    source: String,
    expr: FlatEx<f64>,
}

impl PartialEq for Formula {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Formula {
    /// Parse `source`; returns a message a user can act on when it is not a valid formula of `x`.
    pub fn parse(source: &str) -> Result<Self, String> {
        Formula::parse_in(source, &["x"])
    }

    /// Parse a formula of `x` and `y` (a surface over the square [−1, 1]²).
    pub fn parse_xy(source: &str) -> Result<Self, String> {
        Formula::parse_in(source, &["x", "y"])
    }

    fn parse_in(source: &str, variables: &[&str]) -> Result<Self, String> {
        let trimmed = source.trim();
        if trimmed.is_empty() {
            let example = if variables.len() == 1 { "sin(3*x)" } else { "sin(3*x)*cos(2*y)" };
            return Err(format!("the formula is empty: try something like {example}"));
        }
        if trimmed.len() > MAX_FORMULA_LEN {
            return Err(format!("the formula is longer than {MAX_FORMULA_LEN} characters"));
        }
        // exmex can panic deep inside on some adversarial inputs in older versions; a formula is
        // user input, so contain any such panic and report it as a parse error.
        let parsed = std::panic::catch_unwind(|| exmex::parse::<f64>(trimmed));
        let expr = match parsed {
            Ok(Ok(expr)) => expr,
            Ok(Err(e)) => return Err(format!("cannot read the formula: {e}")),
            Err(_) => return Err("cannot read the formula".into()),
        };
        let others: Vec<&str> = expr.var_names().iter().map(String::as_str).filter(|n| !variables.contains(n)).collect();
        if !others.is_empty() {
            let known = if variables.len() == 1 { "the only variable is x".to_string() } else { format!("the variables are {}", variables.join(" and ")) };
            return Err(format!("unknown name {}: {known}", others.join(", ")));
        }
        let formula = Formula { source: trimmed.to_string(), expr };
        // A formula that cannot be evaluated anywhere in the domain is useless as a target.
        let grid = |i: usize| -1.0 + 0.25 * i as f64;
        if (0..=8).flat_map(|i| (0..=8).map(move |j| (grid(i), grid(j)))).all(|(x, y)| formula.eval_xy(x, y).is_none()) {
            return Err(format!("the formula has no finite value on [-1, 1]{}", if variables.len() == 2 { "²" } else { "" }));
        }
        Ok(formula)
    }

    /// The text as the user typed it (trimmed).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Value at `x`, or `None` where the formula is undefined or not finite (e.g. `1/x` at 0).
    pub fn eval(&self, x: f64) -> Option<f64> {
        self.eval_xy(x, 0.0)
    }

    /// Value at (x, y) (a formula of `x` alone ignores `y`), or `None` where it is undefined or
    /// not finite.
    pub fn eval_xy(&self, x: f64, y: f64) -> Option<f64> {
        // exmex lists the variables a formula uses in alphabetical order: x before y.
        let args: Vec<f64> = self.expr.var_names().iter().map(|v| if v == "y" { y } else { x }).collect();
        match self.expr.eval(&args) {
            Ok(v) if v.is_finite() => Some(v),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluates_common_formulas() {
        let f = Formula::parse("sin(3*x)").unwrap();
        assert!((f.eval(0.5).unwrap() - (1.5f64).sin()).abs() < 1e-12);
        let g = Formula::parse(" x^2 + 1/2 ").unwrap();
        assert!((g.eval(2.0).unwrap() - 4.5).abs() < 1e-12);
        let c = Formula::parse("0.25").unwrap();
        assert_eq!(c.eval(0.3), Some(0.25));
        let pi = Formula::parse("cos(PI*x)").unwrap();
        assert!((pi.eval(1.0).unwrap() + 1.0).abs() < 1e-12);
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        for bad in [
            "", "   ", "sin(", "x +* 2", "y + 1", "foo(x)", "((((", "x x", "1/0", "🙂", "sin(x", "*",
            "x^", "()", ")(", "exp(", "a*b", "\u{0}", "x..1", "--", "e^^x",
        ] {
            assert!(Formula::parse(bad).is_err(), "accepted {bad:?}");
        }
        assert!(Formula::parse(&"x+".repeat(150)).is_err());
    }

    #[test]
    fn surfaces_use_x_and_y() {
        let f = Formula::parse_xy("x^2 + 2*y").unwrap();
        assert_eq!(f.eval_xy(0.5, 0.25), Some(0.75));
        let only_y = Formula::parse_xy("cos(PI*y)").unwrap();
        assert!((only_y.eval_xy(0.3, 1.0).unwrap() + 1.0).abs() < 1e-12);
        assert!(Formula::parse_xy("x + z").unwrap_err().contains("the variables are x and y"));
        assert!(Formula::parse("y + 1").unwrap_err().contains("the only variable is x"));
        assert!(Formula::parse_xy("1/(x-x)").is_err());
    }

    #[test]
    fn undefined_points_are_none() {
        let f = Formula::parse("1/x").unwrap();
        assert_eq!(f.eval(0.0), None);
        assert_eq!(f.eval(2.0), Some(0.5));
        let g = Formula::parse("sqrt(x)").unwrap();
        assert_eq!(g.eval(-1.0), None);
    }
}

#[cfg(test)]
mod no_panic {
    /// On wasm32 a panic aborts the page, so the parser itself must not panic on anything a user
    /// can type: throw random strings over the formula alphabet at exmex directly (no catch_unwind).
    #[test]
    fn exmex_does_not_panic_on_random_input() {
        use rand::{Rng, SeedableRng};
        let alphabet: Vec<char> = "x0123456789.+-*/^()eEπ sincoqrtabl,|!&%".chars().collect();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for _ in 0..20_000 {
            let len = rng.random_range(0..16);
            let s: String = (0..len).map(|_| alphabet[rng.random_range(0..alphabet.len())]).collect();
            if let Ok(e) = exmex::parse::<f64>(&s) {
                use exmex::Express;
                let _ = e.eval(&vec![0.5; e.var_names().len()]);
            }
        }
    }
}
