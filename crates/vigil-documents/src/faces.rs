//! Faces, by SeetaFace's frontal detector (`rustface`); its model file ships in this
//! crate (`model/`, BSD-2-Clause, from the rustface crate) and is compiled in.

use std::sync::OnceLock;

use image::{imageops, GrayImage};

static MODEL_BYTES: &[u8] = include_bytes!("../model/seeta_fd_frontal_v1.0.bin");

/// Faces are looked for at this longest side: a face's size relative to the photo is
/// what matters, and the detector's time grows with the pixels.
const LONGEST_SIDE: u32 = 800;

fn model() -> &'static rustface::Model {
    static MODEL: OnceLock<rustface::Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        rustface::read_model(MODEL_BYTES).expect("the compiled-in face model reads")
    })
}

/// How many faces `gray` shows.
pub fn count(gray: &GrayImage) -> usize {
    let (w, h) = gray.dimensions();
    if w < 24 || h < 24 {
        return 0;
    }
    let scale = f64::from(LONGEST_SIDE) / f64::from(w.max(h));
    let small;
    let image = if scale < 1.0 {
        small = imageops::resize(
            gray,
            ((f64::from(w) * scale) as u32).max(24),
            ((f64::from(h) * scale) as u32).max(24),
            imageops::FilterType::Triangle,
        );
        &small
    } else {
        gray
    };
    let mut detector = rustface::create_detector_with_model(model().clone());
    detector.set_min_face_size(40);
    detector.set_score_thresh(2.0);
    detector.set_pyramid_scale_factor(0.8);
    detector.set_slide_window_step(4, 4);
    let (w, h) = image.dimensions();
    detector
        .detect(&rustface::ImageData::new(image, w, h))
        .len()
}
