//! Reading generated documents end to end: the photos as a phone would send them (JPEG,
//! with a sensor's noise), through the barcode reader, Tesseract and the face detector.

use vigil_documents::specimens::{self, camera, jpeg, png};
use vigil_documents::{read_government_id, read_selfie};
use vigil_domain::verification::government_id::{
    DocumentIdentity, Zone, MAX_FLAT_SHARE, MIN_SELFIE_SHARPNESS, MIN_SHARPNESS,
};

fn jane() -> DocumentIdentity {
    DocumentIdentity {
        name_first: Some("JANE".into()),
        name_middle: None,
        name_last: Some("SPECIMEN".into()),
        birthdate: Some("1990-01-31".into()),
        expiration_date: Some("2031-01-31".into()),
        issue_date: Some("2023-01-31".into()),
        document_number: Some("S12345678".into()),
        country_code: Some("US".into()),
        issuing_subdivision: Some("VA".into()),
        sex: Some("Female".into()),
        address_street_1: Some("1 MAIN ST".into()),
        address_city: Some("RICHMOND".into()),
        address_subdivision: Some("VA".into()),
        address_postal_code: Some("23219".into()),
    }
}

fn save(name: &str, bytes: &[u8]) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("specimens");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), bytes).unwrap();
}

#[test]
fn a_licence_photographed_by_a_phone_gives_its_barcode_and_portrait() {
    let front = jpeg(&camera(&specimens::licence_front(&jane()), 1));
    let back = jpeg(&camera(&specimens::licence_back(&jane()), 2));
    save("licence-front.jpg", &front);
    save("licence-back.jpg", &back);
    let reading = read_government_id("dl", "us", &front, Some(&back));
    assert_eq!(reading.country_code, "US");
    let Zone::Read { identity, failed } = &reading.barcode else {
        panic!("barcode not read: {:?}", reading.barcode);
    };
    assert!(failed.is_empty());
    assert_eq!(identity.name_last.as_deref(), Some("SPECIMEN"));
    assert_eq!(identity.birthdate.as_deref(), Some("1990-01-31"));
    assert_eq!(identity.document_number.as_deref(), Some("S12345678"));
    let front = &reading.photos[0];
    assert_eq!(front.faces, 1, "{front:?}");
    for photo in &reading.photos {
        assert!(photo.large_enough());
        assert!(photo.sharpness >= MIN_SHARPNESS, "{photo:?}");
        assert!(photo.flat_share <= MAX_FLAT_SHARE, "{photo:?}");
    }
}

#[test]
fn a_passport_page_gives_its_machine_readable_zone() {
    let mut holder = jane();
    holder.document_number = Some("X9876543".into());
    let lines = specimens::passport_mrz(&holder, "GBR");
    let page = jpeg(&camera(&specimens::passport_page(&lines), 3));
    save("passport.jpg", &page);
    let reading = read_government_id("pp", "GB", &page, None);
    let Zone::Read { identity, failed } = &reading.mrz else {
        panic!("MRZ not read: {:?}", reading.mrz);
    };
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(identity.name_last.as_deref(), Some("SPECIMEN"));
    assert_eq!(identity.name_first.as_deref(), Some("JANE"));
    assert_eq!(identity.birthdate.as_deref(), Some("1990-01-31"));
    assert_eq!(identity.expiration_date.as_deref(), Some("2031-01-31"));
    assert_eq!(identity.document_number.as_deref(), Some("X9876543"));
    assert_eq!(identity.country_code.as_deref(), Some("GB"));
    assert_eq!(reading.photos[0].faces, 1);
    assert!(
        reading.photos[0].sharpness >= MIN_SHARPNESS,
        "{:?}",
        reading.photos[0]
    );
}

#[test]
fn every_photo_of_a_licence_s_back_gives_its_barcode_whatever_its_noise() {
    let back = specimens::licence_back(&jane());
    for seed in 0..8 {
        let photo = jpeg(&camera(&back, seed * 10 + 1));
        let reading = read_government_id("dl", "US", &photo, Some(&photo));
        assert!(
            matches!(reading.barcode, Zone::Read { .. }),
            "seed {seed}: {:?}",
            reading.barcode
        );
    }
}

