//! Uploaded pictures: checked to be a real JPEG, PNG or WebP image of a sane size, and given
//! a JPEG thumbnail for lists and booking pages.

use image::{ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// Largest upload accepted.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Largest picture side accepted (a guard against decompression bombs).
pub const MAX_SIDE: u32 = 8000;
/// Thumbnails fit in this square.
pub const THUMB_SIDE: u32 = 480;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("empty")]
    Empty,
    #[error("too large")]
    TooLarge,
    #[error("not a JPEG, PNG or WebP image")]
    NotAnImage,
}

impl ImageError {
    pub fn code(self) -> &'static str {
        match self {
            ImageError::Empty => "required",
            ImageError::TooLarge => "image_too_large",
            ImageError::NotAnImage => "not_an_image",
        }
    }
}

/// A checked picture with its thumbnail.
pub struct Picture {
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
    pub thumbnail: Vec<u8>,
}

pub fn process(bytes: &[u8]) -> Result<Picture, ImageError> {
    if bytes.is_empty() {
        return Err(ImageError::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(ImageError::TooLarge);
    }
    let format = image::guess_format(bytes).map_err(|_| ImageError::NotAnImage)?;
    let mime = match format {
        ImageFormat::Jpeg => "image/jpeg",
        ImageFormat::Png => "image/png",
        ImageFormat::WebP => "image/webp",
        _ => return Err(ImageError::NotAnImage),
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let img = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => ImageError::TooLarge,
        _ => ImageError::NotAnImage,
    })?;
    let thumb = img.thumbnail(THUMB_SIDE, THUMB_SIDE).to_rgb8();
    let mut out = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82)
        .encode_image(&thumb)
        .map_err(|_| ImageError::NotAnImage)?;
    Ok(Picture {
        mime,
        width: img.width(),
        height: img.height(),
        data: bytes.to_vec(),
        thumbnail: out.into_inner(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(w, h, image::Rgb([20, 90, 160]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn pictures_get_a_thumbnail() {
        let p = process(&png(1200, 800)).unwrap();
        assert_eq!((p.mime, p.width, p.height), ("image/png", 1200, 800));
        let thumb = image::load_from_memory(&p.thumbnail).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (480, 320));
    }

    #[test]
    fn refuses_what_is_not_a_picture() {
        assert_eq!(process(b"").err(), Some(ImageError::Empty));
        assert_eq!(
            process(b"%PDF-1.7 not a picture").err(),
            Some(ImageError::NotAnImage)
        );
        assert_eq!(
            process(&vec![0u8; MAX_BYTES + 1]).err(),
            Some(ImageError::TooLarge)
        );
        let mut truncated = png(50, 50);
        truncated.truncate(60);
        assert_eq!(process(&truncated).err(), Some(ImageError::NotAnImage));
    }
}
