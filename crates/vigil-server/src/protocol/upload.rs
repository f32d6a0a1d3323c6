//! Bodies that carry a file, as Persona's importers take them: JSON with the file inline
//! (`data.attributes.file = {"data": base64, "filename": ...}`), or `multipart/form-data`
//! with Rails-style field names (`data[attributes][file]`, `data[attributes][list-id]`).
//! Both end up as the same [`UploadBody`], limited to `max_upload_bytes`.

use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use vigil_domain::upload::{check_filename, decode_file};

use super::body::{canonical, request_hasher, ApiBody};
use super::error::ApiError;
use super::inflection::to_kebab;
use crate::AppState;

const FILE_POINTER: &str = "/data/attributes/file";

/// An uploaded file.
pub struct UploadedFile {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// A request's attributes (kebab-case keys) and its file, however it was sent.
pub struct UploadBody {
    pub attributes: Map<String, Value>,
    pub file: Option<UploadedFile>,
    /// Over method, path, query, the attributes and the file's digest.
    pub request_hash: String,
}

impl UploadBody {
    /// The file, which the operation requires.
    pub fn take_file(&mut self) -> Result<UploadedFile, ApiError> {
        self.file
            .take()
            .ok_or_else(|| ApiError::bad_field(FILE_POINTER, "is missing"))
    }
}

/// `data[attributes][list-id]` → `list-id` (any key spelling).
fn attribute_of(field: &str) -> Option<String> {
    let inner = field.strip_prefix("data[attributes][")?.strip_suffix(']')?;
    (!inner.is_empty() && !inner.contains(['[', ']'])).then(|| to_kebab(inner))
}

fn multipart_error(limit: usize) -> impl Fn(multer::Error) -> ApiError {
    move |error| match error {
        multer::Error::StreamSizeExceeded { .. } | multer::Error::FieldSizeExceeded { .. } => {
            ApiError::PayloadTooLarge { limit }
        }
        other => ApiError::bad_request(format!("the multipart body cannot be read: {other}")),
    }
}

async fn read_multipart(
    request: Request,
    content_type: &str,
    limit: usize,
) -> Result<UploadBody, ApiError> {
    let boundary = multer::parse_boundary(content_type)
        .map_err(|_| ApiError::bad_request("multipart/form-data needs a boundary parameter"))?;
    let (parts, body) = request.into_parts();
    let mut hasher = request_hasher(&parts);
    let constraints =
        multer::Constraints::new().size_limit(multer::SizeLimit::new().whole_stream(limit as u64));
    let mut multipart =
        multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints);
    let mut attributes = Map::new();
    let mut file = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(multipart_error(limit))?
    {
        let name = field.name().unwrap_or_default().to_string();
        let Some(attribute) = attribute_of(&name) else {
            return Err(ApiError::bad_request(format!(
                "multipart field `{name}` is not named data[attributes][<attribute>]"
            )));
        };
        if attribute == "file" {
            let filename = check_filename(
                field.file_name().unwrap_or("upload.csv"),
                "/data/attributes/file/filename",
            )?;
            let bytes = field.bytes().await.map_err(multipart_error(limit))?;
            if bytes.is_empty() {
                return Err(ApiError::invalid(FILE_POINTER, "is empty"));
            }
            hasher.update(b"file\n");
            hasher.update(filename.as_bytes());
            hasher.update(Sha256::digest(&bytes));
            file = Some(UploadedFile {
                filename,
                bytes: bytes.to_vec(),
            });
        } else {
            let text = field.text().await.map_err(multipart_error(limit))?;
            attributes.insert(attribute, Value::String(text));
        }
    }
    hasher.update(super::render::json_bytes(&canonical(&Value::Object(
        attributes.clone(),
    ))));
    Ok(UploadBody {
        attributes,
        file,
        request_hash: hex::encode(hasher.finalize()),
    })
}

impl FromRequest<AppState> for UploadBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let limit = state.config.max_upload_bytes;
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        if content_type
            .to_ascii_lowercase()
            .starts_with("multipart/form-data")
        {
            return read_multipart(request, &content_type, limit).await;
        }
        let body = ApiBody::read(request, limit).await?;
        let mut attributes = body.attributes()?;
        let file = match attributes.remove("file") {
            None | Some(Value::Null) => None,
            Some(inline) => {
                let (filename, bytes) = decode_file(&inline, FILE_POINTER)?;
                Some(UploadedFile { filename, bytes })
            }
        };
        Ok(UploadBody {
            attributes,
            file,
            request_hash: body.request_hash,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::attribute_of;

    #[test]
    fn multipart_field_names_become_attributes() {
        assert_eq!(
            attribute_of("data[attributes][list_id]").as_deref(),
            Some("list-id")
        );
        assert_eq!(
            attribute_of("data[attributes][listId]").as_deref(),
            Some("list-id")
        );
        assert_eq!(
            attribute_of("data[attributes][file]").as_deref(),
            Some("file")
        );
        assert_eq!(attribute_of("file"), None);
        assert_eq!(attribute_of("data[attributes][a][b]"), None);
    }
}
