//! Synthetic documents for tests and benchmarks, with no real person's data: a licence
//! whose back carries a real PDF417 AAMVA barcode, a passport data page with a real MRZ,
//! and a drawn face that the face detector takes for one. [`camera`] adds a sensor's
//! noise, as a phone's photo has; [`blurred`] takes the focus away.

use ab_glyph::{Font, FontVec, PxScale, ScaleFont};
use image::{imageops, Rgb, RgbImage};
use rxing::{BarcodeFormat, Writer};
use vigil_domain::verification::government_id::DocumentIdentity;

/// A monospaced font on this machine (Debian's `fonts-dejavu-core` or
/// `fonts-liberation`).
fn font() -> FontVec {
    const CANDIDATES: [&str; 3] = [
        "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
        "/usr/share/fonts/truetype/liberation2/LiberationMono-Regular.ttf",
    ];
    let bytes = CANDIDATES
        .iter()
        .find_map(|p| std::fs::read(p).ok())
        .expect("specimens need a monospaced font: apt-get install fonts-dejavu-core");
    FontVec::try_from_vec(bytes).expect("the font reads")
}

/// Draw `text` with its top-left corner at (`x`, `y`), capitals `size` pixels tall.
pub fn text(img: &mut RgbImage, x: f32, y: f32, size: f32, text: &str, colour: [u8; 3]) {
    let font = font();
    let scaled = font.as_scaled(PxScale::from(size));
    let mut caret = x;
    for ch in text.chars() {
        let id = font.glyph_id(ch);
        let glyph = id.with_scale_and_position(size, ab_glyph::point(caret, y + scaled.ascent()));
        caret += scaled.h_advance(id);
        if let Some(outline) = font.outline_glyph(glyph) {
            let bounds = outline.px_bounds();
            outline.draw(|gx, gy, coverage| {
                let (px, py) = (
                    bounds.min.x as i64 + i64::from(gx),
                    bounds.min.y as i64 + i64::from(gy),
                );
                if px >= 0 && py >= 0 && (px as u32) < img.width() && (py as u32) < img.height() {
                    let p = img.get_pixel_mut(px as u32, py as u32);
                    for (channel, ink) in p.0.iter_mut().zip(colour) {
                        *channel = (f32::from(*channel) * (1.0 - coverage)
                            + f32::from(ink) * coverage) as u8;
                    }
                }
            });
        }
    }
}

fn fill_rect(img: &mut RgbImage, x0: u32, y0: u32, x1: u32, y1: u32, colour: [u8; 3]) {
    for y in y0..y1.min(img.height()) {
        for x in x0..x1.min(img.width()) {
            img.put_pixel(x, y, Rgb(colour));
        }
    }
}

fn fill_ellipse(img: &mut RgbImage, cx: f32, cy: f32, rx: f32, ry: f32, colour: [u8; 3]) {
    let (x0, x1) = ((cx - rx).max(0.0) as u32, (cx + rx) as u32 + 1);
    let (y0, y1) = ((cy - ry).max(0.0) as u32, (cy + ry) as u32 + 1);
    for y in y0..y1.min(img.height()) {
        for x in x0..x1.min(img.width()) {
            let (dx, dy) = ((x as f32 - cx) / rx, (y as f32 - cy) / ry);
            if dx * dx + dy * dy <= 1.0 {
                img.put_pixel(x, y, Rgb(colour));
            }
        }
    }
}

fn fill_triangle(img: &mut RgbImage, a: (f32, f32), b: (f32, f32), c: (f32, f32), colour: [u8; 3]) {
    let (x0, x1) = (
        a.0.min(b.0).min(c.0) as u32,
        a.0.max(b.0).max(c.0) as u32 + 1,
    );
    let (y0, y1) = (
        a.1.min(b.1).min(c.1) as u32,
        a.1.max(b.1).max(c.1) as u32 + 1,
    );
    let side = |p: (f32, f32), q: (f32, f32), r: (f32, f32)| {
        (q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0)
    };
    for y in y0..y1.min(img.height()) {
        for x in x0..x1.min(img.width()) {
            let p = (x as f32, y as f32);
            let (s1, s2, s3) = (side(a, b, p), side(b, c, p), side(c, a, p));
            if (s1 >= 0.0 && s2 >= 0.0 && s3 >= 0.0) || (s1 <= 0.0 && s2 <= 0.0 && s3 <= 0.0) {
                img.put_pixel(x, y, Rgb(colour));
            }
        }
    }
}

