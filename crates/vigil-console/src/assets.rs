//! The console's stylesheet and script, compiled into the binary: nothing is fetched from
//! elsewhere, and `cargo build` stays the only build step.

use axum::extract::Path;
use axum::response::Response;

const FILES: &[vigil_pages::Asset] = &[
    (
        "console.css",
        "text/css; charset=utf-8",
        include_str!("../assets/console.css"),
    ),
    (
        "console.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/console.js"),
    ),
];

/// `GET /assets/{name}`.
pub async fn serve(Path(name): Path<String>) -> Response {
    vigil_pages::serve_asset(FILES, &name)
}
