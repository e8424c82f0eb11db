//! Files to download, for pages and API alike: a body in memory, or an open file streamed.

use axum::response::{IntoResponse, Response};

/// A file to download: `bytes` of type `mime`, saved as `filename`.
pub fn attachment(mime: &str, filename: &str, bytes: Vec<u8>) -> Response {
    use axum::http::header;
    (
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// An open file to download, streamed 64 KiB at a time (a large export written to disk).
pub fn file_attachment(mime: &str, filename: &str, file: std::fs::File) -> Response {
    use axum::http::header;
    let chunks = futures_util::stream::try_unfold(file, |mut file| async move {
        let (file, chunk) = tokio::task::spawn_blocking(move || {
            let mut buf = vec![0u8; 64 * 1024];
            let n = std::io::Read::read(&mut file, &mut buf)?;
            buf.truncate(n);
            Ok::<_, std::io::Error>((file, buf))
        })
        .await
        .map_err(std::io::Error::other)??;
        Ok::<_, std::io::Error>((!chunk.is_empty()).then_some((chunk, file)))
    });
    (
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        axum::body::Body::from_stream(chunks),
    )
        .into_response()
}

/// A file to download sent as its chunks come (a streamed export): a failed chunk ends the
/// body, as a cut download.
pub fn stream_attachment<S, E>(mime: &str, filename: &str, chunks: S) -> Response
where
    S: futures_util::Stream<Item = Result<Vec<u8>, E>> + Send + 'static,
    E: std::fmt::Debug,
{
    use axum::http::header;
    let body = axum::body::Body::from_stream(futures_util::TryStreamExt::map_err(chunks, |e| {
        std::io::Error::other(format!("{e:?}"))
    }));
    (
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// A file a use case made (an export), sent whole.
pub fn file(f: guichet_app::files::File) -> Response {
    attachment(f.mime, &f.name, f.bytes)
}
