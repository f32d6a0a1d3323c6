//! The machine-readable zone of passports (TD3) and identity cards (TD1): read by
//! Tesseract (Debian's `tesseract-ocr`, run as a program: no C bindings to build), then
//! parsed, and misreads repaired only where a check digit agrees, by the `mrz` crate.
//! The photo goes to Tesseract on its standard input and the text comes back on its
//! standard output: nothing of the person is written to disk.

use std::io::Write;
use std::process::{Command, Stdio};

use image::{imageops, GrayImage};
use vigil_domain::verification::government_id::{DocumentIdentity, Zone};

/// The program run for OCR: `VIGIL_TESSERACT`, else `tesseract` on the `PATH`.
fn program() -> String {
    std::env::var("VIGIL_TESSERACT").unwrap_or_else(|_| "tesseract".into())
}

/// Widths the lower part of a page is read at, in turn, until a zone reads whole: the
/// zone spans the page, so the width sets the characters' size, and Tesseract misreads
/// (or drops) characters much smaller or larger than about 18 pixels wide.
const READ_WIDTHS: [u32; 3] = [850, 1000, 700];

/// The MRZ in `gray`, from the lower part of the page where ICAO places it: the first
/// reading whose check digits all hold, else the one with fewest failures.
pub fn read(gray: &GrayImage) -> Zone {
    let (w, h) = gray.dimensions();
    let top = h * 11 / 20;
    let lower = imageops::crop_imm(gray, 0, top, w, h - top).to_image();
    let mut best = Zone::NotFound;
    for width in READ_WIDTHS {
        let height =
            ((u64::from(lower.height()) * u64::from(width) / u64::from(w.max(1))) as u32).max(1);
        let sized = imageops::resize(&lower, width, height, imageops::FilterType::Triangle);
        let found = match ocr(&padded(&sized)) {
            Err(zone) => return zone,
            Ok(text) => parse(&text),
        };
        let failures = |z: &Zone| match z {
            Zone::Read { failed, .. } => failed.len(),
            _ => usize::MAX,
        };
        if failures(&found) < failures(&best) {
            best = found;
        }
        if failures(&best) == 0 {
            break;
        }
    }
    best
}

/// `gray` on a 20-pixel margin of its own background (its brightest tenth), as
/// Tesseract reads best.
fn padded(gray: &GrayImage) -> GrayImage {
    let mut levels: Vec<u8> = gray.pixels().map(|p| p.0[0]).collect();
    let at = levels.len() * 9 / 10;
    let background = *levels.select_nth_unstable(at).1;
    let (w, h) = gray.dimensions();
    let mut out = GrayImage::from_pixel(w + 40, h + 40, image::Luma([background]));
    imageops::replace(&mut out, gray, 20, 20);
    out
}

/// The zone in OCR text: the first that parses, with the fields whose check digits fail.
pub fn parse(text: &str) -> Zone {
    let Ok(data) = mrz::find_and_parse(text) else {
        return Zone::NotFound;
    };
    let checks = &data.checks;
    let failed: Vec<String> = [
        ("document_number", checks.document_number),
        ("birthdate", checks.date_of_birth),
        ("expiration_date", checks.date_of_expiry),
        ("personal_number", checks.personal_number),
        ("composite", checks.composite),
    ]
    .into_iter()
    .filter(|(_, ok)| *ok == Some(false))
    .map(|(name, _)| name.to_string())
    .collect();
    let date = |d: mrz::MrzDate| {
        d.calendar()
            .filter(|d| d.is_well_formed())
            .map(|d| format!("{:04}-{:02}-{:02}", d.year, d.month, d.day))
    };
    let name = |s: &str| {
        let s = s.trim();
        (!s.is_empty()).then(|| s.to_string())
    };
    let mut given = data.given_names.split_whitespace();
    let identity = DocumentIdentity {
        name_first: given.next().map(str::to_string),
        name_middle: name(&given.collect::<Vec<_>>().join(" ")),
        name_last: name(&data.surname),
        birthdate: date(data.date_of_birth),
        expiration_date: date(data.date_of_expiry),
        issue_date: None,
        document_number: name(data.full_document_number()),
        country_code: alpha2(&data.issuing_country),
        issuing_subdivision: None,
        sex: match data.sex {
            mrz::Sex::Male => Some("Male".into()),
            mrz::Sex::Female => Some("Female".into()),
            _ => None,
        },
        address_street_1: None,
        address_city: None,
        address_subdivision: None,
        address_postal_code: None,
    };
    Zone::Read {
        identity: Box::new(identity),
        failed,
    }
}

/// ISO alpha-2 from an MRZ issuer code (alpha-3, or `D` for Germany).
fn alpha2(code: &str) -> Option<String> {
    let code = code.trim_end_matches('<');
    if code == "D" {
        return Some("DE".into());
    }
    isocountry::CountryCode::for_alpha3(code)
        .ok()
        .map(|c| c.alpha2().to_string())
}

fn ocr(gray: &GrayImage) -> Result<String, Zone> {
    let mut png = Vec::new();
    image::DynamicImage::ImageLuma8(gray.clone())
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|_| Zone::NotFound)?;
    let child = Command::new(program())
        .args([
            "stdin",
            "stdout",
            "--psm",
            "6",
            "-c",
            "tessedit_char_whitelist=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Zone::Unavailable("ocr_not_installed"))
        }
        Err(_) => return Err(Zone::Unavailable("ocr_failed")),
    };
    let mut stdin = child.stdin.take().expect("piped");
    let writer = std::thread::spawn(move || stdin.write_all(&png));
    let output = child
        .wait_with_output()
        .map_err(|_| Zone::Unavailable("ocr_failed"))?;
    let _ = writer.join();
    if !output.status.success() {
        return Err(Zone::Unavailable("ocr_failed"));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icao_specimen_text_parses_with_its_check_digits() {
        // ICAO 9303's specimen, with an OCR misread of O as 0 in the nationality.
        let text = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UT07408122F1204159ZE184226B<<<<<10\n";
        let Zone::Read { identity, failed } = parse(text) else {
            panic!("not read");
        };
        assert!(failed.is_empty(), "{failed:?}");
        assert_eq!(identity.name_last.as_deref(), Some("ERIKSSON"));
        assert_eq!(identity.name_first.as_deref(), Some("ANNA"));
        assert_eq!(identity.name_middle.as_deref(), Some("MARIA"));
        assert_eq!(identity.birthdate.as_deref(), Some("1974-08-12"));
        assert_eq!(identity.expiration_date.as_deref(), Some("2012-04-15"));
        assert_eq!(identity.document_number.as_deref(), Some("L898902C3"));
    }

    #[test]
    fn a_changed_birthdate_fails_its_check_digit() {
        let text = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408132F1204159ZE184226B<<<<<10\n";
        let Zone::Read { failed, .. } = parse(text) else {
            panic!("not read");
        };
        assert!(failed.contains(&"birthdate".to_string()), "{failed:?}");
    }

    #[test]
    fn text_without_a_zone_is_not_found() {
        assert_eq!(parse("PASSPORT\nUTOPIA\n"), Zone::NotFound);
    }
}
