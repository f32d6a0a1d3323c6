//! Beyond Persona: the flow's photo steps, with the session token as the bearer.
//!
//! - `POST /inquiry-flow/current/government-id`: `id-class` (`dl`, `pp`, `id`),
//!   `country-code`, `front-photo` and (for licences and identity cards) `back-photo`, each
//!   `{"data": base64, "filename": ...}`, and `capture-method` (`photo` or `upload`).
//! - `POST /inquiry-flow/current/selfie`: `center-photo`, `capture-method`.
//!
//! Each answers with the verification made (201): its checks say what was found, and a
//! `requires_retry` status asks for another photo. The photos are read here, before the
//! transaction (`vigil-documents`, offline: barcode, MRZ by OCR, faces), and kept as the
//! inquiry's documents; the checks and what they mean are the use case's.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Map, Value};
use vigil_domain::document::sniff;
use vigil_domain::report::Query;
use vigil_domain::upload::decode_file;
use vigil_domain::verification::government_id::{DocumentIdentity, ID_CLASSES};
use vigil_domain::verification::Verification;

use super::flow::{check_embedding, frame_ancestors, template_of};
use crate::protocol::{write, ApiBody, ApiError, ApiResult, Ctx, Doc, Reply, Written};
use crate::routes::accounts::allow_meta;
use crate::use_cases::inquiries;
use crate::use_cases::verifications::{self, IdSubmission, SelfieSubmission};
use crate::views;
use crate::AppState;

const POINTER: &str = "/data/attributes";

/// A photo: JPEG or PNG by its bytes, at most `vigil_documents::MAX_PHOTO_BYTES`.
fn photo(
    attributes: &Map<String, Value>,
    name: &str,
    required: Option<&str>,
) -> ApiResult<Option<(String, Vec<u8>)>> {
    let pointer = format!("{POINTER}/{name}");
    let value = match attributes.get(name) {
        None | Some(Value::Null) => {
            return match required {
                Some(why) => Err(ApiError::bad_field(&pointer, &format!("is missing: {why}"))),
                None => Ok(None),
            }
        }
        Some(value) => value,
    };
    let (filename, bytes) = decode_file(value, &pointer)?;
    if bytes.len() > vigil_documents::MAX_PHOTO_BYTES {
        return Err(ApiError::invalid(
            &format!("{pointer}/data"),
            &format!(
                "is {} bytes: a photo may be at most {} bytes",
                bytes.len(),
                vigil_documents::MAX_PHOTO_BYTES
            ),
        ));
    }
    if !matches!(sniff(&bytes), "image/jpeg" | "image/png") {
        return Err(ApiError::invalid(
            &format!("{pointer}/data"),
            "is not a JPEG or PNG photo",
        ));
    }
    Ok(Some((filename, bytes)))
}

fn text<'a>(attributes: &'a Map<String, Value>, name: &str) -> ApiResult<Option<&'a str>> {
    match attributes.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(ApiError::bad_field(
            &format!("{POINTER}/{name}"),
            "must be a string",
        )),
    }
}

fn capture_method(attributes: &Map<String, Value>) -> ApiResult<String> {
    match text(attributes, "capture-method")? {
        None => Ok("upload".into()),
        Some(m @ ("photo" | "upload")) => Ok(m.into()),
        Some(_) => Err(ApiError::invalid(
            &format!("{POINTER}/capture-method"),
            "must be photo (the camera) or upload (a file)",
        )),
    }
}

