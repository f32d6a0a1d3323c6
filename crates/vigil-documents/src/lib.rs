//! Reading identity documents offline, with no vendor: how a photo looks (decodable,
//! large enough, sharp, a camera's and not a screen's), the PDF417 barcode on the back of
//! US and Canadian driver's licences (AAMVA), the MRZ of passports and identity cards
//! (Tesseract's OCR, then ICAO 9303 check digits), and faces.
//!
//! Pure: bytes in, [`vigil_domain::verification::government_id`] findings out. The
//! checks those findings become, and what a failure means, are the domain's.

pub mod aamva;
pub mod barcode;
pub mod faces;
pub mod machine_zone;
pub mod photo;
#[cfg(feature = "specimens")]
pub mod specimens;

use vigil_domain::verification::government_id::{IdReading, PhotoFindings, Zone};

/// The largest photo vigil takes, in bytes.
pub const MAX_PHOTO_BYTES: usize = 15 * 1024 * 1024;

/// Read a government ID from its photos (`back` for licences and identity cards).
/// `id_class` is Persona's (`dl`, `pp`, `id`); `country_code` the person's choice.
pub fn read_government_id(
    id_class: &str,
    country_code: &str,
    front: &[u8],
    back: Option<&[u8]>,
) -> IdReading {
    let front_photo = photo::Photo::decode(front);
    let back_photo = back.map(photo::Photo::decode);
    let mut photos = vec![findings("front", front_photo.as_ref().ok(), true)];
    if let Some(back) = &back_photo {
        photos.push(findings("back", back.as_ref().ok(), false));
    }
    let decoded: Vec<&photo::Photo> = [front_photo.as_ref().ok()]
        .into_iter()
        .chain(back_photo.as_ref().map(|b| b.as_ref().ok()))
        .flatten()
        .collect();
    // A licence's barcode is on its back; look at every side, the back first.
    let barcode = if id_class == "dl" {
        decoded
            .iter()
            .rev()
            .find_map(|p| barcode::read_pdf417(&p.gray))
            .and_then(|text| aamva::parse(&text))
            .map_or(Zone::NotFound, |identity| Zone::Read {
                identity: Box::new(identity),
                failed: Vec::new(),
            })
    } else {
        Zone::NotFound
    };
    // A passport's MRZ is on its data page (the front); an identity card's on its back.
    let mrz = if id_class == "dl" {
        Zone::NotFound
    } else {
        let mut zone = Zone::NotFound;
        for p in decoded.iter().rev() {
            zone = machine_zone::read(&p.gray);
            if matches!(zone, Zone::Read { .. } | Zone::Unavailable(_)) {
                break;
            }
        }
        zone
    };
    IdReading {
        id_class: id_class.to_string(),
        country_code: country_code.to_ascii_uppercase(),
        photos,
        barcode,
        mrz,
    }
}

/// What a selfie looks like, and how many faces are in it.
pub fn read_selfie(bytes: &[u8]) -> PhotoFindings {
    findings("center", photo::Photo::decode(bytes).ok().as_ref(), true)
}

fn findings(side: &'static str, photo: Option<&photo::Photo>, count_faces: bool) -> PhotoFindings {
    let Some(photo) = photo else {
        return PhotoFindings::undecodable(side);
    };
    PhotoFindings {
        side,
        size: Some((photo.width, photo.height)),
        sharpness: photo.sharpness(),
        flat_share: photo.flat_share(),
        faces: if count_faces {
            faces::count(&photo.gray)
        } else {
            0
        },
    }
}
