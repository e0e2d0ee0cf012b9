//! What is derived from a file's bytes when it is stored: a small JPEG
//! thumbnail of images, and the plain text of documents (PDF, DOCX, PPTX,
//! ODT, ODP, plain text, Markdown, CSV), kept for search.
//!
//! Everything here is CPU work on untrusted bytes: callers run it on the
//! blocking pool and treat a panic as "nothing derived". Inputs are bounded
//! ([`PREVIEW_MAX_BYTES`], decoder allocation limits, zip entry sizes), and
//! a file we cannot read simply has no preview — it is never refused for it.

use std::io::Read;

/// Files larger than this get no thumbnail or text.
pub const PREVIEW_MAX_BYTES: u64 = 64 * 1024 * 1024;
/// Thumbnails fit in a square of this side, in pixels.
pub const THUMBNAIL_SIDE: u32 = 320;
/// Extracted text is cut at this many characters.
pub const MAX_TEXT_CHARS: usize = 1_000_000;
/// A document's XML part larger than this (uncompressed) is not read.
const MAX_XML_BYTES: u64 = 32 * 1024 * 1024;

/// What could be derived from a file.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Derived {
    pub text: Option<String>,
    /// A JPEG.
    pub thumbnail: Option<Vec<u8>>,
}

/// Derives what the type allows. Pure and CPU-bound.
pub fn derive(content_type: &str, bytes: &[u8]) -> Derived {
    if bytes.len() as u64 > PREVIEW_MAX_BYTES {
        return Derived::default();
    }
    let thumbnail = match content_type {
        "image/jpeg" | "image/png" | "image/gif" | "image/webp" => thumbnail(bytes),
        _ => None,
    };
    let text = extract_text(content_type, bytes)
        .map(tidy)
        .filter(|t| !t.is_empty());
    Derived { text, thumbnail }
}

fn thumbnail(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let img = reader.decode().ok()?;
    let small = img.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE).to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&small)
        .ok()?;
    Some(out)
}

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const PPTX: &str = "application/vnd.openxmlformats-officedocument.presentationml.presentation";
const ODT: &str = "application/vnd.oasis.opendocument.text";
const ODP: &str = "application/vnd.oasis.opendocument.presentation";

fn extract_text(content_type: &str, bytes: &[u8]) -> Option<String> {
    match content_type {
        "text/plain" | "text/csv" => Some(String::from_utf8_lossy(bytes).into_owned()),
        "text/markdown" => Some(markdown_text(&String::from_utf8_lossy(bytes))),
        "application/pdf" => pdf_extract::extract_text_from_mem(bytes).ok(),
        DOCX => {
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
            xml_text(&zip_entry(&mut zip, "word/document.xml")?, Some(b"t"))
        }
        PPTX => {
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
            // Slides in their order: slide1.xml, slide2.xml, … slide10.xml.
            let mut slides: Vec<(u32, String)> = zip
                .file_names()
                .filter_map(|n| {
                    let num = n.strip_prefix("ppt/slides/slide")?.strip_suffix(".xml")?;
                    Some((num.parse().ok()?, n.to_owned()))
                })
                .collect();
            slides.sort();
            let mut out = String::new();
            for (_, name) in slides {
                if let Some(t) = zip_entry(&mut zip, &name).and_then(|x| xml_text(&x, Some(b"t"))) {
                    out.push_str(&t);
                    out.push('\n');
                }
            }
            Some(out)
        }
        ODT | ODP => {
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
            xml_text(&zip_entry(&mut zip, "content.xml")?, None)
        }
        _ => None,
    }
}

fn zip_entry(zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>, name: &str) -> Option<Vec<u8>> {
    let entry = zip.by_name(name).ok()?;
    if entry.size() > MAX_XML_BYTES {
        return None;
    }
    let mut out = Vec::new();
    // The declared size may lie: read no more than the limit either way.
    entry.take(MAX_XML_BYTES).read_to_end(&mut out).ok()?;
    Some(out)
}

