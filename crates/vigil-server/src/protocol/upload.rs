//! Bodies that carry files, as Persona's importers and documents take them: JSON with the
//! file inline (`data.attributes.file = {"data": base64, "filename": ...}`, or several as
//! `data.attributes.files = [...]`), or `multipart/form-data` with Rails-style field names
//! (`data[attributes][file]` or repeated `data[attributes][files][]`,
//! `data[attributes][list-id]`). Both end up as the same [`UploadBody`], limited to
//! `max_upload_bytes`.

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
    /// The bytes, unless the file was streamed to disk (`spooled`).
    pub bytes: Vec<u8>,
    /// Hash and name in the imports folder of a file streamed there as it arrived
    /// (multipart importer uploads): never held in memory.
    pub spooled: Option<(String, String)>,
}

/// The most files one request carries.
const MAX_FILES: usize = 10;

/// A request's attributes (kebab-case keys) and its files, however they were sent.
pub struct UploadBody {
    pub attributes: Map<String, Value>,
    pub files: Vec<UploadedFile>,
    /// Over method, path, query, the attributes and the file's digest.
    pub request_hash: String,
    /// One of the server's upload slots, held until the handler is done with the files:
    /// uploads are held in memory, so only a few are read at once.
    _slot: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl UploadBody {
    /// The one file the operation requires.
    pub fn take_file(&mut self) -> Result<UploadedFile, ApiError> {
        match self.files.len() {
            0 => Err(ApiError::bad_field(FILE_POINTER, "is missing")),
            1 => Ok(self.files.remove(0)),
            _ => Err(ApiError::invalid(
                FILE_POINTER,
                "this operation takes one file",
            )),
        }
    }

    /// The files (at least one) the operation requires.
    pub fn take_files(&mut self) -> Result<Vec<UploadedFile>, ApiError> {
        if self.files.is_empty() {
            return Err(ApiError::bad_field(FILE_POINTER, "is missing"));
        }
        Ok(std::mem::take(&mut self.files))
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

/// Stream one multipart file to a new file in `folder` as it arrives (fsynced, named by
/// its hash): the upload is never held in memory.
async fn spool(
    mut field: multer::Field<'static>,
    folder: &crate::blobs::Blobs,
    limit: usize,
) -> Result<UploadedFile, ApiError> {
    let internal = |e: std::io::Error| ApiError::Internal(e.to_string());
    let mut spool = folder.spool().map_err(internal)?;
    while let Some(chunk) = field.chunk().await.map_err(multipart_error(limit))? {
        spool.write(&chunk).map_err(internal)?;
    }
    if spool.bytes_written() == 0 {
        return Err(ApiError::invalid(FILE_POINTER, "is empty"));
    }
    let (sha256, name) = tokio::task::spawn_blocking(move || spool.finish())
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(internal)?;
    Ok(UploadedFile {
        filename: String::new(),
        bytes: Vec::new(),
        spooled: Some((sha256, name)),
    })
}

async fn read_multipart(
    request: Request,
    content_type: &str,
    limit: usize,
    spool_to: Option<std::sync::Arc<crate::blobs::Blobs>>,
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
    let mut files = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(multipart_error(limit))?
    {
        let name = field.name().unwrap_or_default().to_string();
        let attribute = if name == "data[attributes][files][]" {
            Some("file".to_string())
        } else {
            attribute_of(&name)
        };
        let Some(attribute) = attribute else {
            return Err(ApiError::bad_request(format!(
                "multipart field `{name}` is not named data[attributes][<attribute>]"
            )));
        };
        if attribute == "file" {
            let filename = check_filename(
                field.file_name().unwrap_or("upload.csv"),
                "/data/attributes/file/filename",
            )?;
            if files.len() == MAX_FILES {
                return Err(ApiError::invalid(
                    FILE_POINTER,
                    &format!("at most {MAX_FILES} files per request"),
                ));
            }
            let file = match &spool_to {
                Some(folder) => spool(field, folder, limit).await?,
                None => {
                    let bytes = field.bytes().await.map_err(multipart_error(limit))?;
                    UploadedFile {
                        filename: String::new(),
                        bytes: Vec::from(bytes),
                        spooled: None,
                    }
                }
            };
            let digest = match &file.spooled {
                Some((sha256, _)) => hex::decode(sha256).unwrap_or_default(),
                None if file.bytes.is_empty() => {
                    return Err(ApiError::invalid(FILE_POINTER, "is empty"))
                }
                None => Sha256::digest(&file.bytes).to_vec(),
            };
            hasher.update(b"file\n");
            hasher.update(filename.as_bytes());
            hasher.update(digest);
            files.push(UploadedFile { filename, ..file });
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
        files,
        request_hash: hex::encode(hasher.finalize()),
        _slot: None,
    })
}

impl FromRequest<AppState> for UploadBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let slot = state
            .uploads
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let mut body = UploadBody::read(request, state).await?;
        body._slot = Some(slot);
        Ok(body)
    }
}

impl UploadBody {
    async fn read(request: Request, state: &AppState) -> Result<Self, ApiError> {
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
            // Importer files go straight to disk; document files (a few, checked by
            // content) are read into memory.
            let spool_to = request
                .uri()
                .path()
                .contains("/importer/")
                .then(|| state.import_files.clone())
                .flatten();
            return read_multipart(request, &content_type, limit, spool_to).await;
        }
        let body = ApiBody::read_as(request, limit, true).await?;
        let mut attributes = body.attributes()?;
        let mut files = Vec::new();
        match attributes.remove("file") {
            None | Some(Value::Null) => {}
            Some(inline) => {
                let (filename, bytes) = decode_file(&inline, FILE_POINTER)?;
                files.push(UploadedFile {
                    filename,
                    bytes,
                    spooled: None,
                });
            }
        }
        match attributes.remove("files") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) if items.len() <= MAX_FILES => {
                for (index, inline) in items.iter().enumerate() {
                    let (filename, bytes) =
                        decode_file(inline, &format!("/data/attributes/files/{index}"))?;
                    files.push(UploadedFile {
                        filename,
                        bytes,
                        spooled: None,
                    });
                }
            }
            Some(Value::Array(_)) => {
                return Err(ApiError::invalid(
                    "/data/attributes/files",
                    &format!("at most {MAX_FILES} files per request"),
                ))
            }
            Some(_) => {
                return Err(ApiError::bad_field(
                    "/data/attributes/files",
                    "must be an array of files",
                ))
            }
        }
        Ok(UploadBody {
            attributes,
            files,
            request_hash: body.request_hash,
            _slot: None,
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
