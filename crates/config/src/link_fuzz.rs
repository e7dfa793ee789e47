//! Throws random and mutated share links at the link decoder. Every input must decode without a
//! panic, and the link the page then writes back must be clean (no notices) and stable. `cargo run --release --bin fuzz_links -- N`
//! runs N links; the test suite runs a short version.

use rand::seq::IndexedRandom;
use rand::Rng;

use crate::experiment::{Experiment, Kind, IMAGE_NAMES};
use crate::link::KEYS;
use crate::rng::{stream, Stream};

/// Keys that are not in the link table, next to those that are.
const STRANGE_KEYS: [&str; 3] = ["zzz", "", "%"];
const VALUES: [&str; 32] = [
    "1", "0", "-1", "2", "1e9", "NaN", "inf", "-0", "0.5", "99999999999999999999999", "fit1d", "image", "field", "sine",
    "spiral", "upload", "pwl", "mlp", "continuous", "fourier", "relu", "adam", "lion", "cpu", "webgpu", "sin(3*x)",
    "x^", "%FF%FE", "%25", "", "lesson", "lr,net,zzz",
];
const JUNK: &[u8] = b"=&#?%+-._*()!~'\";:/\\ \t\n0123456789abcxyzXYZ\xc3\xa9";

fn random_link(rng: &mut impl Rng) -> String {
    let pairs = rng.random_range(0..12);
    let mut out = String::new();
    if rng.random_bool(0.3) {
        out.push('#');
    }
    for i in 0..pairs {
        if i > 0 {
            out.push('&');
        }
        let key = rng.random_range(0..KEYS.len() + STRANGE_KEYS.len());
        out.push_str(KEYS.get(key).map_or_else(|| STRANGE_KEYS[key - KEYS.len()], |k| k.name));
        if rng.random_bool(0.9) {
            out.push('=');
        }
        if rng.random_bool(0.8) {
            out.push_str(VALUES.choose(rng).unwrap());
        } else {
            let n = rng.random_range(0..40);
            out.extend((0..n).map(|_| rng.random_range(0x20u32..0x2FFF)).filter_map(char::from_u32));
        }
    }
    out
}

/// A valid link of a random experiment, then byte-level damage: flips, cuts, insertions.
fn mutated_link(rng: &mut impl Rng) -> String {
    let kind = *Kind::ALL.choose(rng).unwrap();
    let mut e = Experiment::default_for(kind);
    e.init_seed = rng.random();
    e.width = rng.random_range(1..300);
    e.image = IMAGE_NAMES.choose(rng).unwrap().to_string();
    let mut bytes = e.to_link().into_bytes();
    for _ in 0..rng.random_range(1..6) {
        if bytes.is_empty() {
            break;
        }
        let at = rng.random_range(0..bytes.len());
        match rng.random_range(0..4) {
            0 => bytes[at] = *JUNK.choose(rng).unwrap(),
            1 => bytes.truncate(at),
            2 => bytes.insert(at, *JUNK.choose(rng).unwrap()),
            _ => {
                bytes.remove(at);
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Decode `count` links; returns how many decoded with at least one notice. Panics (with the
/// offending link) when a decoded experiment does not round-trip cleanly.
pub fn run(count: u64, seed: u64) -> u64 {
    let mut rng = stream(seed, Stream::Data);
    let mut noticed = 0;
    for i in 0..count {
        let link = if i % 2 == 0 { random_link(&mut rng) } else { mutated_link(&mut rng) };
        let (e, notices) = Experiment::from_link(&link);
        noticed += u64::from(!notices.is_empty());
        // The page writes `e.to_link()` back to the address bar. Settings the experiment does not
        // use (the knot maximum with growth off, the picture of a 1-D fit) are not written, so the
        // first decode may differ from `e` there; from then on decoding and encoding must agree.
        let written = e.to_link();
        let (e2, notices2) = Experiment::from_link(&written);
        assert!(notices2.is_empty(), "link {link:?}: the page's own link {written:?} gives notices {notices2:?}");
        assert_eq!(e2.to_link(), written, "link {link:?}: the written link is not stable");
        assert_eq!(Experiment::from_link(&e2.to_link()).0, e2, "link {link:?}: decode∘encode is not the identity");
    }
    noticed
}

#[cfg(test)]
mod tests {
    #[test]
    fn twenty_thousand_random_and_mutated_links() {
        let noticed = super::run(20_000, 7);
        // Most random links are wrong somewhere: the decoder must have said so.
        assert!(noticed > 5_000, "{noticed}");
    }
}