/// A drawn face, centred at (`cx`, `cy`), `s` = 1.0 for a face 250 pixels wide.
pub fn draw_face(img: &mut RgbImage, cx: f32, cy: f32, s: f32) {
    fill_ellipse(img, cx, cy - 45.0 * s, 150.0 * s, 165.0 * s, [50, 35, 25]);
    for i in 0..40 {
        let t = i as f32 / 40.0;
        let c = [
            (150.0 + 70.0 * t) as u8,
            (110.0 + 60.0 * t) as u8,
            (90.0 + 50.0 * t) as u8,
        ];
        fill_ellipse(
            img,
            cx,
            cy + 5.0 * s,
            (125.0 - i as f32 * 1.5) * s,
            (170.0 - i as f32 * 2.0) * s,
            c,
        );
    }
    for side in [-1.0f32, 1.0] {
        let ex = cx + side * 55.0 * s;
        fill_rect(
            img,
            (ex - 30.0 * s) as u32,
            (cy - 70.0 * s) as u32,
            (ex + 30.0 * s) as u32,
            (cy - 58.0 * s) as u32,
            [60, 40, 30],
        );
        fill_ellipse(img, ex, cy - 27.5 * s, 35.0 * s, 22.5 * s, [170, 125, 105]);
        fill_ellipse(img, ex, cy - 29.0 * s, 25.0 * s, 11.0 * s, [240, 240, 240]);
        fill_ellipse(img, ex, cy - 29.0 * s, 10.0 * s, 11.0 * s, [40, 30, 20]);
        fill_ellipse(
            img,
            cx + side * 14.0 * s,
            cy + 42.5 * s,
            8.0 * s,
            7.5 * s,
            [120, 80, 60],
        );
    }
    fill_triangle(
        img,
        (cx, cy - 20.0 * s),
        (cx - 18.0 * s, cy + 45.0 * s),
        (cx + 18.0 * s, cy + 45.0 * s),
        [185, 135, 110],
    );
    for side in [-1.0f32, 1.0] {
        fill_ellipse(
            img,
            cx + side * 14.0 * s,
            cy + 42.5 * s,
            8.0 * s,
            7.5 * s,
            [120, 80, 60],
        );
    }
    fill_ellipse(img, cx, cy + 95.0 * s, 50.0 * s, 15.0 * s, [150, 60, 60]);
    fill_rect(
        img,
        (cx - 48.0 * s) as u32,
        (cy + 93.0 * s) as u32,
        (cx + 48.0 * s) as u32,
        (cy + 97.0 * s) as u32,
        [90, 30, 30],
    );
}

/// A selfie: a drawn face before a wall, as a front camera frames it.
pub fn selfie() -> RgbImage {
    let mut img = RgbImage::from_pixel(640, 800, Rgb([90, 110, 140]));
    draw_face(&mut img, 320.0, 400.0, 1.2);
    imageops::blur(&img, 1.0)
}

/// A wall and no one before it.
pub fn wall() -> RgbImage {
    RgbImage::from_pixel(640, 800, Rgb([90, 110, 140]))
}

/// A licence's front: the issuer's colours, the portrait, the holder's name.
pub fn licence_front(identity: &DocumentIdentity) -> RgbImage {
    let mut img = RgbImage::from_pixel(1000, 630, Rgb([214, 226, 236]));
    fill_rect(&mut img, 0, 0, 1000, 90, [30, 70, 120]);
    text(
        &mut img,
        30.0,
        22.0,
        44.0,
        "DRIVER LICENSE  SPECIMEN",
        [250, 250, 250],
    );
    fill_rect(&mut img, 40, 130, 330, 520, [90, 110, 140]);
    draw_face(&mut img, 185.0, 330.0, 0.8);
    let name = format!(
        "{} {}",
        identity.name_first.as_deref().unwrap_or(""),
        identity.name_last.as_deref().unwrap_or("")
    );
    text(&mut img, 370.0, 150.0, 36.0, &name, [20, 20, 20]);
    text(
        &mut img,
        370.0,
        210.0,
        30.0,
        identity.document_number.as_deref().unwrap_or(""),
        [20, 20, 20],
    );
    imageops::blur(&img, 1.0)
}

/// A licence's back: its PDF417 barcode with the AAMVA data of `identity`.
pub fn licence_back(identity: &DocumentIdentity) -> RgbImage {
    let mut img = RgbImage::from_pixel(1000, 630, Rgb([226, 232, 236]));
    let data = crate::aamva::encode(identity);
    let matrix = rxing::pdf417::PDF417Writer
        .encode(&data, &BarcodeFormat::PDF_417, 900, 300)
        .expect("PDF417 encodes");
    let (w, h) = (matrix.width(), matrix.height());
    let (ox, oy) = ((1000 - w.min(1000)) / 2, 150);
    for y in 0..h {
        for x in 0..w {
            if matrix.get(x, y) {
                let (px, py) = (ox + x, oy + y);
                if px < 1000 && py < 630 {
                    img.put_pixel(px, py, Rgb([10, 10, 10]));
                }
            }
        }
    }
    img
}

/// A `YYYY-MM-DD` date as an MRZ holds it.
fn date(d: &Option<String>) -> mrz::MrzDate {
    let d = d.as_deref().expect("a date");
    mrz::MrzDate::Calendar(mrz::Date::new(
        d[0..4].parse().unwrap(),
        d[5..7].parse().unwrap(),
        d[8..10].parse().unwrap(),
    ))
}

/// The lines of an emitted zone.
fn lines<const N: usize>(zone: &str) -> [String; N] {
    let found: Vec<String> = zone.lines().map(str::to_string).collect();
    found.try_into().expect("the zone's lines")
}

