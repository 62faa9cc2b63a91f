//! Forms that may carry files. A page form with a file input is sent as `multipart/form-data`;
//! `Submitted<T>` reads its text fields into `T` exactly as `Form<T>` reads an urlencoded form
//! (so one handler serves both) and keeps the files aside. An empty file input (nothing
//! chosen) is no file.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// One uploaded file: the form field it came in, the file's name on the user's machine, and
/// its bytes.
#[derive(Debug, Clone)]
pub struct Upload {
    pub field: String,
    pub name: String,
    pub bytes: Bytes,
}

/// A posted form and the files sent with it.
pub struct Submitted<T> {
    pub form: T,
    pub files: Vec<Upload>,
}

impl<T> Submitted<T> {
    /// The file sent in `field`, if one was chosen.
    pub fn file(&self, field: &str) -> Option<&Upload> {
        self.files.iter().find(|f| f.field == field)
    }
}

fn bad(_: impl std::fmt::Display) -> AppError {
    AppError::BadRequest("error-400-detail")
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Submitted<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let multipart =
            req.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"multipart/form-data"));
        if !multipart {
            let axum::Form(form) = axum::Form::<T>::from_request(req, state).await.map_err(bad)?;
            return Ok(Submitted { form, files: Vec::new() });
        }
        let mut parts = Multipart::from_request(req, state).await.map_err(bad)?;
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut files = Vec::new();
        while let Some(part) = parts.next_field().await.map_err(bad)? {
            let field = part.name().unwrap_or_default().to_owned();
            match part.file_name().map(str::to_owned) {
                Some(name) => {
                    let bytes = part.bytes().await.map_err(bad)?;
                    if !name.is_empty() || !bytes.is_empty() {
                        files.push(Upload { field, name, bytes });
                    }
                }
                None => {
                    let text = part.text().await.map_err(bad)?;
                    fields.push((field, text));
                }
            }
        }
        // Read the text fields with the very deserializer of an urlencoded form.
        let encoded = Request::builder()
            .method("POST")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(url::form_urlencoded::Serializer::new(String::new()).extend_pairs(&fields).finish()))
            .map_err(bad)?;
        let axum::Form(form) = axum::Form::<T>::from_request(encoded, state).await.map_err(bad)?;
        Ok(Submitted { form, files })
    }
}

/// A stored file as a download: its name in the header both ASCII-safe and in UTF-8 (Chinese
/// names), its type left to the reader's program.
pub fn download(file_name: &str, content: Vec<u8>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let ascii: String =
        file_name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect();
    let encoded: String =
        url::form_urlencoded::byte_serialize(file_name.as_bytes()).collect::<String>().replace('+', "%20");
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    (
        [(header::CONTENT_TYPE, "application/octet-stream".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        content,
    )
        .into_response()
}
