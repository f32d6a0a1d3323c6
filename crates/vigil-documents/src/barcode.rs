//! PDF417, the barcode on the back of US and Canadian driver's licences.

use image::{imageops, GrayImage};
use rxing::common::HybridBinarizer;
use rxing::pdf417::PDF417Reader;
use rxing::{BinaryBitmap, DecodeHints, Luma8LuminanceSource, Reader};

/// The text of the first PDF417 barcode in `gray`, if one decodes. Tried at full size,
/// then at half (a phone's photo can be larger than the reader handles well).
pub fn read_pdf417(gray: &GrayImage) -> Option<String> {
    let half;
    let mut sizes = vec![gray];
    if gray.width() > 1600 {
        half = imageops::resize(
            gray,
            gray.width() / 2,
            gray.height() / 2,
            imageops::FilterType::Triangle,
        );
        sizes.push(&half);
    }
    sizes.into_iter().find_map(decode)
}

fn decode(gray: &GrayImage) -> Option<String> {
    let source =
        Luma8LuminanceSource::new(gray.as_raw().clone(), gray.width(), gray.height()).ok()?;
    let mut bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
    let hints = DecodeHints::default().with(rxing::DecodeHintValue::TryHarder(true));
    PDF417Reader
        .decode_with_hints(&mut bitmap, &hints)
        .ok()
        .map(|r| r.getText().to_string())
}
