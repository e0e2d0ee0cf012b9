//! What is derived from a file's bytes when it is stored: a small JPEG
//! thumbnail of images, and the plain text of documents (PDF, DOCX, PPTX,
//! ODT, ODP, plain text, Markdown, CSV), kept for search.
//!
//! Everything here is CPU work on untrusted bytes. The server never runs it
//! in its own address space: a worker process does (see the server's
//! `previews` module and [`crate::materials::port::Previewer`]), with limits on its
//! memory and time, because a parser can still overflow its stack or
//! allocate without end on a crafted file. Inside the worker, inputs are
//! bounded too — [`PREVIEW_MAX_BYTES`], decoder allocation limits, and one
//! budget of uncompressed bytes and of text shared by every part of a
//! document — so an ordinary worker run stays small. A file we cannot read
//! simply has no preview; it is never refused for it.

use std::io::Read;

/// Files larger than this get no thumbnail or text.
pub const PREVIEW_MAX_BYTES: u64 = 64 * 1024 * 1024;
/// Thumbnails fit in a square of this side, in pixels.
pub const THUMBNAIL_SIDE: u32 = 320;
/// Extracted text is cut at this many characters.
pub const MAX_TEXT_CHARS: usize = 1_000_000;
/// Uncompressed bytes read from all the parts of one office document
/// together (a zip's entries may claim anything and inflate ~1000:1).
const MAX_XML_BYTES: u64 = 64 * 1024 * 1024;
/// Slides read from one presentation.
const MAX_SLIDES: usize = 2_000;

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
            let mut budget = Budget::new();
            let xml = budget.read_entry(&mut zip, "word/document.xml")?;
            let mut out = String::new();
            xml_text(&xml, Some(b"t"), &mut out, &mut budget);
            Some(out)
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
                .take(MAX_SLIDES)
                .collect();
            slides.sort();
            let mut budget = Budget::new();
            let mut out = String::new();
            for (_, name) in slides {
                if budget.spent() {
                    break;
                }
                if let Some(xml) = budget.read_entry(&mut zip, &name) {
                    xml_text(&xml, Some(b"t"), &mut out, &mut budget);
                    budget.push(&mut out, "\n");
                }
            }
            Some(out)
        }
        ODT | ODP => {
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
            let mut budget = Budget::new();
            let xml = budget.read_entry(&mut zip, "content.xml")?;
            let mut out = String::new();
            xml_text(&xml, None, &mut out, &mut budget);
            Some(out)
        }
        _ => None,
    }
}

/// What one document may still cost: uncompressed bytes read from its
/// parts, and characters of text kept. Shared by all the parts, so a
/// presentation of a thousand bomb slides costs what one document may.
struct Budget {
    xml_bytes: u64,
    chars: usize,
}

impl Budget {
    fn new() -> Budget {
        Budget {
            xml_bytes: MAX_XML_BYTES,
            chars: MAX_TEXT_CHARS,
        }
    }

    fn spent(&self) -> bool {
        self.chars == 0 || self.xml_bytes == 0
    }

    /// Reads a part, at most what the byte budget has left (the declared
    /// size may lie, so the read itself is bounded); `None` when it is
    /// missing, unreadable or larger than what is left.
    fn read_entry(
        &mut self,
        zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>,
        name: &str,
    ) -> Option<Vec<u8>> {
        let entry = zip.by_name(name).ok()?;
        if entry.size() > self.xml_bytes {
            self.xml_bytes = 0;
            return None;
        }
        let mut out = Vec::new();
        let read = entry.take(self.xml_bytes + 1).read_to_end(&mut out);
        if out.len() as u64 > self.xml_bytes {
            self.xml_bytes = 0;
            return None;
        }
        self.xml_bytes -= out.len() as u64;
        read.ok().map(|_| out)
    }

    /// Appends as much of `text` as the character budget allows.
    fn push(&mut self, out: &mut String, text: &str) {
        if self.chars == 0 {
            return;
        }
        let end = text
            .char_indices()
            .nth(self.chars)
            .map_or(text.len(), |(i, _)| i);
        let kept = &text[..end];
        self.chars -= kept.chars().count();
        out.push_str(kept);
    }
}

/// Appends the text of an office XML part to `out`: the text inside
/// elements named `only_in` (`w:t`, `a:t`), or all text; paragraphs end
/// lines. Stops when the budget is spent or the XML is malformed.
fn xml_text(xml: &[u8], only_in: Option<&[u8]>, out: &mut String, budget: &mut Budget) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut inside = 0usize;
    while budget.chars > 0 {
        let Ok(event) = reader.read_event() else {
            return;
        };
        match event {
            Event::Start(e) if only_in.is_some_and(|t| e.local_name().as_ref() == t) => {
                inside += 1;
            }
            Event::End(e) => {
                let name = e.local_name();
                if only_in.is_some_and(|t| name.as_ref() == t) {
                    inside = inside.saturating_sub(1);
                }
                if matches!(name.as_ref(), b"p" | b"h") {
                    budget.push(out, "\n");
                }
            }
            Event::Empty(e) => match e.local_name().as_ref() {
                b"tab" => budget.push(out, "\t"),
                b"br" | b"line-break" => budget.push(out, "\n"),
                b"s" => budget.push(out, " "),
                _ => {}
            },
            Event::Text(t) if only_in.is_none() || inside > 0 => match t.unescape() {
                Ok(text) => budget.push(out, &text),
                Err(_) => return,
            },
            Event::Eof => return,
            _ => {}
        }
    }
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
        let text = |xml: &[u8], only_in: Option<&[u8]>| {
            let mut out = String::new();
            xml_text(xml, only_in, &mut out, &mut Budget::new());
            tidy(out)
        };
        assert_eq!(text(docx, Some(b"t")), "Hello\tЕреван & Баку\nTwo");
        let odt = br#"<office:document-content><office:body><office:text><text:h>Title</text:h><text:p>One<text:s/>two <text:span>three</text:span></text:p></office:text></office:body></office:document-content>"#;
        assert_eq!(text(odt, None), "Title\nOne two three");
    }

    /// A presentation of many slides, each a compressed 32 MiB run of one
    /// letter: read whole, it would be more than a gigabyte of text.
    #[test]
    fn a_presentation_bomb_costs_one_budget_not_one_per_slide() {
        use std::io::Write;
        // One slide compressed once, then copied raw under forty names.
        let mut one = std::io::Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut one);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        z.start_file("ppt/slides/slide1.xml", opts).unwrap();
        z.write_all(b"<p:sld><a:t>").unwrap();
        let run = vec![b'x'; 1 << 20];
        for _ in 0..32 {
            z.write_all(&run).unwrap();
        }
        z.write_all(b"</a:t></p:sld>").unwrap();
        z.finish().unwrap();
        let mut source = zip::ZipArchive::new(std::io::Cursor::new(one.into_inner())).unwrap();
        let mut out = std::io::Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut out);
        for n in 1..=40 {
            let slide = source.by_index_raw(0).unwrap();
            z.raw_copy_file_rename(slide, format!("ppt/slides/slide{n}.xml"))
                .unwrap();
        }
        z.finish().unwrap();
        let bytes = out.into_inner();
        assert!(bytes.len() < 2 * 1024 * 1024, "{}", bytes.len());
        let text = derive(PPTX, &bytes).text.unwrap_or_default();
        assert!(text.len() <= MAX_TEXT_CHARS, "{}", text.len());
        assert!(text.starts_with("xxx"), "the first slide's text is kept");
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