fn only(attributes: &Map<String, Value>, allowed: &[&str]) -> ApiResult<()> {
    match attributes.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(unknown) => Err(ApiError::invalid(
            &format!("{POINTER}/{unknown}"),
            &format!(
                "is not an attribute of this step (it takes {})",
                allowed.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

/// What screening finds for the identity a document carries: its name and birthdate, its
/// number, its country, against the environment's lists and the sanctions sources.
fn screen(
    state: &AppState,
    env: &str,
    identity: &DocumentIdentity,
    id_class: &str,
) -> Vec<(String, String, String)> {
    let query = Query {
        name_first: identity.name_first.clone(),
        name_middle: identity.name_middle.clone(),
        name_last: identity.name_last.clone(),
        term: None,
        birthdate: identity.birthdate.clone(),
        country_code: identity.country_code.clone(),
        email_addresses: Vec::new(),
        phone_numbers: Vec::new(),
        id_numbers: identity
            .document_number
            .iter()
            .map(|n| (Some(id_class.to_string()), n.clone()))
            .collect(),
    };
    state
        .screening
        .find(env, &query, state.now())
        .into_iter()
        .map(|m| (m.list.name, m.list.list_type, m.matched_on))
        .collect()
}

/// A step's body, read once one of the server's upload slots is free (photos are held in
/// memory and read by OCR: a few at a time); the slot is held until the step is done.
async fn read_step(
    state: &AppState,
    request: Request,
) -> ApiResult<(
    tokio::sync::OwnedSemaphorePermit,
    ApiBody,
    Map<String, Value>,
)> {
    let slot = state
        .uploads
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let body = ApiBody::read_as(request, state.config.max_upload_bytes, false).await?;
    allow_meta(&body.meta()?, &[])?;
    let attributes = body.attributes()?;
    Ok((slot, body, attributes))
}

/// Make a step's verification on the session's inquiry (the template must still let the
/// page embed the flow); answered with it (201).
async fn on_inquiry<F>(
    state: &AppState,
    ctx: &Ctx,
    body: &ApiBody,
    id: String,
    origins: Vec<String>,
    verify: F,
) -> ApiResult<Reply>
where
    F: FnOnce(
            &mut dyn vigil_store::WriteTx,
            &crate::use_cases::Acting,
            &mut vigil_domain::inquiry::Inquiry,
        ) -> crate::use_cases::Outcome<Verification>
        + Send
        + 'static,
{
    write(state, ctx, &body.request_hash, move |tx, ctx| {
        let mut inquiry = inquiries::load(tx, ctx.env_id(), &id)?;
        inquiries::ensure_not_redacted(&inquiry)?;
        check_embedding(&template_of(tx, ctx.env_id(), &inquiry)?, &origins)?;
        let found = verify(tx, &ctx.acting(), &mut inquiry)?;
        tx.put(ctx.env_id(), &inquiry)?;
        Ok(Written {
            status: StatusCode::CREATED,
            object_id: Some(found.id.clone()),
            doc: Doc::later(move |_| views::single(views::verification::resource(&found), None)),
        })
    })
    .await
}

/// `POST /inquiry-flow/current/government-id`.
pub async fn government_id(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    request: Request,
) -> ApiResult<Reply> {
    let id = ctx.flow()?.inquiry_id.clone();
    let origins = frame_ancestors(&headers);
    let (_slot, body, attributes) = read_step(&state, request).await?;
    only(
        &attributes,
        &[
            "id-class",
            "country-code",
            "front-photo",
            "back-photo",
            "capture-method",
        ],
    )?;
    let id_class = match text(&attributes, "id-class")? {
        Some(class) if ID_CLASSES.iter().any(|(c, _)| *c == class) => class.to_string(),
        Some(_) => {
            return Err(ApiError::invalid(
                &format!("{POINTER}/id-class"),
                "must be dl (driver's licence), pp (passport) or id (identity card)",
            ))
        }
        None => {
            return Err(ApiError::bad_field(
                &format!("{POINTER}/id-class"),
                "is missing",
            ))
        }
    };
    let country_code = match text(&attributes, "country-code")? {
        Some(code) if code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic()) => {
            code.to_ascii_uppercase()
        }
        Some(_) => {
            return Err(ApiError::invalid(
                &format!("{POINTER}/country-code"),
                "must be an ISO 3166-1 alpha-2 country code, such as US",
            ))
        }
        None => {
            return Err(ApiError::bad_field(
                &format!("{POINTER}/country-code"),
                "is missing",
            ))
        }
    };
    let capture_method = capture_method(&attributes)?;
    let front = photo(
        &attributes,
        "front-photo",
        Some("a photo of the document's front"),
    )?
    .expect("required");
    let back_needed = match id_class.as_str() {
        "dl" => Some("a driver's licence's back carries its barcode"),
        "id" => Some("an identity card's back carries its machine-readable zone"),
        _ => None,
    };
    let back = photo(&attributes, "back-photo", back_needed)?;
    let (class, country) = (id_class.clone(), country_code.clone());
    let (front_bytes, back_bytes) = (front.1.clone(), back.as_ref().map(|b| b.1.clone()));
    let reading = tokio::task::spawn_blocking(move || {
        vigil_documents::read_government_id(&class, &country, &front_bytes, back_bytes.as_deref())
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let matches = match reading.identity() {
        Some(identity) => {
            crate::routes::reports::screening_caught_up(&state).await?;
            screen(&state, ctx.env_id(), identity, &id_class)
        }
        None => Vec::new(),
    };
    let files =
        crate::routes::documents::keep_files(&state, std::iter::once(front).chain(back).collect())
            .await?;
    let submission = IdSubmission {
        reading,
        files,
        matches,
        capture_method,
    };
    on_inquiry(
        &state,
        &ctx,
        &body,
        id,
        origins,
        move |tx, acting, inquiry| {
            verifications::verify_government_id(tx, acting, inquiry, submission)
        },
    )
    .await
}

/// `POST /inquiry-flow/current/selfie`.
pub async fn selfie(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    request: Request,
) -> ApiResult<Reply> {
    let id = ctx.flow()?.inquiry_id.clone();
    let origins = frame_ancestors(&headers);
    let (_slot, body, attributes) = read_step(&state, request).await?;
    only(&attributes, &["center-photo", "capture-method"])?;
    let capture_method = capture_method(&attributes)?;
    let center = photo(
        &attributes,
        "center-photo",
        Some("a photo of the person's face"),
    )?
    .expect("required");
    let bytes = center.1.clone();
    let findings = tokio::task::spawn_blocking(move || vigil_documents::read_selfie(&bytes))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let file = crate::routes::documents::keep_files(&state, vec![center])
        .await?
        .remove(0);
    let submission = SelfieSubmission {
        findings,
        file,
        capture_method,
    };
    on_inquiry(
        &state,
        &ctx,
        &body,
        id,
        origins,
        move |tx, acting, inquiry| verifications::verify_selfie(tx, acting, inquiry, submission),
    )
    .await
}