/// The text of an office XML part: the text inside elements named
/// `only_in` (`w:t`, `a:t`), or all text; paragraphs end lines.
fn xml_text(xml: &[u8], only_in: Option<&[u8]>) -> Option<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut out = String::new();
    let mut inside = 0usize;
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) if only_in.is_some_and(|t| e.local_name().as_ref() == t) => {
                inside += 1;
            }
            Event::End(e) => {
                let name = e.local_name();
                if only_in.is_some_and(|t| name.as_ref() == t) {
                    inside = inside.saturating_sub(1);
                }
                if matches!(name.as_ref(), b"p" | b"h") {
                    out.push('\n');
                }
            }
            Event::Empty(e) => match e.local_name().as_ref() {
                b"tab" => out.push('\t'),
                b"br" | b"line-break" => out.push('\n'),
                b"s" => out.push(' '),
                _ => {}
            },
            Event::Text(t) if only_in.is_none() || inside > 0 => {
                out.push_str(&t.unescape().ok()?);
            }
            Event::Eof => break,
            _ => {}
        }
        if out.len() > MAX_TEXT_CHARS * 4 {
            break;
        }
    }
    Some(out)
}

/// The words of a Markdown text, without its markup.
pub(crate) fn markdown_text(md: &str) -> String {
    use pulldown_cmark::{Event, Parser, TagEnd};
    let mut out = String::new();
    for event in Parser::new(md) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push('\n'),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::CodeBlock,
            ) => out.push('\n'),
            _ => {}
        }
    }
    out
}

/// Trims every line, drops empty ones and control characters, and cuts at
/// [`MAX_TEXT_CHARS`].
fn tidy(text: String) -> String {
    let mut out = String::new();
    let mut chars = 0;
    for line in text.lines() {
        let line: String = line
            .chars()
            .filter(|c| !c.is_control() || *c == '\t')
            .collect();
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if chars + line.chars().count() > MAX_TEXT_CHARS {
            break;
        }
        chars += line.chars().count() + 1;
        out.push_str(line);
        out.push('\n');
    }
    out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_loses_its_markup_and_keeps_its_words() {
        let d = derive(
            "text/markdown",
            "# Урок\n\n**Вода** и `код`\n\n- один\n- два\n".as_bytes(),
        );
        assert_eq!(d.text.as_deref(), Some("Урок\nВода и код\nодин\nдва"));
        assert_eq!(d.thumbnail, None);
    }

    #[test]
    fn office_xml_keeps_the_text_runs_and_paragraphs() {
        let docx = r#"<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>Hello</w:t></w:r><w:r><w:tab/><w:t xml:space="preserve">Ереван &amp; Баку</w:t></w:r></w:p><w:p><w:r><w:instrText>PAGE</w:instrText><w:t>Two</w:t></w:r></w:p></w:body></w:document>"#.as_bytes();
        assert_eq!(
            xml_text(docx, Some(b"t")).map(tidy).as_deref(),
            Some("Hello\tЕреван & Баку\nTwo")
        );
        let odt = br#"<office:document-content><office:body><office:text><text:h>Title</text:h><text:p>One<text:s/>two <text:span>three</text:span></text:p></office:text></office:body></office:document-content>"#;
        assert_eq!(
            xml_text(odt, None).map(tidy).as_deref(),
            Some("Title\nOne two three")
        );
    }

    #[test]
    fn unreadable_files_derive_nothing_and_never_fail() {
        assert_eq!(
            derive("application/pdf", b"%PDF-1.4 broken"),
            Derived::default()
        );
        assert_eq!(derive(DOCX, b"PK\x03\x04 not really"), Derived::default());
        assert_eq!(
            derive("image/png", b"\x89PNG\r\n\x1a\n"),
            Derived::default()
        );
        assert_eq!(
            derive("video/mp4", b"\0\0\0\x18ftypisom"),
            Derived::default()
        );
    }
}
