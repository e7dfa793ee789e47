//! Pictures for the implicit-image lab: decoding the user's files and the built-in photographs,
//! downscaling, and the procedural images.
//!
//! Decoding uses the `image` crate (pure Rust) rather than the browser, so every browser and the
//! native tests see exactly the same pixels — a share link to a built-in photo replays bit for bit.

use std::io::Cursor;

use image::imageops::FilterType;
use image::{ImageBuffer, ImageReader, Limits, Rgb};

/// Longest side the lab trains on; larger pictures are downscaled.
pub const MAX_SIDE: usize = 256;
/// Files larger than this are refused before decoding (a photo this size is not needed, and a
/// decompression bomb hides in small files anyway: see the pixel limits).
pub const MAX_FILE_BYTES: usize = 25 * 1024 * 1024;
/// Largest width or height a file may declare, and the decoder's memory cap.
const MAX_DECLARED_SIDE: u32 = 12_000;
const MAX_DECODER_BYTES: u64 = 512 * 1024 * 1024;

/// An RGB picture, row-major, channels in [0, 1].
#[derive(Clone, Debug, PartialEq)]
pub struct Picture {
    pub width: usize,
    pub height: usize,
    /// `width·height·3` values.
    pub rgb: Vec<f32>,
}

impl Picture {
    /// From 8-bit RGB bytes (the caller guarantees `bytes.len() == 3·width·height`).
    pub fn from_rgb8(width: usize, height: usize, bytes: &[u8]) -> Self {
        Picture { width, height, rgb: bytes.iter().map(|&b| b as f32 / 255.0).collect() }
    }

    /// 8-bit RGBA for `ImageData` (alpha opaque), rounding to the nearest level.
    pub fn to_rgba8(&self) -> Vec<u8> {
        rgba8_from_unit(&self.rgb)
    }

    /// Downscale (never upscale) so the longer side is at most `max_side`, keeping the aspect ratio.
    pub fn fit_within(self, max_side: usize) -> Picture {
        let longest = self.width.max(self.height);
        if longest <= max_side || longest == 0 {
            return self;
        }
        let scale = max_side as f64 / longest as f64;
        let w = ((self.width as f64 * scale).round() as u32).max(1);
        let h = ((self.height as f64 * scale).round() as u32).max(1);
        let buffer: ImageBuffer<Rgb<f32>, Vec<f32>> =
            ImageBuffer::from_raw(self.width as u32, self.height as u32, self.rgb).expect("rgb holds width·height·3 values");
        // Triangle is a proper area filter when shrinking (the crate widens its support by the
        // scale factor), so fine detail averages instead of aliasing.
        let small = image::imageops::resize(&buffer, w, h, FilterType::Triangle);
        Picture { width: w as usize, height: h as usize, rgb: small.into_raw().into_iter().map(|v| v.clamp(0.0, 1.0)).collect() }
    }

    /// Targets for training: `[pixels, 3]` in [−1, 1], as the seed (`v·2/255 − 1`).
    pub fn targets(&self) -> Vec<f32> {
        self.rgb.iter().map(|v| 2.0 * v - 1.0).collect()
    }
}

/// [0, 1] RGB triples → opaque 8-bit RGBA.
pub fn rgba8_from_unit(rgb: &[f32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rgb.len() / 3 * 4);
    for px in rgb.chunks_exact(3) {
        out.extend(px.iter().map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8));
        out.push(255);
    }
    out
}

