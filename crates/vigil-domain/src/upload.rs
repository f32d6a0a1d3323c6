//! Files sent inline as `{"data": "<base64>", "filename": "..."}` (Persona's shape for
//! `selfie-photo` and importer files), checked before they reach storage.

use base64::Engine;
use serde_json::Value;

use crate::error::FieldError;

/// A decoded, checked upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub filename: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// The image types a selfie may be, recognised by their first bytes (the filename's
/// extension proves nothing).
fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.len() >= 12
        && &bytes[4..8] == b"ftyp"
        && matches!(&bytes[8..12], b"heic" | b"heix" | b"mif1")
    {
        Some("image/heic")
    } else {
        None
    }
}

/// A filename safe to echo in URLs and headers: its last path component, at most 255
/// characters, no control characters.
fn filename(input: &str) -> Result<String, String> {
    let name = input.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    if name.is_empty() || name == "." || name == ".." {
        return Err("must be a file name".into());
    }
    if name.chars().count() > 255 {
        return Err("must be at most 255 characters".into());
    }
    if name.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(name.to_string())
}

/// Decode an inline file at `pointer`: `{"data": base64, "filename": name}`. Returns the
/// checked filename and the bytes (never empty).
pub fn decode_file(value: &Value, pointer: &str) -> Result<(String, Vec<u8>), FieldError> {
    if !value.is_object() {
        return Err(FieldError::bad_type(
            pointer,
            "must be an object with data (base64) and filename",
        ));
    }
    let data_pointer = format!("{pointer}/data");
    let Some(encoded) = value.get("data").and_then(Value::as_str) else {
        return Err(FieldError::bad_type(
            data_pointer,
            "must be a base64 string",
        ));
    };
    let name_pointer = format!("{pointer}/filename");
    let Some(name) = value.get("filename").and_then(Value::as_str) else {
        return Err(FieldError::bad_type(name_pointer, "must be a string"));
    };
    let filename = filename(name).map_err(|m| FieldError::invalid(&name_pointer, m))?;
    // Clients send both padded and unpadded base64, sometimes with line breaks.
    let compact: String = encoded
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(compact.trim_end_matches('='))
        .map_err(|_| FieldError::invalid(&data_pointer, "is not valid base64"))?;
    if bytes.is_empty() {
        return Err(FieldError::invalid(data_pointer, "is empty"));
    }
    Ok((filename, bytes))
}

/// A file name sent beside a multipart upload, checked as an inline one's is.
pub fn check_filename(name: &str, pointer: &str) -> Result<String, FieldError> {
    filename(name).map_err(|m| FieldError::invalid(pointer, m))
}

/// Parse an image upload at `pointer`: `{"data": {"data": base64, "filename": name}}`.
pub fn parse_image(value: &Value, pointer: &str) -> Result<Upload, FieldError> {
    let inner = value.get("data").unwrap_or(&Value::Null);
    let (filename, bytes) = decode_file(inner, &format!("{pointer}/data"))?;
    let content_type = image_type(&bytes).ok_or_else(|| {
        FieldError::invalid(
            format!("{pointer}/data/data"),
            "is not a JPEG, PNG, WebP or HEIC image",
        )
    })?;
    Ok(Upload {
        filename,
        content_type,
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    #[test]
    fn images_are_decoded_and_recognised_by_content() {
        let png = b"\x89PNG\r\n\x1a\n rest of the image";
        let upload = parse_image(
            &json!({"data": {"data": b64(png), "filename": "../../me.png"}}),
            "/data/attributes/selfie-photo",
        )
        .unwrap();
        assert_eq!(upload.filename, "me.png");
        assert_eq!(upload.content_type, "image/png");
        assert_eq!(upload.bytes, png);
    }

    #[test]
    fn bad_uploads_name_their_field() {
        let p = "/data/attributes/selfie-photo";
        let not_image = parse_image(
            &json!({"data": {"data": b64(b"%PDF-1.7"), "filename": "x.jpg"}}),
            p,
        );
        assert_eq!(
            not_image.unwrap_err().pointer,
            "/data/attributes/selfie-photo/data/data"
        );
        let not_base64 = parse_image(&json!({"data": {"data": "***", "filename": "x.jpg"}}), p);
        assert!(not_base64.unwrap_err().message.contains("base64"));
        let no_name = parse_image(&json!({"data": {"data": b64(b"\xFF\xD8\xFF\xE0")}}), p);
        assert_eq!(
            no_name.unwrap_err().pointer,
            "/data/attributes/selfie-photo/data/filename"
        );
        assert!(
            parse_image(&json!("just a string"), p)
                .unwrap_err()
                .wrong_type
        );
    }
}
