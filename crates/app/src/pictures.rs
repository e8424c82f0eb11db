//! Uploaded pictures checked and made into thumbnails.

use crate::AppError;

/// Decodes and checks an uploaded picture (JPEG, PNG or WebP, at most 5 MB and 8000 px) and makes
/// its thumbnail, on the blocking pool. The inner error is the user's (a bad file), the outer one ours.
pub async fn process_picture(
    bytes: Vec<u8>,
) -> Result<
    Result<guichet_integrations::images::Picture, guichet_integrations::images::ImageError>,
    AppError,
> {
    tokio::task::spawn_blocking(move || guichet_integrations::images::process(&bytes))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// [`process_picture`] for a form whose only field is the file.
pub async fn picture_field(
    bytes: Vec<u8>,
) -> Result<guichet_integrations::images::Picture, AppError> {
    process_picture(bytes)
        .await?
        .map_err(|e| AppError::field("file", e.code()))
}
