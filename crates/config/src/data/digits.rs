//! The 8×8 handwritten digits (the *Digits* tab): the UCI set's 1,797 images of 64 counts 0..16,
//! a seeded train/test split, the network's inputs, and a digit drawn by the user turned into the
//! same kind of image the same way the data set was made.

use super::csv_table;
use super::split::seeded_split;

/// Where the site keeps the file (next to the page and the worker), and its credit.
pub const FILE: &str = "data/digits.csv";
pub const CREDIT: &str = "Handwritten digits: E. Alpaydin and C. Kaynak, UCI Machine Learning Repository (CC BY 4.0)";
/// Images in the file, pixels per image, classes.
pub const COUNT: usize = 1797;
pub const PIXELS: usize = 64;
pub const CLASSES: usize = 10;
/// The largest count of a pixel: inked pixels of a 4×4 block.
pub const MAX_INK: u8 = 16;

/// The data set: images (64 counts each, row by row from the top) and their digits.
#[derive(Clone, Debug, PartialEq)]
pub struct Digits {
    pub images: Vec<[u8; PIXELS]>,
    pub labels: Vec<u8>,
}

impl Digits {
    /// Read the file's text (65 numbers per row: the image, then the digit); a damaged file is an
    /// error that says what is wrong.
    pub fn parse(bytes: &[u8]) -> Result<Digits, String> {
        let names: Vec<String> = (0..=PIXELS).map(|i| format!("c{i}")).collect();
        let wanted: Vec<&str> = names.iter().map(String::as_str).collect();
        let table = csv_table::read(bytes, &wanted).map_err(|e| format!("the digits file cannot be read: {e}"))?;
        if let Some(problem) = table.skipped.first() {
            return Err(format!("the digits file is damaged: {problem}"));
        }
        let mut digits = Digits { images: Vec::with_capacity(table.rows.len()), labels: Vec::with_capacity(table.rows.len()) };
        for (i, row) in table.rows.iter().enumerate() {
            let whole = |v: f64, max: u8| (v.fract() == 0.0 && (0.0..=max as f64).contains(&v)).then_some(v as u8);
            let mut image = [0u8; PIXELS];
            for (p, v) in image.iter_mut().zip(row) {
                *p = whole(*v, MAX_INK).ok_or_else(|| format!("the digits file is damaged: row {} has a pixel {v}", i + 1))?;
            }
            let label = whole(row[PIXELS], 9).ok_or_else(|| format!("the digits file is damaged: row {} has the label {}", i + 1, row[PIXELS]))?;
            digits.images.push(image);
            digits.labels.push(label);
        }
        Ok(digits)
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Indices of the training and the test images (`seeded_split`).
    pub fn split(&self, test_fraction: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
        seeded_split(self.len(), test_fraction, seed)
    }
}

/// The network's inputs for an image: each count scaled from 0..16 to [−1, 1].
pub fn features(image: &[u8; PIXELS]) -> [f32; PIXELS] {
    image.map(|v| v as f32 / 8.0 - 1.0)
}

/// A digit drawn by the user (`ink`: one value per pixel of a `width` × `height` pad, row by row,
/// inked where ≥ 0.5) as the data set's kind of image: the ink's bounding box, made square around
/// its centre, is resampled to a 32×32 bitmap, whose 4×4 blocks' inked pixels are counted (0..16),
/// as the UCI set was made from its writers' 32×32 bitmaps. `None` for an empty pad.
pub fn from_ink(ink: &[f32], width: usize, height: usize) -> Option<[u8; PIXELS]> {
    if width == 0 || height == 0 || ink.len() != width * height {
        return None;
    }
    let inked = |x: usize, y: usize| ink[y * width + x] >= 0.5;
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for y in 0..height {
        for x in 0..width {
            if inked(x, y) {
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            }
        }
    }
    if x0 == usize::MAX {
        return None;
    }
    // The square box around the ink, centred on it (it may reach past the pad: blank there).
    let side = (x1 - x0 + 1).max(y1 - y0 + 1) as f64;
    let (cx, cy) = ((x0 + x1 + 1) as f64 / 2.0, (y0 + y1 + 1) as f64 / 2.0);
    let (left, top) = (cx - side / 2.0, cy - side / 2.0);
    let mut counts = [0u8; PIXELS];
    for by in 0..32 {
        for bx in 0..32 {
            // The pad pixel at the centre of bitmap cell (bx, by).
            let x = left + (bx as f64 + 0.5) * side / 32.0;
            let y = top + (by as f64 + 0.5) * side / 32.0;
            let on = x >= 0.0 && y >= 0.0 && (x as usize) < width && (y as usize) < height && inked(x as usize, y as usize);
            counts[(by / 4) * 8 + bx / 4] += u8::from(on);
        }
    }
    Some(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> Vec<u8> {
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../public/data/digits.csv")).expect("the digits file in public/data")
    }

    #[test]
    fn the_file_loads_with_its_counts_and_ranges() {
        let d = Digits::parse(&file()).unwrap();
        assert_eq!(d.len(), COUNT);
        assert!(d.images.iter().flatten().all(|v| *v <= MAX_INK));
        assert!(d.images.iter().flatten().any(|v| *v == MAX_INK));
        let mut per_digit = [0usize; CLASSES];
        for &l in &d.labels {
            per_digit[l as usize] += 1;
        }
        // About 180 of each digit.
        assert!(per_digit.iter().all(|n| (170..=190).contains(n)), "{per_digit:?}");
        // The first image is a 0 (a ring of ink around an empty middle).
        assert_eq!(d.labels[0], 0);
        assert_eq!(d.images[0][27], 0);
        let (train, test) = d.split(0.2, 1);
        assert_eq!((train.len(), test.len()), (1438, 359));
        assert_eq!(d.split(0.2, 1), (train.clone(), test.clone()));
        assert_ne!(d.split(0.2, 2).1, test);
        let mut all: Vec<usize> = train.into_iter().chain(test).collect();
        all.sort_unstable();
        assert_eq!(all, (0..COUNT).collect::<Vec<_>>());
        assert_eq!(features(&d.images[0])[0], -1.0);
        assert_eq!(features(&[MAX_INK; PIXELS])[63], 1.0);
    }

    #[test]
    fn a_damaged_file_is_refused() {
        assert!(Digits::parse(b"").is_err());
        let row = |pixel: &str, label: &str| format!("{}{pixel},{label}\n", "0,".repeat(PIXELS - 1));
        assert!(Digits::parse(row("0", "3").as_bytes()).is_ok());
        assert!(Digits::parse(row("17", "3").as_bytes()).unwrap_err().contains("pixel 17"));
        assert!(Digits::parse(row("0", "10").as_bytes()).unwrap_err().contains("label 10"));
        assert!(Digits::parse(row("0.5", "1").as_bytes()).is_err());
        assert!(Digits::parse(format!("{}0,1,2\n", row("0", "1")).as_bytes()).unwrap_err().contains("damaged"));
    }

    #[test]
    fn drawn_ink_becomes_block_counts_of_its_box() {
        assert_eq!(from_ink(&[0.0; 100], 10, 10), None);
        assert_eq!(from_ink(&[1.0; 3], 10, 10), None);
        // Ink filling a whole 64 × 64 pad: every block full.
        assert_eq!(from_ink(&[1.0; 64 * 64], 64, 64), Some([MAX_INK; PIXELS]));
        // A vertical bar, 4 wide and 32 high, in the corner of a large pad: the box is made square
        // around it, so the bar lands in the middle (bitmap columns 14 to 17: half of blocks 3
        // and 4), full height.
        let (w, h) = (200, 150);
        let mut ink = vec![0.0; w * h];
        for y in 10..42 {
            for x in 20..24 {
                ink[y * w + x] = 1.0;
            }
        }
        let counts = from_ink(&ink, w, h).unwrap();
        for row in 0..8 {
            let line = &counts[row * 8..row * 8 + 8];
            assert_eq!(line, &[0, 0, 0, 8, 8, 0, 0, 0], "row {row}: {counts:?}");
        }
        // The same bar drawn twice as large gives the same counts.
        let mut big = vec![0.0; w * h];
        for y in 20..84 {
            for x in 40..48 {
                big[y * w + x] = 1.0;
            }
        }
        assert_eq!(from_ink(&big, w, h), Some(counts));
    }
}