/// Decode a PNG, JPEG, GIF, WebP or BMP file and downscale it to at most `max_side`. Every bad
/// input — not a picture, truncated, corrupt, too big — is an `Err` with a sentence for the user.
pub fn decode(bytes: &[u8], max_side: usize) -> Result<Picture, String> {
    if bytes.is_empty() {
        return Err("the file is empty".into());
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(format!(
            "the file is {:.1} MB; pictures up to {} MB are accepted (it is downscaled to {} px anyway)",
            bytes.len() as f64 / 1e6,
            MAX_FILE_BYTES / (1024 * 1024),
            max_side
        ));
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| format!("the file could not be read ({e})"))?;
    if reader.format().is_none() {
        return Err("this is not a picture the playground can read (PNG, JPEG, GIF, WebP or BMP)".into());
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DECLARED_SIDE);
    limits.max_image_height = Some(MAX_DECLARED_SIDE);
    limits.max_alloc = Some(MAX_DECODER_BYTES);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => {
            format!("the picture is too large (more than {MAX_DECLARED_SIDE} px on a side, or too much memory to decode)")
        }
        image::ImageError::Unsupported(_) => "this picture uses a variant of its format that is not supported".into(),
        image::ImageError::Decoding(d) => format!("the picture is damaged (the {} decoder could not read it)", d.format_hint()),
        image::ImageError::IoError(_) => "the picture is incomplete (the file ends too early)".into(),
        other => format!("the picture could not be decoded ({})", other.to_string().chars().take(80).collect::<String>()),
    })?;
    let rgb = decoded.to_rgb8();
    let (w, h) = (rgb.width() as usize, rgb.height() as usize);
    if w == 0 || h == 0 {
        return Err("the picture has no pixels".into());
    }
    Ok(Picture::from_rgb8(w, h, rgb.as_raw()).fit_within(max_side))
}

/// Pixel centres of a `width × height` grid as (x, y) in [−1, 1] (x along columns, y along rows,
/// top row y = −1): each axis is normalised to [−1, 1] on its own, as the seed's mesh.
pub fn axis(n: usize) -> Vec<f32> {
    if n <= 1 {
        return vec![0.0; n];
    }
    (0..n).map(|i| -1.0 + 2.0 * i as f32 / (n - 1) as f32).collect()
}

/// The procedural "rings" picture of the benchmark (`bench/torch_reference.py`).
pub fn rings(size: usize) -> Picture {
    let t = axis(size);
    let mut rgb = Vec::with_capacity(size * size * 3);
    for &v in &t {
        for &u in &t {
            let r = (u * u + v * v).sqrt();
            rgb.push(0.5 + 0.5 * (12.0 * r).cos());
            rgb.push(if u > -0.4 && u < 0.2 && v > -0.5 && v < 0.1 { 1.0 } else { 0.0 });
            rgb.push(0.5 + 0.5 * (3.0 * u + 2.0 * v).sin());
        }
    }
    Picture { width: size, height: size, rgb }
}

/// An 8 × 8 checkerboard of two colours: sharp edges everywhere, hard for smooth synapses.
pub fn checkerboard(size: usize) -> Picture {
    let mut rgb = Vec::with_capacity(size * size * 3);
    for row in 0..size {
        for col in 0..size {
            let dark = ((row * 8 / size.max(1)) + (col * 8 / size.max(1))) % 2 == 0;
            rgb.extend(if dark { [0.12, 0.16, 0.35] } else { [0.98, 0.85, 0.45] });
        }
    }
    Picture { width: size, height: size, rgb }
}

/// Centres of the seed's jumping circle: it starts at the first and jumps to the second.
pub const CIRCLE_CENTRES: [(f32, f32); 2] = [(-0.35, -0.25), (0.35, 0.3)];
/// Step at which the circle jumps (the seed jumps half-way through its training run).
pub const CIRCLE_JUMP_STEP: u64 = 1500;

