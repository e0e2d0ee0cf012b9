//! What uploaded photos and videos may carry about where and when they
//! were made, and its removal before they are kept.

use crate::kernel::error::{Error, Result};
use crate::kernel::media_metadata as mm;

/// Whether files of this type may carry where and when they were made (GPS
/// position, camera, time), and are cleaned of it before they are kept.
pub(crate) fn carries_location(content_type: &str) -> bool {
    matches!(
        content_type,
        "image/jpeg"
            | "image/png"
            | "image/webp"
            | "image/tiff"
            | "image/x-canon-cr2"
            | "image/heif"
            | "image/avif"
    ) || is_iso_media(content_type)
}

/// Videos and sound in ISO base media files (MP4, MOV, M4V, M4A): cleaned
/// by patches, which a large one gets without being read whole.
pub(crate) fn is_iso_media(content_type: &str) -> bool {
    matches!(
        content_type,
        "video/mp4" | "video/quicktime" | "video/x-m4v" | "audio/m4a"
    )
}

/// The error for a file whose metadata cannot be read: it is refused rather
/// than stored with whatever it carries.
pub(crate) fn unreadable(content_type: &str) -> Error {
    Error::invalid(
        "file",
        if content_type.starts_with("image/") {
            "the image could not be checked for location data; save it again (as JPEG or PNG) and retry"
        } else {
            "the video could not be checked for location data; export it again and retry"
        },
    )
}

/// Removes location, camera and time metadata (EXIF, XMP, IPTC, text
/// chunks, QuickTime and MP4 metadata boxes, HEIC/AVIF EXIF items, and
/// whatever phones append after a JPEG) from files of the types
/// [`carries_location`] names; other files pass through unchanged. A file
/// whose container cannot be read is refused rather than stored as is.
pub(crate) fn strip_metadata(content_type: &str, bytes: Vec<u8>) -> Result<Vec<u8>> {
    use img_parts::{Bytes, ImageEXIF};
    let unreadable = || unreadable(content_type);
    let patched = |mut bytes: Vec<u8>, patches: Option<Vec<mm::Patch>>| {
        let patches = patches.ok_or_else(unreadable)?;
        mm::apply(&mut bytes, &patches);
        Ok(bytes)
    };
    match content_type {
        // Keeps the orientation, so that portrait photos stay upright.
        "image/jpeg" => mm::clean_jpeg_upright(&bytes).ok_or_else(unreadable),
        "image/png" => {
            let mut png =
                img_parts::png::Png::from_bytes(Bytes::from(bytes)).map_err(|_| unreadable())?;
            png.set_exif(None);
            png.chunks_mut()
                .retain(|c| !matches!(&c.kind(), b"tEXt" | b"zTXt" | b"iTXt" | b"tIME" | b"eXIf"));
            Ok(png.encoder().bytes().to_vec())
        }
        "image/webp" => {
            let mut webp =
                img_parts::webp::WebP::from_bytes(Bytes::from(bytes)).map_err(|_| unreadable())?;
            webp.set_exif(None);
            webp.chunks_mut().retain(|c| &c.id() != b"XMP ");
            Ok(webp.encoder().bytes().to_vec())
        }
        "image/tiff" | "image/x-canon-cr2" => {
            let patches = mm::tiff_patches(&bytes);
            patched(bytes, patches)
        }
        t if t == "image/heif" || t == "image/avif" || is_iso_media(t) => {
            let patches = mm::isobmff_patches_in(&bytes);
            patched(bytes, patches)
        }
        _ => Ok(bytes),
    }
}
