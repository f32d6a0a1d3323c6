//! A photo: decoded by its bytes (never its name), with the two measures of how it was
//! taken: sharpness, and how much of it is exactly flat (screens draw flat colour; a
//! camera's sensor never does).

use image::{imageops, GrayImage, ImageFormat, ImageReader, Limits};

pub struct Photo {
    pub width: u32,
    pub height: u32,
    pub gray: GrayImage,
}

/// The width sharpness is measured at, so a large photo and a small one of the same
/// scene score alike.
const MEASURE_WIDTH: u32 = 320;

impl Photo {
    /// JPEG or PNG only; anything larger than 10,000 pixels a side or 100 MB decoded is
    /// refused before it is decoded.
    pub fn decode(bytes: &[u8]) -> Result<Photo, String> {
        let format = match vigil_domain::document::sniff(bytes) {
            "image/jpeg" => ImageFormat::Jpeg,
            "image/png" => ImageFormat::Png,
            other => return Err(format!("{other} is not a photo (JPEG or PNG)")),
        };
        let mut reader = ImageReader::with_format(std::io::Cursor::new(bytes), format);
        let mut limits = Limits::default();
        limits.max_image_width = Some(10_000);
        limits.max_image_height = Some(10_000);
        limits.max_alloc = Some(100 * 1024 * 1024);
        reader.limits(limits);
        let image = reader.decode().map_err(|e| e.to_string())?;
        let gray = image.to_luma8();
        Ok(Photo {
            width: gray.width(),
            height: gray.height(),
            gray,
        })
    }

    /// Variance of the Laplacian at a fixed width: high for sharp edges, low when blurred.
    pub fn sharpness(&self) -> f64 {
        let small = if self.width > MEASURE_WIDTH {
            let height = (u64::from(self.height) * u64::from(MEASURE_WIDTH) / u64::from(self.width))
                .max(1) as u32;
            imageops::resize(
                &self.gray,
                MEASURE_WIDTH,
                height,
                imageops::FilterType::Triangle,
            )
        } else {
            self.gray.clone()
        };
        laplacian_variance(&small)
    }

    /// The share of pixels exactly equal to their right-hand neighbour (every fourth row).
    pub fn flat_share(&self) -> f64 {
        let (mut equal, mut total) = (0u64, 0u64);
        for y in (0..self.height).step_by(4) {
            for x in 1..self.width {
                total += 1;
                if self.gray.get_pixel(x, y) == self.gray.get_pixel(x - 1, y) {
                    equal += 1;
                }
            }
        }
        if total == 0 {
            0.0
        } else {
            equal as f64 / total as f64
        }
    }
}

/// The Laplacian's variance less what the sensor's noise alone gives it (estimated from
/// its median magnitude, which flat areas dominate): what is left comes from edges.
fn laplacian_variance(gray: &GrayImage) -> f64 {
    let (w, h) = gray.dimensions();
    if w < 3 || h < 3 {
        return 0.0;
    }
    let at = |x: u32, y: u32| f64::from(gray.get_pixel(x, y).0[0]);
    let mut responses = Vec::with_capacity(((w - 2) * (h - 2)) as usize);
    let (mut sum, mut sum_sq) = (0.0, 0.0);
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let v = at(x - 1, y) + at(x + 1, y) + at(x, y - 1) + at(x, y + 1) - 4.0 * at(x, y);
            sum += v;
            sum_sq += v * v;
            responses.push(v.abs());
        }
    }
    let n = responses.len() as f64;
    let mean = sum / n;
    let variance = sum_sq / n - mean * mean;
    let middle = responses.len() / 2;
    let median = *responses
        .select_nth_unstable_by(middle, |a, b| a.total_cmp(b))
        .1;
    let noise = (median / 0.6745).powi(2);
    (variance - noise).max(0.0)
}
