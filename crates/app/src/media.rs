//! Pictures served to anyone (offer photos, product photos, ticket type pictures): public like
//! the booking pages that show them; their ids are random UUIDv7.

use crate::AppError;

/// Which table a picture comes from.
#[derive(Debug, Clone, Copy)]
pub enum Picture {
    Offer,
    Product,
    Item,
}

/// The picture's MIME type and bytes (or its thumbnail's); `NotFound` for an unknown id.
pub async fn picture(
    app: &crate::App,
    kind: Picture,
    id: uuid::Uuid,
    thumbnail: bool,
) -> Result<(String, Vec<u8>), AppError> {
    Ok(app
        .store
        .read(|tx| {
            Box::pin(async move {
                match kind {
                    Picture::Offer => guichet_store::offers::photo_bytes(tx, id, thumbnail).await,
                    Picture::Product => guichet_store::shop::photo_bytes(tx, id, thumbnail).await,
                    Picture::Item => guichet_store::items::picture_bytes(tx, id, thumbnail).await,
                }
            })
        })
        .await?)
}