/// A soft-edged disc at `centre` (in [−1, 1]²) on a plain background.
pub fn circle(size: usize, centre: (f32, f32)) -> Picture {
    let t = axis(size);
    let mut rgb = Vec::with_capacity(size * size * 3);
    for &y in &t {
        for &x in &t {
            let d = ((x - centre.0).powi(2) + (y - centre.1).powi(2)).sqrt();
            // 1 inside, 0 outside, a two-pixel ramp on the rim.
            let inside = ((0.45 - d) * size as f32 / 4.0 + 0.5).clamp(0.0, 1.0);
            rgb.extend([0.1 + 0.85 * inside, 0.2 + 0.3 * inside, 0.45 - 0.3 * inside]);
        }
    }
    Picture { width: size, height: size, rgb }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_bytes(w: u32, h: u32) -> Vec<u8> {
        let img = ImageBuffer::from_fn(w, h, |x, y| Rgb([(x * 255 / w.max(1)) as u8, (y * 255 / h.max(1)) as u8, 128u8]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn decodes_and_downscales_keeping_aspect() {
        let p = decode(&png_bytes(40, 20), 256).unwrap();
        assert_eq!((p.width, p.height), (40, 20));
        // Pixel (0, 0) is (0, 0, 128)/255.
        assert_eq!(&p.to_rgba8()[..4], &[0, 0, 128, 255]);
        let big = decode(&png_bytes(600, 300), 256).unwrap();
        assert_eq!((big.width, big.height), (256, 128));
        assert_eq!(big.rgb.len(), 256 * 128 * 3);
        // A horizontal gradient stays a gradient after downscaling: red grows left to right.
        let red = |col: usize| big.rgb[(64 * 256 + col) * 3];
        assert!(red(10) < red(128) && red(128) < red(245), "{} {} {}", red(10), red(128), red(245));
        // Blue was constant 128/255 and stays so.
        assert!((big.rgb[(64 * 256 + 100) * 3 + 2] - 128.0 / 255.0).abs() < 1e-3);
    }

    #[test]
    fn bad_files_are_refused_with_a_message() {
        assert!(decode(&[], 256).unwrap_err().contains("empty"));
        assert!(decode(b"hello, this is text, not a picture", 256).unwrap_err().contains("not a picture"));
        let mut truncated = png_bytes(64, 64);
        truncated.truncate(truncated.len() / 2);
        assert!(decode(&truncated, 256).is_err());
        let mut corrupt = png_bytes(64, 64);
        for b in corrupt.iter_mut().skip(60) {
            *b ^= 0x5a;
        }
        assert!(decode(&corrupt, 256).is_err());
        let huge = vec![0u8; MAX_FILE_BYTES + 1];
        assert!(decode(&huge, 256).unwrap_err().contains("MB"));
        // A PNG header that declares a 100000 × 100000 picture: refused by the limits, not allocated.
        let mut bomb = png_bytes(8, 8);
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        assert!(decode(&bomb, 256).is_err());
    }

    #[test]
    fn builtin_photographs_decode_within_the_size_limit() {
        for name in ["astronaut", "chelsea", "coffee"] {
            let path = format!("{}/../../public/images/{name}.png", env!("CARGO_MANIFEST_DIR"));
            let bytes = std::fs::read(&path).unwrap();
            let p = decode(&bytes, MAX_SIDE).unwrap();
            assert_eq!(p.width.max(p.height), MAX_SIDE, "{name}");
        }
    }

    #[test]
    fn procedural_pictures_follow_their_formulas() {
        let r = rings(128);
        // Centre pixel region: r ≈ 0 → red = 1; (u, v) ≈ (0, 0) lies in the green box.
        let centre = (64 * 128 + 64) * 3;
        assert!(r.rgb[centre] > 0.95 && r.rgb[centre + 1] == 1.0);
        let c = checkerboard(64);
        assert_ne!(&c.rgb[0..3], &c.rgb[8 * 3..8 * 3 + 3], "neighbouring squares differ");
        assert_eq!(&c.rgb[0..3], &c.rgb[16 * 3..16 * 3 + 3]);
        let a = circle(64, CIRCLE_CENTRES[0]);
        let b = circle(64, CIRCLE_CENTRES[1]);
        assert_ne!(a, b);
        assert_eq!(rgba8_from_unit(&[0.0, 0.5, 1.0]), vec![0, 128, 255, 255]);
    }
}
