//! PDF417, the barcode on the back of US and Canadian driver's licences.

use image::{imageops, GrayImage};
use rxing::common::HybridBinarizer;
use rxing::pdf417::PDF417Reader;
use rxing::{BinaryBitmap, DecodeHints, Luma8LuminanceSource, Reader};

/// The text of the first PDF417 barcode in `gray`, if one decodes. Tried as it is, then
/// with the sensor's noise smoothed (a speck on a bar's edge can break a codeword), then
/// at half size (a phone's photo can be larger than the reader handles well).
pub fn read_pdf417(gray: &GrayImage) -> Option<String> {
    decode(gray)
        .or_else(|| decode(&imageops::blur(gray, 1.0)))
        .or_else(|| {
            (gray.width() > 1600)
                .then(|| {
                    imageops::resize(
                        gray,
                        gray.width() / 2,
                        gray.height() / 2,
                        imageops::FilterType::Triangle,
                    )
                })
                .and_then(|half| decode(&half))
        })
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
