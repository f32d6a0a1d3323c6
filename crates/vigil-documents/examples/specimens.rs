//! Write generated documents for benchmarks and manual testing: `COUNT` variants (their
//! sensor noise differs, so no two are the same bytes) of a licence's front and back, a
//! passport data page and a selfie, as a phone's JPEGs.
//!   cargo run --release -p vigil-documents --features specimens --example specimens -- DIR [COUNT]

use vigil_documents::specimens::{self, camera, jpeg};
use vigil_domain::verification::government_id::DocumentIdentity;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().expect("a folder to write to"));
    let count: u64 = args.next().map_or(10, |n| n.parse().expect("a count"));
    std::fs::create_dir_all(&dir)?;
    let holder = DocumentIdentity {
        name_first: Some("JANE".into()),
        name_last: Some("SPECIMEN".into()),
        birthdate: Some("1990-01-31".into()),
        expiration_date: Some("2031-01-31".into()),
        issue_date: Some("2023-01-31".into()),
        document_number: Some("S12345678".into()),
        address_subdivision: Some("VA".into()),
        ..Default::default()
    };
    let (front, back) = (
        specimens::licence_front(&holder),
        specimens::licence_back(&holder),
    );
    let page = specimens::passport_page(&specimens::passport_mrz(&holder, "GBR"));
    let face = specimens::selfie();
    for i in 0..count {
        let seed = i * 10;
        std::fs::write(
            dir.join(format!("licence-front-{i}.jpg")),
            jpeg(&camera(&front, seed)),
        )?;
        std::fs::write(
            dir.join(format!("licence-back-{i}.jpg")),
            jpeg(&camera(&back, seed + 1)),
        )?;
        std::fs::write(
            dir.join(format!("passport-{i}.jpg")),
            jpeg(&camera(&page, seed + 2)),
        )?;
        std::fs::write(
            dir.join(format!("selfie-{i}.jpg")),
            jpeg(&camera(&face, seed + 3)),
        )?;
    }
    Ok(())
}