/// The two lines of a passport's MRZ (TD3) for `identity`, issued by `country` (alpha-3).
pub fn passport_mrz(identity: &DocumentIdentity, country: &str) -> [String; 2] {
    let fields = mrz::Td3Fields {
        issuing_country: country.into(),
        document_number: identity.document_number.clone().unwrap_or_default(),
        surname: identity.name_last.clone().unwrap_or_default(),
        given_names: [&identity.name_first, &identity.name_middle]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join(" "),
        nationality: country.into(),
        date_of_birth: date(&identity.birthdate),
        sex: mrz::Sex::Female,
        date_of_expiry: date(&identity.expiration_date),
        ..Default::default()
    };
    lines(&mrz::format_td3(&fields))
}

/// The three lines of an identity card's MRZ (TD1) for `identity`, issued by `country`.
pub fn id_card_mrz(identity: &DocumentIdentity, country: &str) -> [String; 3] {
    let fields = mrz::Td1Fields {
        issuing_country: country.into(),
        document_number: identity.document_number.clone().unwrap_or_default(),
        surname: identity.name_last.clone().unwrap_or_default(),
        given_names: identity.name_first.clone().unwrap_or_default(),
        nationality: country.into(),
        date_of_birth: date(&identity.birthdate),
        sex: mrz::Sex::Female,
        date_of_expiry: date(&identity.expiration_date),
        ..Default::default()
    };
    lines(&mrz::format_td1(&fields))
}

/// An identity card's back: the MRZ `lines` along its bottom, as ICAO places them.
pub fn id_card_back(lines: &[String; 3]) -> RgbImage {
    let mut img = RgbImage::from_pixel(1000, 630, Rgb([226, 232, 226]));
    text(
        &mut img,
        40.0,
        40.0,
        32.0,
        "IDENTITY CARD  SPECIMEN",
        [40, 60, 40],
    );
    fill_rect(&mut img, 0, 380, 1000, 630, [244, 246, 240]);
    for (i, line) in lines.iter().enumerate() {
        text(
            &mut img,
            60.0,
            410.0 + 70.0 * i as f32,
            44.0,
            line,
            [15, 15, 15],
        );
    }
    imageops::blur(&img, 0.8)
}

/// A passport's data page: the portrait, and the MRZ `lines` along the bottom.
pub fn passport_page(lines: &[String; 2]) -> RgbImage {
    let mut img = RgbImage::from_pixel(1250, 880, Rgb([232, 226, 214]));
    text(
        &mut img,
        40.0,
        30.0,
        40.0,
        "PASSPORT  SPECIMEN",
        [60, 40, 90],
    );
    fill_rect(&mut img, 50, 110, 390, 560, [90, 110, 140]);
    draw_face(&mut img, 220.0, 335.0, 0.95);
    fill_rect(&mut img, 0, 690, 1250, 880, [246, 244, 238]);
    text(&mut img, 40.0, 715.0, 38.0, &lines[0], [15, 15, 15]);
    text(&mut img, 40.0, 785.0, 38.0, &lines[1], [15, 15, 15]);
    imageops::blur(&img, 0.8)
}

/// What a camera's sensor adds: noise on every pixel (deterministic for `seed`).
pub fn camera(img: &RgbImage, seed: u64) -> RgbImage {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407)
        | 1;
    let mut out = img.clone();
    for p in out.pixels_mut() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let n = (state % 21) as i16 - 10;
        for c in 0..3 {
            p.0[c] = (i16::from(p.0[c]) + n).clamp(0, 255) as u8;
        }
    }
    out
}

/// Out of focus.
pub fn blurred(img: &RgbImage, sigma: f32) -> RgbImage {
    imageops::blur(img, sigma)
}

pub fn jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92)
        .encode_image(img)
        .expect("JPEG encodes");
    out
}

pub fn png(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img.clone())
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("PNG encodes");
    out
}

/// A still video for Chromium's fake camera (`--use-file-for-fake-video-capture`):
/// YUV4MPEG2, one 4:2:0 frame of `img` (even sides).
pub fn y4m(img: &RgbImage) -> Vec<u8> {
    let (w, h) = (img.width() & !1, img.height() & !1);
    let mut out = format!("YUV4MPEG2 W{w} H{h} F30:1 Ip A1:1 C420jpeg\nFRAME\n").into_bytes();
    let yuv = |p: &Rgb<u8>| {
        let (r, g, b) = (f32::from(p.0[0]), f32::from(p.0[1]), f32::from(p.0[2]));
        (
            (0.299 * r + 0.587 * g + 0.114 * b) as u8,
            (128.0 - 0.168_736 * r - 0.331_264 * g + 0.5 * b) as u8,
            (128.0 + 0.5 * r - 0.418_688 * g - 0.081_312 * b) as u8,
        )
    };
    for y in 0..h {
        for x in 0..w {
            out.push(yuv(img.get_pixel(x, y)).0);
        }
    }
    for plane in [1, 2] {
        for y in (0..h).step_by(2) {
            for x in (0..w).step_by(2) {
                let (_, u, v) = yuv(img.get_pixel(x, y));
                out.push(if plane == 1 { u } else { v });
            }
        }
    }
    out
}