#[test]
fn every_photo_of_a_passport_is_read_whatever_its_noise() {
    // Six photos of one page, their sensor noise differing: each must give its zone.
    let lines = specimens::passport_mrz(&jane(), "GBR");
    let page = specimens::passport_page(&lines);
    for seed in 0..6 {
        let reading = read_government_id("pp", "GB", &jpeg(&camera(&page, seed * 10 + 2)), None);
        assert!(
            matches!(&reading.mrz, Zone::Read { failed, .. } if failed.is_empty()),
            "seed {seed}: {:?}",
            reading.mrz
        );
    }
}

#[test]
fn an_identity_card_gives_the_zone_on_its_back() {
    let mut holder = jane();
    holder.document_number = Some("D23145890".into());
    let lines = specimens::id_card_mrz(&holder, "DEU");
    let front = jpeg(&camera(&specimens::licence_front(&holder), 8));
    let back = jpeg(&camera(&specimens::id_card_back(&lines), 9));
    save("id-card-back.jpg", &back);
    let reading = read_government_id("id", "DE", &front, Some(&back));
    let Zone::Read { identity, failed } = &reading.mrz else {
        panic!("MRZ not read: {:?}", reading.mrz);
    };
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(identity.document_number.as_deref(), Some("D23145890"));
    assert_eq!(identity.birthdate.as_deref(), Some("1990-01-31"));
    assert_eq!(identity.name_last.as_deref(), Some("SPECIMEN"));
    assert_eq!(identity.country_code.as_deref(), Some("DE"));
}

#[test]
fn a_tampered_birthdate_is_caught_by_its_check_digit() {
    let lines = specimens::passport_mrz(&jane(), "GBR");
    // The birth date's day changed after the check digit was printed.
    let mut line = lines[1].clone().into_bytes();
    let at = 13 + 5;
    line[at] = if line[at] == b'1' { b'2' } else { b'1' };
    let tampered = [lines[0].clone(), String::from_utf8(line).unwrap()];
    let page = jpeg(&camera(&specimens::passport_page(&tampered), 4));
    let reading = read_government_id("pp", "GB", &page, None);
    let Zone::Read { failed, .. } = &reading.mrz else {
        panic!("MRZ not read: {:?}", reading.mrz);
    };
    assert!(failed.iter().any(|f| f == "birthdate"), "{failed:?}");
}

#[test]
fn blur_and_screens_are_told_from_a_camera_photo() {
    let sharp = camera(&specimens::licence_front(&jane()), 5);
    let blurred = camera(
        &specimens::blurred(&specimens::licence_front(&jane()), 4.0),
        5,
    );
    let screen = specimens::licence_front(&jane());
    let sharp = read_selfie(&jpeg(&sharp));
    let blurred = read_selfie(&jpeg(&blurred));
    let screen = read_selfie(&png(&screen));
    eprintln!("sharp {sharp:?}\nblurred {blurred:?}\nscreen {screen:?}");
    assert!(sharp.sharpness >= MIN_SHARPNESS && sharp.flat_share <= MAX_FLAT_SHARE);
    assert!(blurred.sharpness < MIN_SHARPNESS);
    assert!(screen.flat_share > MAX_FLAT_SHARE);
}

#[test]
fn a_selfie_has_one_face_and_a_wall_has_none() {
    let selfie = read_selfie(&jpeg(&camera(&specimens::selfie(), 6)));
    assert!(
        selfie.sharpness >= MIN_SELFIE_SHARPNESS && selfie.flat_share <= MAX_FLAT_SHARE,
        "{selfie:?}"
    );
    let shaken = read_selfie(&jpeg(&camera(
        &specimens::blurred(&specimens::selfie(), 4.0),
        6,
    )));
    eprintln!("selfie {selfie:?} shaken {shaken:?}");
    assert!(shaken.sharpness < MIN_SELFIE_SHARPNESS, "{shaken:?}");
    assert_eq!(selfie.faces, 1);
    let wall = image::RgbImage::from_pixel(640, 800, image::Rgb([90, 110, 140]));
    assert_eq!(read_selfie(&jpeg(&camera(&wall, 7))).faces, 0);
    assert_eq!(read_selfie(b"not an image").size, None);
}
