//! Removal of location, camera and time metadata from uploaded photos and
//! videos in the containers that the image crates do not rewrite: JPEG
//! (including whatever phones append after the picture), TIFF and TIFF-based
//! raw files (DNG and the like), and ISO base media files (MP4, MOV, 3GP,
//! M4V, M4A, HEIC/HEIF, AVIF).
//!
//! A JPEG is small, so [`clean_jpeg`] rebuilds it in memory from the
//! segments that decoding needs. TIFF and ISO files are cleaned with
//! [`Patch`]es instead: bytes written over the file at fixed offsets, never
//! changing its length. Every offset stored inside such a file (strip
//! offsets, chunk offsets, item locations) therefore stays valid, and a video
//! of gigabytes can be cleaned by reading only its few small boxes that
//! [`wants_box`] names and writing the patches back. What goes:
//! - TIFF: the EXIF, GPS, XMP, IPTC and Photoshop entries and the camera and
//!   time tags, with the data they point to;
//! - video: `udta`, `meta` and XMP boxes (they become `free` boxes of the
//!   same size), the times in the movie, track and media headers, leftovers
//!   in free space, and the samples of timed-metadata tracks (GPS tracks of
//!   action cameras);
//! - HEIC and AVIF: the bytes of the EXIF and XMP items, which then read as
//!   empty EXIF and XMP; the image items stay as they are.
//!
//! What it deliberately does not do:
//! - decode, re-encode or touch pixels and audio or video samples;
//! - keep the EXIF orientation of a JPEG: EXIF goes as a whole, so a caller
//!   that cares must rotate the pixels first;
//! - follow what maker notes point to outside the EXIF they sit in; and for
//!   proprietary raw files (NEF, CR2, ARW), whose decoders may need those
//!   notes, removing EXIF can make the raw image undecodable (DNG is
//!   self-contained and unaffected);
//! - read QuickTime compressed movie headers (`cmov`), fragmented MP4
//!   metadata (inside `moof`), subtitle or timecode tracks, BigTIFF, or any
//!   other format (PNG and WebP are left to the image crates);
//! - accept an ISO file with bytes after its last box, which it refuses.
//!
//! Every function reads untrusted bytes: none panics, every loop makes
//! progress, recursion depth and counts are bounded, allocations are bounded
//! by the input (by the box plus a fixed budget where the file's length is
//! not given), and what cannot be read yields `None` rather than a guess.

use std::collections::HashSet;

/// How deep boxes and IFDs are followed; real files need three or four.
const MAX_DEPTH: u32 = 8;
/// The most entries, items or extents read from one table or file.
const MAX_COUNT: usize = 100_000;
/// The most IFDs followed in one TIFF (a multi-page scan has one per page).
const MAX_IFDS: usize = 10_000;
/// The most strip, tile and chunk offsets read from one file.
const MAX_OFFSETS: usize = 1_000_000;
/// How many bytes outside the given box [`isobmff_patches`] may zero when it
/// does not know the file's length; real EXIF and XMP items are far smaller.
const OUTSIDE_CAP: u64 = 16 << 20;

/// The extended type of the `uuid` box that holds XMP in ISO base media files.
const XMP_UUID: [u8; 16] = [
    0xBE, 0x7A, 0xCF, 0xCB, 0x97, 0xA9, 0x42, 0xE8, 0x9C, 0x71, 0x99, 0x94, 0x91, 0xE3, 0xAF, 0xAC,
];

/// Bytes to write over a file at an absolute offset; never changes the file's length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patch {
    /// Where the bytes go, counted from the start of the file.
    pub offset: u64,
    /// What is written there.
    pub bytes: Vec<u8>,
}

/// Applies patches to an in-memory file (patches past the end are ignored / clipped).
pub fn apply(bytes: &mut [u8], patches: &[Patch]) {
    for patch in patches {
        let Ok(start) = usize::try_from(patch.offset) else {
            continue;
        };
        let Some(target) = bytes.get_mut(start..) else {
            continue;
        };
        let n = target.len().min(patch.bytes.len());
        if let (Some(dst), Some(src)) = (target.get_mut(..n), patch.bytes.get(..n)) {
            dst.copy_from_slice(src);
        }
    }
}

// ---------------------------------------------------------------------------
// Byte reading
// ---------------------------------------------------------------------------

/// `N` bytes at `at`, if they are all there.
fn take<const N: usize>(b: &[u8], at: usize) -> Option<[u8; N]> {
    b.get(at..at.checked_add(N)?)?.try_into().ok()
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    take(b, at).map(u16::from_be_bytes)
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    take(b, at).map(u32::from_be_bytes)
}

fn be64(b: &[u8], at: usize) -> Option<u64> {
    take(b, at).map(u64::from_be_bytes)
}

/// A forward reader over big-endian fields, as ISO boxes store them.
struct Cursor<'a> {
    b: &'a [u8],
    p: usize,
}

impl<'a> Cursor<'a> {
    fn new(b: &'a [u8]) -> Self {
        Cursor { b, p: 0 }
    }

    fn skip(&mut self, n: usize) -> Option<()> {
        let p = self.p.checked_add(n)?;
        if p > self.b.len() {
            return None;
        }
        self.p = p;
        Some(())
    }

    fn u8(&mut self) -> Option<u8> {
        let v = *self.b.get(self.p)?;
        self.skip(1)?;
        Some(v)
    }

    fn u16(&mut self) -> Option<u16> {
        let v = be16(self.b, self.p)?;
        self.skip(2)?;
        Some(v)
    }

    fn u32(&mut self) -> Option<u32> {
        let v = be32(self.b, self.p)?;
        self.skip(4)?;
        Some(v)
    }

    fn u64(&mut self) -> Option<u64> {
        let v = be64(self.b, self.p)?;
        self.skip(8)?;
        Some(v)
    }

    fn kind(&mut self) -> Option<[u8; 4]> {
        let v = take(self.b, self.p)?;
        self.skip(4)?;
        Some(v)
    }

    /// An unsigned field of 0, 4 or 8 bytes (the sizes `iloc` allows).
    fn uint(&mut self, size: u8) -> Option<u64> {
        match size {
            0 => Some(0),
            4 => self.u32().map(u64::from),
            8 => self.u64(),
            _ => None,
        }
    }

    /// A NUL-terminated string; a missing terminator ends it at the end of
    /// the box, which some writers do for the last string.
    fn cstr(&mut self) -> &'a [u8] {
        let rest = self.b.get(self.p..).unwrap_or_default();
        match rest.iter().position(|&c| c == 0) {
            Some(n) => {
                self.p = self.p.saturating_add(n).saturating_add(1);
                rest.get(..n).unwrap_or_default()
            }
            None => {
                self.p = self.b.len();
                rest
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Byte ranges
// ---------------------------------------------------------------------------

/// A half-open byte range `start..end` of a file.
type Range = (u64, u64);

/// Sorts ranges and joins those that overlap or touch; empty ones go.
fn merge(mut ranges: Vec<Range>) -> Vec<Range> {
    ranges.retain(|r| r.0 < r.1);
    ranges.sort_unstable();
    let mut out: Vec<Range> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.0 <= last.1 => last.1 = last.1.max(r.1),
            _ => out.push(r),
        }
    }
    out
}

/// Pushes a range, extending the last one when it simply continues it, so
/// that contiguous strips or chunks cost one entry.
fn push_range(ranges: &mut Vec<Range>, r: Range) {
    match ranges.last_mut() {
        Some(last) if last.1 == r.0 => last.1 = r.1,
        _ => ranges.push(r),
    }
}

/// The parts of `ranges` outside every one of `holes`; both merged.
fn subtract(ranges: &[Range], holes: &[Range]) -> Vec<Range> {
    let mut out = Vec::with_capacity(ranges.len());
    let mut first_hole = 0usize;
    for &(mut start, end) in ranges {
        while holes.get(first_hole).is_some_and(|h| h.1 <= start) {
            first_hole = first_hole.saturating_add(1);
        }
        let mut k = first_hole;
        while start < end {
            match holes.get(k) {
                Some(&(hs, he)) if hs < end => {
                    if hs > start {
                        out.push((start, hs));
                    }
                    start = start.max(he);
                    k = k.saturating_add(1);
                }
                _ => {
                    out.push((start, end));
                    break;
                }
            }
        }
    }
    out
}

/// Patches that zero each range.
fn zero_patches(ranges: &[Range]) -> Vec<Patch> {
    ranges
        .iter()
        .filter_map(|&(start, end)| {
            let len = usize::try_from(end.checked_sub(start)?).ok()?;
            Some(Patch {
                offset: start,
                bytes: vec![0; len],
            })
        })
        .collect()
}

fn to_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

// ---------------------------------------------------------------------------
// JPEG
// ---------------------------------------------------------------------------

const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;
/// JPEG-LS frames; their scans stuff bits rather than bytes after 0xFF.
const SOF55: u8 = 0xF7;

/// Whether a marker starts a frame (SOF0–SOF15 without DHT, JPG and DAC, or
/// JPEG-LS), which must come before the first scan.
fn is_frame(marker: u8) -> bool {
    matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF | SOF55)
}

/// Whether a segment is kept: every table and frame segment is, while of the
/// application segments and comments only those that decoding needs are
/// (JFIF, the ICC colour profile and Adobe's colour transform flag). The
/// others hold EXIF, XMP, IPTC, MPF, maker data, content credentials or free
/// text.
fn keep_segment(marker: u8, body: &[u8]) -> bool {
    match marker {
        0xE0 => body.starts_with(b"JFIF\0") || body.starts_with(b"JFXX\0"),
        0xE2 => body.starts_with(b"ICC_PROFILE\0"),
        0xEE => body.starts_with(b"Adobe"),
        0xE1..=0xEF | 0xFE => false,
        _ => true,
    }
}

/// Where the entropy-coded data of a scan starting at `pos` ends: at the
/// 0xFF of the next marker that is neither a stuffed zero nor a restart.
fn scan_end(bytes: &[u8], mut pos: usize, jpeg_ls: bool) -> Option<usize> {
    loop {
        let ff = bytes.get(pos..)?.iter().position(|&b| b == 0xFF)?;
        pos = pos.checked_add(ff)?;
        match *bytes.get(pos.checked_add(1)?)? {
            0x00 | 0xD0..=0xD7 => pos = pos.checked_add(2)?,
            b if jpeg_ls && b < 0x80 => pos = pos.checked_add(2)?,
            _ => return Some(pos),
        }
    }
}

/// JPEG: a copy without APP1 (EXIF, XMP), APP13 (IPTC/Photoshop), COM, and
/// APP2 segments that are MPF ("MPF\0"); keeps APP0 JFIF, APP2 ICC_PROFILE,
/// APP14 Adobe, tables, frames, all scans (progressive too), and ends right
/// after the image's EOI (whatever follows — MPF images, Motion Photo video —
/// is dropped). None if it is not a readable JPEG.
///
/// Every other application segment goes too (APP3–APP12, APP15, APP2 other
/// than ICC), since they hold vendor metadata and none is needed to decode.
/// A file that ends before its EOI is not readable.
pub fn clean_jpeg(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.get(..2)? != [0xFF, SOI] {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&[0xFF, SOI]);
    let mut pos = 2usize;
    let mut frame: Option<u8> = None;
    let mut scanned = false;
    loop {
        if *bytes.get(pos)? != 0xFF {
            return None;
        }
        // Any number of 0xFF fill bytes may precede a marker.
        while *bytes.get(pos)? == 0xFF {
            pos = pos.checked_add(1)?;
        }
        let marker = *bytes.get(pos)?;
        pos = pos.checked_add(1)?;
        match marker {
            EOI if scanned => {
                out.extend_from_slice(&[0xFF, EOI]);
                return Some(out);
            }
            EOI | SOI | 0x00 => return None,
            0x01 | 0xD0..=0xD7 => {
                out.extend_from_slice(&[0xFF, marker]);
                continue;
            }
            _ => {}
        }
        let len = usize::from(be16(bytes, pos)?);
        if len < 2 {
            return None;
        }
        let end = pos.checked_add(len)?;
        let segment = bytes.get(pos..end)?;
        if keep_segment(marker, segment.get(2..)?) {
            out.extend_from_slice(&[0xFF, marker]);
            out.extend_from_slice(segment);
        }
        pos = end;
        if is_frame(marker) {
            frame = Some(marker);
        }
        if marker == SOS {
            let jpeg_ls = match frame {
                Some(f) => f == SOF55,
                None => return None,
            };
            scanned = true;
            let start = pos;
            pos = scan_end(bytes, pos, jpeg_ls)?;
            out.extend_from_slice(bytes.get(start..pos)?);
        }
    }
}

/// As [`clean_jpeg`], but a photo taken sideways stays upright: if the EXIF
/// it had said to turn the picture (Orientation 2–8), the copy gets a new,
/// minimal EXIF segment with that one tag and nothing else.
pub fn clean_jpeg_upright(bytes: &[u8]) -> Option<Vec<u8>> {
    let orientation = jpeg_orientation(bytes).filter(|o| (2..=8).contains(o));
    let clean = clean_jpeg(bytes)?;
    let Some(o) = orientation else {
        return Some(clean);
    };
    // APP1: "Exif\0\0", a big-endian TIFF header, one IFD with one SHORT
    // entry (0x0112 = o), and no next IFD.
    let mut exif: Vec<u8> = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01".to_vec();
    exif.extend_from_slice(&o.to_be_bytes());
    exif.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    let len = u16::try_from(exif.len().checked_add(2)?).ok()?;
    let mut out = Vec::with_capacity(clean.len().checked_add(exif.len())?.checked_add(4)?);
    out.extend_from_slice(clean.get(..2)?);
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&exif);
    out.extend_from_slice(clean.get(2..)?);
    Some(out)
}

/// The EXIF Orientation of a JPEG (1–8), if its first EXIF segment has one.
fn jpeg_orientation(bytes: &[u8]) -> Option<u16> {
    if bytes.get(..2)? != [0xFF, SOI] {
        return None;
    }
    let mut pos = 2usize;
    // Only the segments before the first scan; a bounded number of them.
    for _ in 0..256 {
        if *bytes.get(pos)? != 0xFF {
            return None;
        }
        let marker = *bytes.get(pos.checked_add(1)?)?;
        if marker == SOS || marker == EOI {
            return None;
        }
        let len = usize::from(be16(bytes, pos.checked_add(2)?)?);
        let body = bytes.get(pos.checked_add(4)?..pos.checked_add(2)?.checked_add(len)?)?;
        if marker == 0xE1 && body.starts_with(b"Exif\0\0") {
            return tiff_orientation(body.get(6..)?);
        }
        pos = pos.checked_add(2)?.checked_add(len)?;
    }
    None
}

/// The Orientation tag of IFD0 of a TIFF structure (EXIF's).
fn tiff_orientation(tiff: &[u8]) -> Option<u16> {
    let little = match tiff.get(..2)? {
        b"II" => true,
        b"MM" => false,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let b: [u8; 2] = take(tiff, at)?;
        Some(if little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b: [u8; 4] = take(tiff, at)?;
        Some(if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    if u16_at(2)? != 42 {
        return None;
    }
    let ifd = usize::try_from(u32_at(4)?).ok()?;
    let count = usize::from(u16_at(ifd)?);
    for k in 0..count.min(1000) {
        let entry = ifd.checked_add(2)?.checked_add(k.checked_mul(12)?)?;
        // Tag 0x0112, type SHORT (3), one value, stored in the entry.
        if u16_at(entry)? == 0x0112
            && u16_at(entry.checked_add(2)?)? == 3
            && u32_at(entry.checked_add(4)?)? == 1
        {
            return u16_at(entry.checked_add(8)?).filter(|o| (1..=8).contains(o));
        }
    }
    None
}

// ---------------------------------------------------------------------------
// TIFF
// ---------------------------------------------------------------------------

const TAG_STRIP_OFFSETS: u16 = 273;
const TAG_STRIP_BYTE_COUNTS: u16 = 279;
const TAG_TILE_OFFSETS: u16 = 324;
const TAG_TILE_BYTE_COUNTS: u16 = 325;
const TAG_SUB_IFDS: u16 = 330;
const TAG_JPEG_OFFSET: u16 = 513;
const TAG_JPEG_LENGTH: u16 = 514;
const TAG_EXIF_IFD: u16 = 34665;
const TAG_GPS_IFD: u16 = 34853;
const TAG_INTEROP_IFD: u16 = 40965;

/// Tags removed from every IFD that is kept. Beside the pointers to the EXIF
/// and GPS IFDs and the XMP, IPTC and Photoshop blobs, these are the TIFF
/// tags that name the camera, its owner or a time: DocumentName,
/// ImageDescription, Make, Model, Software, DateTime, Artist, HostComputer,
/// TIFF/EP's TimeZoneOffset and DateTimeOriginal, Windows' XP tags, a
/// camera's per-shot ImageUniqueID, and DNG's CameraSerialNumber and
/// DNGPrivateData (which carries the maker notes). DNG's UniqueCameraModel
/// stays, because raw converters need it.
const REMOVED_TAGS: [u16; 24] = [
    269,   // DocumentName
    270,   // ImageDescription
    271,   // Make
    272,   // Model
    305,   // Software
    306,   // DateTime
    315,   // Artist
    316,   // HostComputer
    700,   // XMP
    33723, // IPTC-NAA
    34377, // Photoshop image resources
    TAG_EXIF_IFD,
    TAG_GPS_IFD,
    34858, // TimeZoneOffset
    36867, // DateTimeOriginal
    40091, // XPTitle
    40092, // XPComment
    40093, // XPAuthor
    40094, // XPKeywords
    40095, // XPSubject
    TAG_INTEROP_IFD,
    42016, // ImageUniqueID
    50735, // CameraSerialNumber
    50740, // DNGPrivateData
];

#[derive(Clone, Copy)]
enum Order {
    Little,
    Big,
}

impl Order {
    fn u16(self, b: &[u8], at: usize) -> Option<u16> {
        let a = take(b, at)?;
        Some(match self {
            Order::Little => u16::from_le_bytes(a),
            Order::Big => u16::from_be_bytes(a),
        })
    }

    fn u32(self, b: &[u8], at: usize) -> Option<u32> {
        let a = take(b, at)?;
        Some(match self {
            Order::Little => u32::from_le_bytes(a),
            Order::Big => u32::from_be_bytes(a),
        })
    }

    fn put_u16(self, v: u16) -> [u8; 2] {
        match self {
            Order::Little => v.to_le_bytes(),
            Order::Big => v.to_be_bytes(),
        }
    }

    fn put_u32(self, v: u32) -> [u8; 4] {
        match self {
            Order::Little => v.to_le_bytes(),
            Order::Big => v.to_be_bytes(),
        }
    }
}

/// One 12-byte IFD entry, and where it is in the file.
#[derive(Clone, Copy)]
struct Entry {
    tag: u16,
    kind: u16,
    count: u32,
    at: usize,
}

/// Bytes per value of a TIFF field type; unknown types have no size, and
/// readers skip them.
fn type_size(kind: u16) -> Option<u64> {
    match kind {
        1 | 2 | 6 | 7 => Some(1),
        3 | 8 => Some(2),
        4 | 9 | 11 | 13 => Some(4),
        5 | 10 | 12 => Some(8),
        _ => None,
    }
}

/// Why a walk over a TIFF gave up.
struct TooMuch;

/// The state of one walk over a TIFF: what to keep, what to zero, and the
/// IFD tables to rewrite.
struct Tiff<'a> {
    bytes: &'a [u8],
    order: Order,
    visited: HashSet<u32>,
    zeroed_ifds: HashSet<u32>,
    entries: usize,
    offsets: usize,
    /// Bytes that something kept still points to: headers, IFD tables,
    /// values of kept entries, strips and tiles. Nothing here is zeroed, so
    /// a file whose metadata shares bytes with its image keeps its image.
    protect: Vec<Range>,
    zero: Vec<Range>,
    rewrites: Vec<Patch>,
    rewritten: usize,
}

impl<'a> Tiff<'a> {
    fn new(bytes: &'a [u8], order: Order) -> Self {
        Tiff {
            bytes,
            order,
            visited: HashSet::new(),
            zeroed_ifds: HashSet::new(),
            entries: 0,
            offsets: 0,
            // The header: byte order, magic and the offset of IFD0.
            protect: vec![(0, 8)],
            zero: Vec::new(),
            rewrites: Vec::new(),
            rewritten: 0,
        }
    }

    fn entry(&self, at: usize) -> Option<Entry> {
        Some(Entry {
            tag: self.order.u16(self.bytes, at)?,
            kind: self.order.u16(self.bytes, at.checked_add(2)?)?,
            count: self.order.u32(self.bytes, at.checked_add(4)?)?,
            at,
        })
    }

    /// Where an entry's values are: inside the entry when they fit in four
    /// bytes, else at the offset it holds. `None` for an unknown type or
    /// values that run past the end of the file.
    fn values(&self, e: &Entry) -> Option<Range> {
        let size = type_size(e.kind)?.checked_mul(u64::from(e.count))?;
        let field = e.at.checked_add(8)?;
        let start = if size <= 4 {
            to_u64(field)
        } else {
            u64::from(self.order.u32(self.bytes, field)?)
        };
        let end = start.checked_add(size)?;
        (end <= to_u64(self.bytes.len())).then_some((start, end))
    }

    /// The values of an entry that lie outside it.
    fn out_of_line(&self, e: &Entry) -> Option<Range> {
        let r = self.values(e)?;
        (r.1.saturating_sub(r.0) > 4).then_some(r)
    }

    /// The `i`th value of a SHORT, LONG or IFD entry.
    fn element(&self, e: &Entry, i: u32) -> Option<u64> {
        if i >= e.count {
            return None;
        }
        let (start, _) = self.values(e)?;
        let size = type_size(e.kind)?;
        let at = usize::try_from(start.checked_add(size.checked_mul(u64::from(i))?)?).ok()?;
        match e.kind {
            3 => self.order.u16(self.bytes, at).map(u64::from),
            4 | 13 => self.order.u32(self.bytes, at).map(u64::from),
            _ => None,
        }
    }

    /// Protects the data that a pair of offset and length entries points to.
    fn protect_data(
        &mut self,
        offsets: Option<Entry>,
        lengths: Option<Entry>,
    ) -> Result<(), TooMuch> {
        let (Some(offsets), Some(lengths)) = (offsets, lengths) else {
            return Ok(());
        };
        let n = offsets.count.min(lengths.count);
        self.offsets = self
            .offsets
            .saturating_add(usize::try_from(n).unwrap_or(usize::MAX));
        if self.offsets > MAX_OFFSETS {
            return Err(TooMuch);
        }
        for i in 0..n {
            let (Some(start), Some(len)) = (self.element(&offsets, i), self.element(&lengths, i))
            else {
                break;
            };
            if let Some(end) = start.checked_add(len) {
                push_range(&mut self.protect, (start, end));
            }
        }
        Ok(())
    }

    /// Follows a chain of IFDs from `offset`. The first one must be
    /// readable; a later one that is not (or that loops back) ends the chain,
    /// as no reader can reach anything past it.
    fn chain(&mut self, mut offset: u32, depth: u32) -> Result<bool, TooMuch> {
        if depth > MAX_DEPTH {
            return Ok(false);
        }
        let mut first = true;
        while offset != 0 {
            if !self.visited.insert(offset) {
                break;
            }
            if self.visited.len() > MAX_IFDS {
                return Err(TooMuch);
            }
            match self.ifd(offset, depth)? {
                Some(next) => offset = next,
                None if first => return Ok(false),
                None => break,
            }
            first = false;
        }
        Ok(true)
    }

    /// Reads one IFD: removes the unwanted entries (rewriting its table),
    /// schedules their data for zeroing, protects what stays, and follows
    /// SubIFDs. The offset of the next IFD, or `None` if it is not readable.
    fn ifd(&mut self, offset: u32, depth: u32) -> Result<Option<u32>, TooMuch> {
        let Some((start, n, table_len)) = self.table(offset) else {
            return Ok(None);
        };
        self.count_entries(n)?;
        let mut kept = Vec::with_capacity(usize::from(n).saturating_mul(12));
        let mut removed = 0u16;
        let mut data: [Option<Entry>; 6] = [None; 6];
        let mut sub_ifds = None;
        for i in 0..usize::from(n) {
            let Some(e) = i
                .checked_mul(12)
                .and_then(|d| start.checked_add(2)?.checked_add(d))
                .and_then(|at| self.entry(at))
            else {
                return Ok(None);
            };
            if REMOVED_TAGS.contains(&e.tag) {
                removed = removed.saturating_add(1);
                if let Some(r) = self.out_of_line(&e) {
                    self.zero.push(r);
                }
                if matches!(e.tag, TAG_EXIF_IFD | TAG_GPS_IFD | TAG_INTEROP_IFD) {
                    for k in 0..e.count.min(16) {
                        if let Some(p) = self.element(&e, k).and_then(|p| u32::try_from(p).ok()) {
                            self.zero_ifd(p, depth.saturating_add(1))?;
                        }
                    }
                }
                continue;
            }
            if let Some(raw) = self.bytes.get(e.at..e.at.saturating_add(12)) {
                kept.extend_from_slice(raw);
            }
            if let Some(r) = self.out_of_line(&e) {
                self.protect.push(r);
            }
            let slot = match e.tag {
                TAG_STRIP_OFFSETS => Some(0),
                TAG_STRIP_BYTE_COUNTS => Some(1),
                TAG_TILE_OFFSETS => Some(2),
                TAG_TILE_BYTE_COUNTS => Some(3),
                TAG_JPEG_OFFSET => Some(4),
                TAG_JPEG_LENGTH => Some(5),
                TAG_SUB_IFDS => {
                    sub_ifds = Some(e);
                    None
                }
                _ => None,
            };
            if let Some(slot) = slot.and_then(|s| data.get_mut(s)) {
                *slot = Some(e);
            }
        }
        let next_at = start.saturating_add(table_len).saturating_sub(4);
        let Some(next) = self.order.u32(self.bytes, next_at) else {
            return Ok(None);
        };
        self.protect
            .push((to_u64(start), to_u64(start.saturating_add(table_len))));
        let [
            strips,
            strip_lengths,
            tiles,
            tile_lengths,
            jpeg,
            jpeg_length,
        ] = data;
        self.protect_data(strips, strip_lengths)?;
        self.protect_data(tiles, tile_lengths)?;
        // The old-style JPEG thumbnail is one value each, not an array.
        if let (Some(j), Some(l)) = (jpeg, jpeg_length)
            && let (Some(s), Some(len)) = (self.element(&j, 0), self.element(&l, 0))
            && let Some(end) = s.checked_add(len)
        {
            self.protect.push((s, end));
        }
        if removed > 0 {
            self.rewritten = self.rewritten.saturating_add(table_len);
            if self.rewritten > self.bytes.len() {
                return Err(TooMuch);
            }
            let mut table = Vec::with_capacity(table_len);
            table.extend_from_slice(&self.order.put_u16(n.saturating_sub(removed)));
            table.extend_from_slice(&kept);
            table.extend_from_slice(&self.order.put_u32(next));
            // The entries' old places at the end of the table become zeros.
            table.resize(table_len, 0);
            self.rewrites.push(Patch {
                offset: to_u64(start),
                bytes: table,
            });
        }
        if let Some(e) = sub_ifds {
            for k in 0..e.count.min(u32::try_from(MAX_IFDS).unwrap_or(u32::MAX)) {
                match self.element(&e, k).and_then(|p| u32::try_from(p).ok()) {
                    Some(p) => {
                        self.chain(p, depth.saturating_add(1))?;
                    }
                    None => break,
                }
            }
        }
        Ok(Some(next))
    }

    /// An IFD table at `offset`: its start, entry count and length in bytes
    /// (count, entries and next pointer), if all of it is in the file.
    fn table(&self, offset: u32) -> Option<(usize, u16, usize)> {
        let start = usize::try_from(offset).ok()?;
        let n = self.order.u16(self.bytes, start)?;
        let len = usize::from(n).checked_mul(12)?.checked_add(6)?;
        self.bytes.get(start..start.checked_add(len)?)?;
        Some((start, n, len))
    }

    fn count_entries(&mut self, n: u16) -> Result<(), TooMuch> {
        self.entries = self.entries.saturating_add(usize::from(n));
        if self.entries > MAX_COUNT {
            return Err(TooMuch);
        }
        Ok(())
    }

    /// Zeroes a whole IFD that goes (EXIF, GPS, Interoperability): its table
    /// and every value it points to, maker notes included.
    fn zero_ifd(&mut self, offset: u32, depth: u32) -> Result<(), TooMuch> {
        if offset == 0 || depth > MAX_DEPTH || !self.zeroed_ifds.insert(offset) {
            return Ok(());
        }
        // An IFD that is not in the file holds nothing anyone can read.
        let Some((start, n, table_len)) = self.table(offset) else {
            return Ok(());
        };
        self.count_entries(n)?;
        self.zero
            .push((to_u64(start), to_u64(start.saturating_add(table_len))));
        for i in 0..usize::from(n) {
            let Some(e) = i
                .checked_mul(12)
                .and_then(|d| start.checked_add(2)?.checked_add(d))
                .and_then(|at| self.entry(at))
            else {
                break;
            };
            if let Some(r) = self.out_of_line(&e) {
                self.zero.push(r);
            }
            if matches!(e.tag, TAG_EXIF_IFD | TAG_GPS_IFD | TAG_INTEROP_IFD)
                && let Some(p) = self.element(&e, 0).and_then(|p| u32::try_from(p).ok())
            {
                self.zero_ifd(p, depth.saturating_add(1))?;
            }
        }
        Ok(())
    }
}

/// TIFF and TIFF-based raw (DNG etc.), both byte orders: patches that remove
/// GPSInfo (34853), ExifIFD (34665), XMP (700), IPTC (33723), Photoshop
/// (34377) entries from every IFD of the IFD0 chain (shift the remaining
/// entries down, decrement the count, move the next-IFD pointer, zero the
/// freed tail) and zero the data they pointed to (the GPS/Exif IFDs and their
/// out-of-line values, XMP/IPTC blobs). None if not a readable TIFF.
///
/// The same goes for the camera and time tags listed in `REMOVED_TAGS`, and
/// for the SubIFDs where DNG keeps its raw images. Bytes that a kept entry,
/// strip or tile still uses are never zeroed. Classic TIFF only (magic 42,
/// or the variants of Olympus and Panasonic raw files); BigTIFF is `None`.
pub fn tiff_patches(bytes: &[u8]) -> Option<Vec<Patch>> {
    let order = match bytes.get(..2)? {
        b"II" => Order::Little,
        b"MM" => Order::Big,
        _ => return None,
    };
    if !matches!(order.u16(bytes, 2)?, 42 | 0x4F52 | 0x5352 | 0x55) {
        return None;
    }
    let first = order.u32(bytes, 4)?;
    let mut tiff = Tiff::new(bytes, order);
    if first < 8 || !tiff.chain(first, 0).ok()? {
        return None;
    }
    let protect = merge(tiff.protect);
    let zero = subtract(&merge(tiff.zero), &protect);
    let mut patches = tiff.rewrites;
    patches.extend(zero_patches(&zero));
    patches.sort_by_key(|p| p.offset);
    Some(patches)
}

// ---------------------------------------------------------------------------
// ISO base media files
// ---------------------------------------------------------------------------

/// ISO base media files (MP4, MOV, 3GP, M4V, M4A, HEIC/HEIF, AVIF): box
/// header at `offset` from the first bytes there (give at least 16 bytes,
/// fewer at the end of the file); handles 64-bit `largesize` and size 0 ("to
/// end of file"). None if malformed (size < header, past `file_len`).
///
/// `header_len` counts the size and type fields (8 or 16 bytes); the 16-byte
/// extended type of a `uuid` box follows it and belongs to the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoxHeader {
    /// The four-character type, such as `moov`.
    pub kind: [u8; 4],
    /// Where the box starts in the file.
    pub offset: u64,
    /// Length of the size and type fields: 8, or 16 with a `largesize`.
    pub header_len: u64,
    /// Length of the whole box, header included.
    pub size: u64,
}

/// Reads the box header at `offset` from `head`, the file's bytes from
/// there; see [`BoxHeader`].
pub fn box_header(head: &[u8], offset: u64, file_len: u64) -> Option<BoxHeader> {
    let size32 = be32(head, 0)?;
    let kind = take(head, 4)?;
    let (size, header_len) = match size32 {
        0 => (file_len.checked_sub(offset)?, 8),
        1 => (be64(head, 8)?, 16),
        n => (u64::from(n), 8),
    };
    if size < header_len || offset.checked_add(size)? > file_len {
        return None;
    }
    Some(BoxHeader {
        kind,
        offset,
        header_len,
        size,
    })
}

/// Which top-level boxes `isobmff_patches` needs to see whole (e.g. moov,
/// meta, uuid) — the caller reads only those; everything else (mdat!) may be
/// gigabytes and is never read whole.
///
/// Free space (`free`, `skip`) is wanted too: editors leave old copies of
/// `moov` there, location and all. It is rarely more than padding.
pub fn wants_box(kind: [u8; 4]) -> bool {
    matches!(
        &kind,
        b"moov" | b"meta" | b"uuid" | b"udta" | b"free" | b"skip"
    )
}

/// Boxes inside `moov` that only group other boxes, and may hold `udta` or
/// `meta` somewhere below.
const CONTAINERS: [&[u8; 4]; 8] = [
    b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"mvex", b"meco",
];

/// Sample entry formats of timed-metadata tracks: GoPro GPMF, Google's
/// camera motion, Sony's real-time metadata, QuickTime and ISO metadata.
const METADATA_FORMATS: [&[u8; 4]; 7] = [
    b"gpmd", b"camm", b"rtmd", b"mebx", b"mett", b"metx", b"urim",
];

/// Box types that may start a QuickTime or ISO base media file.
/// Whether a box of this type may start an ISO base media file.
pub fn starts_iso_file(kind: [u8; 4]) -> bool {
    FIRST_BOXES.contains(&&kind)
}

const FIRST_BOXES: [&[u8; 4]; 8] = [
    b"ftyp", b"styp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot",
];

/// A box inside the bytes being read, with positions relative to them.
#[derive(Clone, Copy)]
struct Node {
    kind: [u8; 4],
    start: usize,
    body: usize,
    end: usize,
}

impl Node {
    fn from_header(h: &BoxHeader) -> Option<Node> {
        let start = usize::try_from(h.offset).ok()?;
        Some(Node {
            kind: h.kind,
            start,
            body: start.checked_add(usize::try_from(h.header_len).ok()?)?,
            end: start.checked_add(usize::try_from(h.size).ok()?)?,
        })
    }
}

/// The boxes one after another in `data[pos..end]`. Reading stops at the
/// first that is not a box, as at the zero terminator QuickTime puts at the
/// end of some lists.
struct Children<'a> {
    data: &'a [u8],
    pos: usize,
    end: usize,
    count: usize,
}

fn children(data: &[u8], from: usize, to: usize) -> Children<'_> {
    Children {
        data,
        pos: from,
        end: to.min(data.len()),
        count: 0,
    }
}

impl Iterator for Children<'_> {
    type Item = Node;

    fn next(&mut self) -> Option<Node> {
        if self.pos >= self.end || self.count >= MAX_COUNT {
            return None;
        }
        let head = self
            .data
            .get(self.pos..self.pos.saturating_add(16).min(self.end))?;
        let (pos, end) = (to_u64(self.pos), to_u64(self.end));
        // A child that claims more than its parent holds is cut at the
        // parent's end, as players read it, so that what they would find
        // there is cleaned too.
        let header = box_header(head, pos, end).or_else(|| {
            let h = box_header(head, pos, u64::MAX)?;
            let size = end.checked_sub(pos)?;
            (size >= h.header_len).then_some(BoxHeader { size, ..h })
        });
        let node = header.and_then(|h| Node::from_header(&h));
        match node {
            Some(node) if node.end > self.pos => {
                self.pos = node.end;
                self.count = self.count.saturating_add(1);
                Some(node)
            }
            _ => {
                self.pos = self.end;
                None
            }
        }
    }
}

/// The state of cleaning one top-level box.
struct Iso<'a> {
    data: &'a [u8],
    /// Where `data` starts in the file.
    base: u64,
    file_len: Option<u64>,
    patches: Vec<Patch>,
    /// Ranges to zero anywhere in the file, often outside `data`.
    zero: Vec<Range>,
    /// Emptied EXIF and XMP items and what to write at their start.
    fill: Vec<(Range, Placeholder)>,
}

impl Iso<'_> {
    fn absolute(&self, pos: usize) -> Option<u64> {
        self.base.checked_add(to_u64(pos))
    }

    fn child(&self, parent: &Node, kind: &[u8; 4]) -> Option<Node> {
        children(self.data, parent.body, parent.end).find(|c| &c.kind == kind)
    }

    /// Turns a box into a `free` box of the same size with a zeroed body, so
    /// that nothing after it moves.
    fn free(&mut self, node: &Node) {
        let Some(len) = node
            .end
            .checked_sub(node.start)
            .and_then(|s| s.checked_sub(4))
        else {
            return;
        };
        let Some(offset) = node.start.checked_add(4).and_then(|p| self.absolute(p)) else {
            return;
        };
        let mut bytes = Vec::with_capacity(len);
        bytes.extend_from_slice(b"free");
        // A 64-bit size stays as it is.
        if let Some(large) = node
            .start
            .checked_add(8)
            .and_then(|p| self.data.get(p..node.body))
        {
            bytes.extend_from_slice(large);
        }
        bytes.resize(len, 0);
        self.patches.push(Patch { offset, bytes });
    }

    /// Zeroes the body of a box, if it is not zero yet (free space may hold
    /// leftovers of an earlier edit, such as an old copy of `moov`).
    fn zero_body(&mut self, node: &Node) {
        let nonzero = self
            .data
            .get(node.body..node.end)
            .is_some_and(|b| b.iter().any(|&c| c != 0));
        if let (true, Some(s), Some(e)) =
            (nonzero, self.absolute(node.body), self.absolute(node.end))
        {
            self.zero.push((s, e));
        }
    }

    fn is_xmp_uuid(&self, node: &Node) -> bool {
        take::<16>(self.data, node.body) == Some(XMP_UUID)
    }

    /// Zeroes the creation and modification times of `mvhd`, `tkhd` or
    /// `mdhd` (four bytes each in version 0, eight in version 1); zero means
    /// "unknown" to players.
    fn zero_times(&mut self, node: &Node) {
        let len = match self.data.get(node.body) {
            Some(1) => 16,
            Some(_) => 8,
            None => return,
        };
        let Some(start) = node.body.checked_add(4) else {
            return;
        };
        let Some(end) = start.checked_add(len).filter(|&e| e <= node.end) else {
            return;
        };
        let nonzero = self
            .data
            .get(start..end)
            .is_some_and(|b| b.iter().any(|&c| c != 0));
        if let (true, Some(s), Some(e)) = (nonzero, self.absolute(start), self.absolute(end)) {
            self.zero.push((s, e));
        }
    }

    /// Cleans the inside of `moov` (or a container in it).
    fn movie(&mut self, node: &Node, depth: u32) {
        if depth > MAX_DEPTH {
            return;
        }
        for child in children(self.data, node.body, node.end) {
            match &child.kind {
                b"udta" | b"meta" => self.free(&child),
                b"uuid" if self.is_xmp_uuid(&child) => self.free(&child),
                b"free" | b"skip" => self.zero_body(&child),
                b"mvhd" | b"tkhd" | b"mdhd" => self.zero_times(&child),
                b"trak" => {
                    self.timed_metadata(&child);
                    self.movie(&child, depth.saturating_add(1));
                }
                kind if CONTAINERS.contains(&kind) => self.movie(&child, depth.saturating_add(1)),
                _ => {}
            }
        }
    }

    /// If a track carries timed metadata (GPS tracks of action cameras and
    /// drones among them), schedules its samples for zeroing. The track
    /// itself stays, so the file's structure does not change.
    fn timed_metadata(&mut self, trak: &Node) {
        let Some(mdia) = self.child(trak, b"mdia") else {
            return;
        };
        // ISO's handler type and QuickTime's component subtype are both at
        // bytes 8..12 of the body.
        let handler = self
            .child(&mdia, b"hdlr")
            .and_then(|h| take::<4>(self.data, h.body.checked_add(8)?));
        let Some(stbl) = self
            .child(&mdia, b"minf")
            .and_then(|m| self.child(&m, b"stbl"))
        else {
            return;
        };
        let format = self
            .child(&stbl, b"stsd")
            .and_then(|s| take::<4>(self.data, s.body.checked_add(12)?));
        let is_metadata =
            handler == Some(*b"meta") || format.is_some_and(|f| METADATA_FORMATS.contains(&&f));
        if is_metadata && let Some(ranges) = self.sample_ranges(&stbl) {
            self.zero.extend(ranges);
        }
    }

    /// Where a track's samples are in the file, one range per chunk, from its
    /// sample sizes (`stsz` or `stz2`), sample-to-chunk table (`stsc`) and
    /// chunk offsets (`stco` or `co64`).
    fn sample_ranges(&self, stbl: &Node) -> Option<Vec<Range>> {
        let body = |n: Node| self.data.get(n.body..n.end);
        let sizes = match self.child(stbl, b"stsz") {
            Some(n) => SampleSizes::stsz(body(n)?)?,
            None => SampleSizes::stz2(body(self.child(stbl, b"stz2")?)?)?,
        };
        let (chunks, wide) = match self.child(stbl, b"stco") {
            Some(n) => (body(n)?, false),
            None => (body(self.child(stbl, b"co64")?)?, true),
        };
        let chunk_count = be32(chunks, 4)?;
        let chunk_offset = |i: u32| -> Option<u64> {
            let i = usize::try_from(i).ok()?;
            if wide {
                be64(chunks, i.checked_mul(8)?.checked_add(8)?)
            } else {
                be32(chunks, i.checked_mul(4)?.checked_add(8)?).map(u64::from)
            }
        };
        let stsc = body(self.child(stbl, b"stsc")?)?;
        let runs = be32(stsc, 4)?;
        if usize::try_from(runs).ok()? > MAX_COUNT
            || usize::try_from(chunk_count).ok()? > MAX_OFFSETS
        {
            return None;
        }
        let run = |j: u32| -> Option<(u32, u32)> {
            let at = usize::try_from(j).ok()?.checked_mul(12)?.checked_add(8)?;
            Some((be32(stsc, at)?, be32(stsc, at.checked_add(4)?)?))
        };
        let mut ranges = Vec::new();
        let mut sample = 0u32;
        for j in 0..runs {
            let (first, per_chunk) = run(j)?;
            let next_first = match j.checked_add(1).filter(|&k| k < runs) {
                Some(k) => run(k)?.0,
                None => chunk_count.checked_add(1)?,
            };
            // Runs must ascend, which also keeps the walk over chunks linear.
            if first == 0 || next_first <= first {
                return None;
            }
            for chunk in first..next_first.min(chunk_count.checked_add(1)?) {
                let offset = chunk_offset(chunk.checked_sub(1)?)?;
                let (len, taken) = sizes.sum(sample, per_chunk)?;
                sample = sample.checked_add(taken)?;
                push_range(&mut ranges, (offset, offset.checked_add(len)?));
            }
        }
        Some(ranges)
    }

    /// Cleans a top-level `meta`. One that describes an image (HEIC, AVIF)
    /// stays, and only its EXIF and XMP items are zeroed; any other goes.
    fn top_meta(&mut self, node: &Node) {
        match self.meta_items(node) {
            Some(MetaKind::Image(items)) => {
                for (range, placeholder) in items {
                    self.zero.push(range);
                    if let Some(p) = placeholder {
                        self.fill.push((range, p));
                    }
                }
            }
            // A meta box that cannot be read goes as a whole: that may make
            // an image unreadable, which is better than keeping its GPS.
            Some(MetaKind::Other) | None => self.free(node),
        }
    }

    /// What a `meta` box is, and for an image where its metadata items are.
    fn meta_items(&self, meta: &Node) -> Option<MetaKind> {
        // ISO's meta is a full box (four bytes of version and flags before
        // its children); QuickTime's starts with its first child, `hdlr`.
        let quicktime = take::<4>(self.data, meta.body.checked_add(4)?) == Some(*b"hdlr");
        let first = if quicktime {
            meta.body
        } else {
            meta.body.checked_add(4)?
        };
        let (mut handler, mut pitm) = (None, false);
        let (mut iinf, mut iloc, mut idat) = (None, None, None);
        for child in children(self.data, first, meta.end) {
            match &child.kind {
                b"hdlr" => handler = take::<4>(self.data, child.body.checked_add(8)?),
                b"pitm" => pitm = true,
                b"iinf" => iinf = Some(child),
                b"iloc" => iloc = Some(child),
                b"idat" => idat = Some(child),
                _ => {}
            }
        }
        if !(handler == Some(*b"pict") || pitm || iloc.is_some()) {
            return Some(MetaKind::Other);
        }
        let Some(iinf) = iinf else {
            return Some(MetaKind::Image(Vec::new()));
        };
        let mut wanted = self.metadata_items(&iinf)?;
        if wanted.is_empty() {
            return Some(MetaKind::Image(Vec::new()));
        }
        wanted.sort_unstable_by_key(|w| w.0);
        let ranges = self.item_extents(&iloc?, idat.as_ref(), &wanted)?;
        Some(MetaKind::Image(ranges))
    }

    /// The IDs of the items that `iinf` declares as EXIF or XMP, with what
    /// may stand in for each.
    fn metadata_items(&self, iinf: &Node) -> Option<Vec<(u32, Placeholder)>> {
        let version = *self.data.get(iinf.body)?;
        let count_len = if version == 0 { 2 } else { 4 };
        let first = iinf.body.checked_add(4)?.checked_add(count_len)?;
        let mut ids = Vec::new();
        for child in children(self.data, first, iinf.end).filter(|c| &c.kind == b"infe") {
            if let Some(item) = infe_metadata_item(self.data.get(child.body..child.end)?)? {
                ids.push(item);
            }
        }
        Some(ids)
    }

    /// Where the items `wanted` (sorted by ID) are, from `iloc`: file
    /// offsets for construction method 0, offsets into `idat` for method 1.
    /// An item stored in one piece keeps its placeholder.
    fn item_extents(
        &self,
        iloc: &Node,
        idat: Option<&Node>,
        wanted: &[(u32, Placeholder)],
    ) -> Option<Vec<(Range, Option<Placeholder>)>> {
        let mut c = Cursor::new(self.data.get(iloc.body..iloc.end)?);
        let version = c.u8()?;
        if version > 2 {
            return None;
        }
        c.skip(3)?;
        let sizes = c.u8()?;
        let more = c.u8()?;
        let (offset_size, length_size, base_size) = (sizes >> 4, sizes & 0x0F, more >> 4);
        let index_size = if version == 0 { 0 } else { more & 0x0F };
        if [offset_size, length_size, base_size, index_size]
            .iter()
            .any(|s| !matches!(s, 0 | 4 | 8))
        {
            return None;
        }
        let items = if version < 2 {
            u32::from(c.u16()?)
        } else {
            c.u32()?
        };
        if usize::try_from(items).ok()? > MAX_COUNT {
            return None;
        }
        let mut extents_seen = 0usize;
        let mut ranges = Vec::new();
        for _ in 0..items {
            let id = if version < 2 {
                u32::from(c.u16()?)
            } else {
                c.u32()?
            };
            let method = if version == 0 { 0 } else { c.u16()? & 0x0F };
            let data_reference = c.u16()?;
            let base = c.uint(base_size)?;
            let extents = c.u16()?;
            extents_seen = extents_seen.saturating_add(usize::from(extents));
            if extents_seen > MAX_COUNT {
                return None;
            }
            let want = match wanted.binary_search_by_key(&id, |w| w.0) {
                Ok(i) if data_reference == 0 => wanted.get(i).map(|w| w.1),
                _ => None,
            };
            let placeholder = want.filter(|_| extents == 1);
            for _ in 0..extents {
                c.uint(index_size)?;
                let offset = c.uint(offset_size)?;
                let length = c.uint(length_size)?;
                if want.is_none() {
                    continue;
                }
                let start = base.checked_add(offset)?;
                match method {
                    0 => {
                        // Length zero means "to the end of the file", which
                        // `finish` bounds.
                        let end = match length {
                            0 => self.file_len.unwrap_or(u64::MAX),
                            n => start.checked_add(n)?,
                        };
                        ranges.push(((start, end), placeholder));
                    }
                    1 => {
                        let idat = idat?;
                        let body = self.absolute(idat.body)?;
                        let idat_end = self.absolute(idat.end)?;
                        let s = body.checked_add(start)?;
                        let e = match length {
                            0 => idat_end,
                            n => s.checked_add(n)?.min(idat_end),
                        };
                        ranges.push(((s, e), placeholder));
                    }
                    // Method 2 points into other items; writers do not use it
                    // for EXIF or XMP, and the items it refers to are data.
                    _ => {}
                }
            }
        }
        Some(ranges)
    }

    /// The patches: box conversions, placeholders and zeroed ranges, bounded
    /// by the file, or when its length is not known by the box's own size
    /// plus `OUTSIDE_CAP`.
    fn finish(mut self) -> Vec<Patch> {
        let mut budget = OUTSIDE_CAP.saturating_add(to_u64(self.data.len()));
        let mut fill = std::mem::take(&mut self.fill);
        fill.sort_unstable_by_key(|f| f.0);
        let mut filled: Vec<Range> = Vec::new();
        for (range, placeholder) in fill {
            let in_file = self.file_len.is_none_or(|len| range.1 <= len);
            let after_last = filled.last().is_none_or(|last| last.1 <= range.0);
            let Some(bytes) = (in_file && after_last)
                .then(|| placeholder.bytes(range.1.saturating_sub(range.0)))
                .flatten()
            else {
                continue;
            };
            let len = to_u64(bytes.len());
            if self.file_len.is_none() {
                if len > budget {
                    continue;
                }
                budget = budget.saturating_sub(len);
            }
            filled.push((range.0, range.0.saturating_add(len)));
            self.patches.push(Patch {
                offset: range.0,
                bytes,
            });
        }
        let mut zero = subtract(&merge(std::mem::take(&mut self.zero)), &filled);
        match self.file_len {
            Some(len) => {
                zero.retain(|r| r.0 < len);
                for r in &mut zero {
                    r.1 = r.1.min(len);
                }
            }
            None => {
                zero.retain_mut(|r| {
                    let len = r.1.saturating_sub(r.0).min(budget);
                    r.1 = r.0.saturating_add(len);
                    budget = budget.saturating_sub(len);
                    len > 0
                });
            }
        }
        let mut patches = self.patches;
        patches.extend(zero_patches(&zero));
        patches.sort_by_key(|p| p.offset);
        patches
    }
}

/// Sample sizes of a track: one size for all, or a table.
enum SampleSizes<'a> {
    Constant {
        size: u64,
        count: u32,
    },
    Table {
        table: &'a [u8],
        bits: u8,
        count: u32,
    },
}

impl<'a> SampleSizes<'a> {
    fn stsz(b: &'a [u8]) -> Option<Self> {
        let size = be32(b, 4)?;
        let count = be32(b, 8)?;
        if size != 0 {
            return Some(SampleSizes::Constant {
                size: u64::from(size),
                count,
            });
        }
        Self::table(b.get(12..)?, 32, count)
    }

    fn stz2(b: &'a [u8]) -> Option<Self> {
        let bits = *b.get(7)?;
        let count = be32(b, 8)?;
        if !matches!(bits, 4 | 8 | 16) {
            return None;
        }
        Self::table(b.get(12..)?, bits, count)
    }

    /// A table, if it really holds `count` sizes.
    fn table(table: &'a [u8], bits: u8, count: u32) -> Option<Self> {
        let needed = u64::from(count).checked_mul(u64::from(bits))?.div_ceil(8);
        (needed <= to_u64(table.len())).then_some(SampleSizes::Table { table, bits, count })
    }

    fn count(&self) -> u32 {
        match self {
            SampleSizes::Constant { count, .. } | SampleSizes::Table { count, .. } => *count,
        }
    }

    fn get(&self, i: u32) -> Option<u64> {
        match self {
            SampleSizes::Constant { size, .. } => Some(*size),
            SampleSizes::Table { table, bits, .. } => {
                let i = usize::try_from(i).ok()?;
                match bits {
                    4 => {
                        let byte = *table.get(i / 2)?;
                        Some(u64::from(if i % 2 == 0 { byte >> 4 } else { byte & 0x0F }))
                    }
                    8 => table.get(i).map(|&b| u64::from(b)),
                    16 => be16(table, i.checked_mul(2)?).map(u64::from),
                    _ => be32(table, i.checked_mul(4)?).map(u64::from),
                }
            }
        }
    }

    /// The total size of up to `n` samples from `first`, and how many there
    /// were (fewer at the end of the track).
    fn sum(&self, first: u32, n: u32) -> Option<(u64, u32)> {
        let n = n.min(self.count().saturating_sub(first));
        match self {
            SampleSizes::Constant { size, .. } => Some((size.checked_mul(u64::from(n))?, n)),
            SampleSizes::Table { .. } => {
                let mut total = 0u64;
                for i in 0..n {
                    total = total.checked_add(self.get(first.checked_add(i)?)?)?;
                }
                Some((total, n))
            }
        }
    }
}

/// What a top-level `meta` box is.
enum MetaKind {
    /// The structure of an image; the ranges of its EXIF and XMP items.
    Image(Vec<(Range, Option<Placeholder>)>),
    /// Anything else, such as QuickTime metadata.
    Other,
}

/// What stands in for an emptied EXIF or XMP item, so that readers find
/// valid, empty metadata rather than zeros they would call malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placeholder {
    Exif,
    Xmp,
    /// Zeros only, as for compressed XMP.
    Zeros,
}

/// A HEIF EXIF item holding an empty TIFF: the offset of the TIFF header
/// (0), the header, and an IFD0 with no entries and no next IFD.
const EMPTY_EXIF_ITEM: [u8; 18] = [0, 0, 0, 0, b'M', b'M', 0, 42, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0];
const EMPTY_XMP_HEAD: &[u8] = concat!(
    "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n",
    "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"/>\n",
)
.as_bytes();
const EMPTY_XMP_TAIL: &[u8] = b"<?xpacket end=\"w\"?>";
/// XMP packets are padded with spaces; a larger item is just zeroed.
const MAX_XMP_PLACEHOLDER: u64 = 1 << 20;

impl Placeholder {
    /// What to write at the start of an emptied item of `len` bytes (the
    /// rest stays zero); `None` if it does not fit.
    fn bytes(self, len: u64) -> Option<Vec<u8>> {
        match self {
            Placeholder::Exif => {
                (len >= to_u64(EMPTY_EXIF_ITEM.len())).then(|| EMPTY_EXIF_ITEM.to_vec())
            }
            Placeholder::Xmp => {
                let frame = EMPTY_XMP_HEAD.len().checked_add(EMPTY_XMP_TAIL.len())?;
                if len < to_u64(frame) || len > MAX_XMP_PLACEHOLDER {
                    return None;
                }
                let len = usize::try_from(len).ok()?;
                let mut packet = Vec::with_capacity(len);
                packet.extend_from_slice(EMPTY_XMP_HEAD);
                packet.resize(len.checked_sub(EMPTY_XMP_TAIL.len())?, b' ');
                packet.extend_from_slice(EMPTY_XMP_TAIL);
                Some(packet)
            }
            Placeholder::Zeros => None,
        }
    }
}

/// The ID of an item info entry (`infe` body) if the item is EXIF or XMP,
/// with its placeholder; `Some(None)` for other items and for versions this
/// does not know.
fn infe_metadata_item(body: &[u8]) -> Option<Option<(u32, Placeholder)>> {
    let mut c = Cursor::new(body);
    let version = c.u8()?;
    c.skip(3)?;
    // XMP with a content encoding (deflate) cannot take a plain packet.
    let xmp = |c: &mut Cursor<'_>| {
        let t = c.cstr().trim_ascii();
        let is_xmp = t.eq_ignore_ascii_case(b"application/rdf+xml")
            || t.eq_ignore_ascii_case(b"application/xmp+xml");
        let plain = c.cstr().trim_ascii().is_empty();
        is_xmp.then_some(if plain {
            Placeholder::Xmp
        } else {
            Placeholder::Zeros
        })
    };
    match version {
        // Versions 0 and 1 describe every item by a MIME type.
        0 | 1 => {
            let id = u32::from(c.u16()?);
            c.skip(2)?;
            c.cstr();
            Some(xmp(&mut c).map(|p| (id, p)))
        }
        2 | 3 => {
            let id = if version == 2 {
                u32::from(c.u16()?)
            } else {
                c.u32()?
            };
            c.skip(2)?;
            let item_type = c.kind()?;
            c.cstr();
            let placeholder = match &item_type {
                b"Exif" => Some(Placeholder::Exif),
                b"mime" => xmp(&mut c),
                _ => None,
            };
            Some(placeholder.map(|p| (id, p)))
        }
        _ => Some(None),
    }
}

fn box_patches(header: &BoxHeader, box_bytes: &[u8], file_len: Option<u64>) -> Vec<Patch> {
    let local = BoxHeader {
        offset: 0,
        ..*header
    };
    let (Some(node), Ok(size)) = (Node::from_header(&local), usize::try_from(header.size)) else {
        return Vec::new();
    };
    let Some(data) = box_bytes.get(..size) else {
        return Vec::new();
    };
    if header.header_len < 8 || header.header_len > header.size {
        return Vec::new();
    }
    let mut iso = Iso {
        data,
        base: header.offset,
        file_len,
        patches: Vec::new(),
        zero: Vec::new(),
        fill: Vec::new(),
    };
    match &header.kind {
        b"moov" => iso.movie(&node, 1),
        b"meta" => iso.top_meta(&node),
        b"udta" => iso.free(&node),
        b"uuid" if iso.is_xmp_uuid(&node) => iso.free(&node),
        b"free" | b"skip" => iso.zero_body(&node),
        _ => {}
    }
    iso.finish()
}

/// Patches for one top-level box, given its header and all its bytes (header
/// included):
/// - `moov` (video): every `udta` and `meta` box inside moov and inside each
///   trak (and deeper containers where they occur: trak/mdia/minf... udta),
///   plus XMP `uuid` boxes, become `free` boxes of the same size with zeroed
///   bodies (offsets of media data never move, so stco/co64 stay valid).
///   This removes Apple/Android ©xyz location,
///   com.apple.quicktime.location.ISO6709 keys, XMP. Besides, the creation
///   and modification times of the movie, its tracks and media are zeroed,
///   leftovers in `free` boxes are zeroed, and so are the samples of
///   timed-metadata tracks (GPS tracks of action cameras).
/// - top-level `uuid` with the XMP uuid (BE7ACFCB-97A9-42E8-9C71-999491E3AFAC) → free.
/// - top-level `udta` → free; top-level `free`/`skip` → zeroed body.
/// - top-level `meta` of HEIC/HEIF/AVIF: this box IS the image structure and
///   must stay: `iinf`/`infe` give the items of type `Exif` and the `mime`
///   items whose content type is XMP (application/rdf+xml); `iloc` gives
///   where they are (file offsets or inside this meta's `idat`), and those
///   extents are zeroed wherever they lie in the file (usually in `mdat`,
///   outside this box: patches are absolute offsets). An item stored in one
///   piece then starts with an empty EXIF (a TIFF header and an IFD without
///   entries) or an empty XMP packet padded with spaces, so that readers do
///   not report it as damaged. Image items are not touched. A meta box that
///   cannot be read becomes `free`, which may leave the image unreadable but
///   never keeps its metadata.
/// - a top-level `meta` of a QuickTime/MP4 file that is NOT an image (no
///   `pitm`/`iloc`, handler not `pict`) → free.
///
/// `box_bytes` must hold the whole box; if it holds less, nothing is
/// patched. Since the file's length is not known here, at most 16 MiB
/// outside the box are zeroed (real EXIF and XMP items are far smaller, a
/// hostile file may claim gigabytes); [`isobmff_patches_for_file`] bounds
/// them by the file instead and is the one to use when its length is known.
pub fn isobmff_patches(header: &BoxHeader, box_bytes: &[u8]) -> Vec<Patch> {
    box_patches(header, box_bytes, None)
}

/// Like [`isobmff_patches`] for a file of `file_len` bytes: ranges outside
/// the box are clipped to the file instead of to a fixed budget.
pub fn isobmff_patches_for_file(header: &BoxHeader, box_bytes: &[u8], file_len: u64) -> Vec<Patch> {
    box_patches(header, box_bytes, Some(file_len))
}

/// Convenience for a whole file in memory: walks the top-level boxes with
/// the functions above. None if it is not a readable ISO BMFF file.
///
/// Readable means: it starts with a box that starts such files (`ftyp`, or
/// `moov`, `mdat`, `wide`, `free`, `skip` of old QuickTime files), and its
/// top-level boxes follow each other exactly to the end of the file.
pub fn isobmff_patches_in(bytes: &[u8]) -> Option<Vec<Patch>> {
    let len = to_u64(bytes.len());
    let mut pos = 0usize;
    let mut patches = Vec::new();
    while pos < bytes.len() {
        let head = bytes.get(pos..pos.saturating_add(16).min(bytes.len()))?;
        let header = box_header(head, to_u64(pos), len)?;
        if pos == 0 && !FIRST_BOXES.contains(&&header.kind) {
            return None;
        }
        let end = usize::try_from(header.offset.checked_add(header.size)?).ok()?;
        if wants_box(header.kind) {
            patches.extend(box_patches(&header, bytes.get(pos..end)?, Some(len)));
        }
        pos = end;
    }
    if bytes.is_empty() {
        return None;
    }
    patches.sort_by_key(|p| p.offset);
    Some(patches)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sideways_photo_keeps_only_its_orientation() {
        // A minimal JPEG whose EXIF says "turn 90°" (6) and holds a GPS-like text.
        let mut exif = b"Exif\0\0II\x2a\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0\x06\0\0\0\0\0\0\0GPS 40.1792N".to_vec();
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1];
        jpeg.extend_from_slice(&u16::try_from(exif.len() + 2).unwrap().to_be_bytes());
        jpeg.append(&mut exif);
        // A frame of one 1×1 component, then its scan.
        jpeg.extend_from_slice(&[0xFF, 0xC0, 0, 11, 8, 0, 1, 0, 1, 1, 1, 0x11, 0]);
        jpeg.extend_from_slice(&[
            0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0, 0x11, 0x22, 0xFF, 0xD9,
        ]);
        assert_eq!(jpeg_orientation(&jpeg), Some(6));
        let clean = clean_jpeg_upright(&jpeg).unwrap();
        assert!(!clean.windows(3).any(|w| w == b"GPS"));
        assert_eq!(jpeg_orientation(&clean), Some(6));
        assert!(clean.ends_with(&[0xFF, 0xD9]));
        // Upright photos get no EXIF at all.
        let upright =
            clean_jpeg_upright(&include_bytes!("../../testdata/media/photo_gps_motion.jpg")[..])
                .unwrap();
        let orientation =
            jpeg_orientation(include_bytes!("../../testdata/media/photo_gps_motion.jpg"));
        if orientation.is_none_or(|o| o == 1) {
            assert!(!upright.windows(4).any(|w| w == b"Exif"));
        }
    }

    // The fixtures, all carrying the position 40.1792 N, 44.4991 E.

    /// A progressive 48×32 JPEG with an ICC profile (APP2), EXIF (Make
    /// "ACME", Model "PhoneCam", DateTimeOriginal 2024:05:01 10:00:00 and a
    /// GPS IFD), XMP with exif:GPSLatitude "40,10.752N", IPTC City "Yerevan"
    /// (APP13), the comment "taken at home", and an MPF index (APP2 "MPF\0")
    /// pointing at a second JPEG, with GPS of its own, appended after the
    /// first image's EOI; then "MOTIONPHOTO_DATA" and a 1-second MP4 whose
    /// `loci` box holds the position, as a Motion Photo has.
    const JPEG: &[u8] = include_bytes!("../../testdata/media/photo_gps_motion.jpg");
    /// A little-endian, uncompressed two-page TIFF (24×16 in four strips,
    /// then 12×8) whose IFD0 holds Make "ACME", Model "PhoneCam", Software
    /// "CamApp 1.0", ModifyDate 2024:05:01 10:00:00, Artist "Ann Example",
    /// XMP (with "40,10.752N"), IPTC (City "Yerevan"), Photoshop, an EXIF IFD
    /// (DateTimeOriginal) and a GPS IFD.
    const TIFF_LE: &[u8] = include_bytes!("../../testdata/media/scan_gps_le.tif");
    /// The same first page as a big-endian TIFF.
    const TIFF_BE: &[u8] = include_bytes!("../../testdata/media/scan_gps_be.tif");
    /// A 32×32 HEIC (an HEVC grid described in `idat`) with an EXIF item
    /// (Make "ACME", Model "PhoneCam", DateTimeOriginal, GPS) and an XMP
    /// `mime` item (with "40,10.752N"), both stored in `mdat`.
    const HEIC: &[u8] = include_bytes!("../../testdata/media/photo_gps.heic");
    /// A 32×32 AVIF with the same EXIF and XMP items.
    const AVIF: &[u8] = include_bytes!("../../testdata/media/photo_gps.avif");
    /// A 1-second 64×64 H.264 MP4: moov/udta with `©xyz`
    /// "+40.1792+044.4991/", a 3GPP `loci` box and an iTunes `meta`;
    /// moov/meta with the keys com.apple.quicktime.location.ISO6709, make
    /// ("ACME") and model ("PhoneCam"); a top-level XMP `uuid` box; movie,
    /// track and media times of 2024-05-01 10:00:00.
    const MP4: &[u8] = include_bytes!("../../testdata/media/video_gps.mp4");
    /// A 1-second 64×64 H.264 QuickTime movie: moov/udta with `©xyz` and
    /// an `XMP_` box, trak/udta with a track name, moov/meta with the keys
    /// location, make, model and creationdate, and the same times as the MP4.
    const MOV: &[u8] = include_bytes!("../../testdata/media/video_gps.mov");

    const FIXTURES: [&[u8]; 7] = [JPEG, TIFF_LE, TIFF_BE, HEIC, AVIF, MP4, MOV];

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    fn count(hay: &[u8], needle: &[u8]) -> usize {
        hay.windows(needle.len()).filter(|w| *w == needle).count()
    }

    fn patched(bytes: &[u8], patches: &[Patch]) -> Vec<u8> {
        let mut out = bytes.to_vec();
        apply(&mut out, patches);
        out
    }

    /// A box of `kind` around `body`.
    fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = u32::try_from(body.len() + 8)
            .unwrap()
            .to_be_bytes()
            .to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        out
    }

    /// A full box: version and flags, then `body`.
    fn full(kind: &[u8; 4], version: u8, body: &[u8]) -> Vec<u8> {
        let mut b = vec![version, 0, 0, 0];
        b.extend_from_slice(body);
        bx(kind, &b)
    }

    fn cat(parts: &[&[u8]]) -> Vec<u8> {
        parts.concat()
    }

    /// The box at `path` below the top level of an ISO file.
    fn find(data: &[u8], path: &[&[u8; 4]]) -> Option<Node> {
        let mut node = Node {
            kind: *b"file",
            start: 0,
            body: 0,
            end: data.len(),
        };
        for kind in path {
            let body = if node.kind == *b"meta" {
                node.body + 4
            } else {
                node.body
            };
            node = children(data, body, node.end).find(|c| &c.kind == *kind)?;
        }
        Some(node)
    }

    fn mentions_location(bytes: &[u8]) -> bool {
        [
            &b"+40.1792"[..],
            b"40,10.752N",
            b"Yerevan",
            b"ACME",
            b"PhoneCam",
            b"2024:05:01",
            b"com.apple.quicktime.location",
            b"\xA9xyz",
            b"loci",
            b"taken at home",
        ]
        .iter()
        .any(|needle| contains(bytes, needle))
    }

    #[test]
    fn fixtures_carry_location_metadata() {
        for fixture in FIXTURES {
            assert!(mentions_location(fixture));
        }
        assert!(contains(MP4, b"com.apple.quicktime.location.ISO6709"));
        assert!(contains(MOV, b"+40.1792+044.4991/"));
        assert!(contains(HEIC, b"ACME") && contains(HEIC, b"40,10.752N"));
        assert!(contains(JPEG, b"MOTIONPHOTO_DATA") && contains(JPEG, b"MPF\0"));
    }

    // --- JPEG -------------------------------------------------------------

    /// Where the first segment after the APPn and COM segments starts.
    fn first_table(bytes: &[u8]) -> usize {
        let mut pos = 2;
        while (0xE0..=0xEF).contains(&bytes[pos + 1]) || bytes[pos + 1] == 0xFE {
            pos += 2 + usize::from(be16(bytes, pos + 2).unwrap());
        }
        pos
    }

    #[test]
    fn jpeg_loses_metadata_segments_and_everything_after_its_end() {
        for needle in [
            &b"Exif\0\0"[..],
            b"http://ns.adobe.com/xap/1.0/",
            b"Photoshop 3.0",
            b"taken at home",
            b"MPF\0",
            b"MOTIONPHOTO_DATA",
            b"ftyp",
        ] {
            assert!(contains(JPEG, needle));
        }
        let clean = clean_jpeg(JPEG).unwrap();
        assert!(!mentions_location(&clean));
        for needle in [
            &b"Exif\0\0"[..],
            b"http://ns.adobe",
            b"Photoshop",
            b"MPF\0",
            b"MOTIONPHOTO",
            b"ftyp",
            b"mdat",
        ] {
            assert!(!contains(&clean, needle));
        }
        assert!(clean.starts_with(&[0xFF, 0xD8]));
        assert!(clean.ends_with(&[0xFF, 0xD9]));
        assert_eq!(count(&clean, &[0xFF, 0xD8]), 1, "only one image is left");
        assert!(contains(&clean, b"JFIF\0") && contains(&clean, b"ICC_PROFILE\0"));
        // Cleaning again changes nothing.
        assert_eq!(clean_jpeg(&clean).as_deref(), Some(&clean[..]));
    }

    #[test]
    fn jpeg_tables_frames_and_progressive_scans_stay_byte_for_byte() {
        let clean = clean_jpeg(JPEG).unwrap();
        let image = &clean[first_table(&clean)..];
        let original = &JPEG[first_table(JPEG)..];
        assert!(
            original.starts_with(image),
            "everything from the tables to EOI is copied"
        );
        assert!(
            count(image, &[0xFF, 0xDA]) > 1,
            "the fixture is progressive"
        );
    }

    #[test]
    fn jpeg_scans_with_restarts_and_stuffed_bytes_are_copied() {
        let app1 = [0xFF, 0xE1, 0x00, 0x08, b'E', b'x', b'i', b'f', 0, 0];
        let sof = [0xFF, 0xC0, 0x00, 0x0B, 8, 0, 1, 0, 1, 1, 1, 0x11, 0];
        let sos = [0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 0x3F, 0];
        let data = [0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xFF];
        let app14 = [0xFF, 0xEE, 0x00, 0x07, b'A', b'd', b'o', b'b', b'e'];
        let com = [0xFF, 0xFE, 0x00, 0x04, b'h', b'i'];
        let jpeg = cat(&[
            &[0xFF, 0xD8],
            &app1,
            &app14,
            &sof,
            &sos,
            &data,
            &com,
            &[0xFF, 0xD9],
            b"TRAILER",
        ]);
        let clean = clean_jpeg(&jpeg).unwrap();
        // The fill byte before the comment goes with it.
        let expected = cat(&[&[0xFF, 0xD8], &app14, &sof, &sos, &data[..7], &[0xFF, 0xD9]]);
        assert_eq!(clean, expected);
    }

    #[test]
    fn jpeg_ls_scans_keep_their_bit_stuffed_bytes() {
        let sof55 = [0xFF, 0xF7, 0x00, 0x0B, 8, 0, 1, 0, 1, 1, 1, 0x11, 0];
        let sos = [0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 0, 0];
        // In JPEG-LS, 0xFF followed by a byte below 0x80 is data.
        let data = [0x12, 0xFF, 0x45, 0x34];
        let jpeg = cat(&[&[0xFF, 0xD8], &sof55, &sos, &data, &[0xFF, 0xD9]]);
        assert_eq!(clean_jpeg(&jpeg), Some(jpeg));
    }

    #[test]
    fn jpeg_that_cannot_be_read_is_refused() {
        assert_eq!(clean_jpeg(b""), None);
        assert_eq!(clean_jpeg(b"\x89PNG\r\n\x1a\n"), None);
        // A file cut inside its scan, and one that ends before EOI.
        let end = JPEG.windows(2).position(|w| w == [0xFF, 0xD9]).unwrap();
        assert_eq!(clean_jpeg(&JPEG[..end - 40]), None);
        // Tables only, no scan.
        assert_eq!(clean_jpeg(&[0xFF, 0xD8, 0xFF, 0xD9]), None);
        // A scan before any frame.
        assert_eq!(
            clean_jpeg(&[0xFF, 0xD8, 0xFF, 0xDA, 0, 2, 0xFF, 0xD9]),
            None
        );
        // A segment length that runs past the end.
        assert_eq!(clean_jpeg(&[0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 0]), None);
    }

    // --- TIFF -------------------------------------------------------------

    fn tiff_reader(bytes: &[u8]) -> Tiff<'_> {
        let order = if bytes.starts_with(b"II") {
            Order::Little
        } else {
            Order::Big
        };
        Tiff::new(bytes, order)
    }

    /// The entries of every IFD of the IFD0 chain.
    fn ifds(bytes: &[u8]) -> Vec<Vec<Entry>> {
        let t = tiff_reader(bytes);
        let mut offset = t.order.u32(bytes, 4).unwrap();
        let mut out = Vec::new();
        while offset != 0 {
            let (start, n, len) = t.table(offset).unwrap();
            out.push(
                (0..usize::from(n))
                    .map(|i| t.entry(start + 2 + 12 * i).unwrap())
                    .collect(),
            );
            offset = t.order.u32(bytes, start + len - 4).unwrap();
        }
        out
    }

    fn strips(bytes: &[u8]) -> Vec<u8> {
        let t = tiff_reader(bytes);
        let ifd0 = &ifds(bytes)[0];
        let get = |tag| *ifd0.iter().find(|e| e.tag == tag).unwrap();
        let (offsets, lengths) = (get(TAG_STRIP_OFFSETS), get(TAG_STRIP_BYTE_COUNTS));
        let mut out = Vec::new();
        for i in 0..offsets.count {
            let start = usize::try_from(t.element(&offsets, i).unwrap()).unwrap();
            let len = usize::try_from(t.element(&lengths, i).unwrap()).unwrap();
            out.extend_from_slice(&bytes[start..start + len]);
        }
        out
    }

    #[test]
    fn tiff_location_camera_and_time_entries_are_removed_in_place() {
        for (fixture, pages) in [(TIFF_LE, 2), (TIFF_BE, 1)] {
            let before = ifds(fixture);
            assert!(before[0].iter().any(|e| e.tag == TAG_GPS_IFD));
            assert!(before[0].iter().any(|e| e.tag == TAG_EXIF_IFD));
            assert!(before[0].iter().any(|e| e.tag == 700));
            assert!(before[0].iter().any(|e| e.tag == 33723));
            assert!(before[0].iter().any(|e| e.tag == 34377));
            let patches = tiff_patches(fixture).unwrap();
            let clean = patched(fixture, &patches);
            assert_eq!(clean.len(), fixture.len());
            assert!(!mentions_location(&clean));
            assert!(!contains(&clean, b"Ann Example") && !contains(&clean, b"CamApp"));
            let after = ifds(&clean);
            assert_eq!(after.len(), pages, "the IFD chain still reaches every page");
            for e in &after[0] {
                assert!(!REMOVED_TAGS.contains(&e.tag), "tag {} is left", e.tag);
            }
            let kept: Vec<u16> = before[0]
                .iter()
                .map(|e| e.tag)
                .filter(|t| !REMOVED_TAGS.contains(t))
                .collect();
            assert_eq!(after[0].iter().map(|e| e.tag).collect::<Vec<_>>(), kept);
            assert_eq!(strips(&clean), strips(fixture), "pixels are untouched");
            // Nothing is left to remove.
            assert_eq!(tiff_patches(&clean), Some(Vec::new()));
        }
    }

    /// A little-endian TIFF with one IFD of `entries` at offset 8, `next`
    /// as its next-IFD pointer, and `tail` after it.
    fn tiny_tiff(entries: &[(u16, u16, u32, u32)], next: u32, tail: &[u8]) -> Vec<u8> {
        let mut b = b"II*\0\x08\0\0\0".to_vec();
        b.extend_from_slice(&u16::try_from(entries.len()).unwrap().to_le_bytes());
        for &(tag, kind, count, value) in entries {
            b.extend_from_slice(&tag.to_le_bytes());
            b.extend_from_slice(&kind.to_le_bytes());
            b.extend_from_slice(&count.to_le_bytes());
            b.extend_from_slice(&value.to_le_bytes());
        }
        b.extend_from_slice(&next.to_le_bytes());
        b.extend_from_slice(tail);
        b
    }

    #[test]
    fn tiff_gps_ifd_and_its_values_are_zeroed_but_shared_bytes_are_kept() {
        // IFD0 (3 entries, 42 bytes at 8..50): width, a GPS pointer to 50,
        // and a private tag (kept) whose 24-byte value sits at 68.
        // The GPS IFD at 50 has one RATIONAL[3] latitude at 68: the same
        // bytes as the kept tag, which must therefore survive.
        let mut gps = Vec::new();
        gps.extend_from_slice(&1u16.to_le_bytes());
        gps.extend_from_slice(&2u16.to_le_bytes());
        gps.extend_from_slice(&5u16.to_le_bytes());
        gps.extend_from_slice(&3u32.to_le_bytes());
        gps.extend_from_slice(&68u32.to_le_bytes());
        gps.extend_from_slice(&0u32.to_le_bytes());
        let values = [7u8; 24];
        let tiff = tiny_tiff(
            &[(256, 3, 1, 4), (34853, 4, 1, 50), (65000, 7, 24, 68)],
            0,
            &cat(&[&gps, &values]),
        );
        assert_eq!(tiff.len(), 68 + 24);
        let clean = patched(&tiff, &tiff_patches(&tiff).unwrap());
        let after = ifds(&clean);
        assert_eq!(
            after[0].iter().map(|e| e.tag).collect::<Vec<_>>(),
            [256, 65000]
        );
        assert_eq!(&clean[50..68], &[0; 18], "the GPS IFD is zeroed");
        assert_eq!(&clean[68..], &values, "bytes a kept entry uses stay");
        // The freed entry at the end of IFD0 is zero, after the moved pointer.
        assert_eq!(&clean[8 + 2 + 24..8 + 2 + 24 + 4], &0u32.to_le_bytes());
        assert_eq!(&clean[8 + 2 + 24 + 4..50], &[0; 12]);
        assert_eq!(&clean[8..10], &2u16.to_le_bytes());
    }

    #[test]
    fn tiff_sub_ifds_of_raw_files_are_cleaned_too() {
        // IFD0 at 8 (one SubIFDs entry, 18 bytes) points at a SubIFD at 26
        // (30 bytes) with a width and Make "ACME" (5 bytes at 56).
        let sub = tiny_tiff(&[(256, 3, 1, 4), (271, 2, 5, 56)], 0, b"ACME\0");
        let mut tiff = tiny_tiff(&[(330, 13, 1, 26)], 0, b"");
        tiff.extend_from_slice(&sub[8..]);
        assert_eq!(&tiff[56..61], b"ACME\0");
        let clean = patched(&tiff, &tiff_patches(&tiff).unwrap());
        assert!(!contains(&clean, b"ACME"));
        assert_eq!(
            &clean[26..28],
            &1u16.to_le_bytes(),
            "the SubIFD keeps its width"
        );
        assert_eq!(&clean[28..30], &256u16.to_le_bytes());
    }

    #[test]
    fn tiff_that_cannot_be_read_is_refused() {
        assert_eq!(tiff_patches(b""), None);
        assert_eq!(tiff_patches(b"II*\0"), None);
        assert_eq!(
            tiff_patches(b"II+\0\x10\0\0\0\x08\0\0\0\0\0\0\0"),
            None,
            "BigTIFF"
        );
        assert_eq!(tiff_patches(b"II*\0\xff\0\0\0"), None, "IFD0 past the end");
        assert_eq!(
            tiff_patches(b"II*\0\x02\0\0\0\0\0"),
            None,
            "IFD0 inside the header"
        );
        // An IFD whose next pointer loops back to itself ends the chain.
        let looped = tiny_tiff(
            &[(256, 3, 1, 4), (271, 2, 4, u32::from_le_bytes(*b"ACM\0"))],
            8,
            b"",
        );
        let clean = patched(&looped, &tiff_patches(&looped).unwrap());
        assert!(!contains(&clean, b"ACM"));
    }

    // --- HEIF / AVIF --------------------------------------------------------

    fn meta_extents(file: &[u8]) -> Vec<(Range, Option<Placeholder>)> {
        let meta = find(file, &[b"meta"]).unwrap();
        let iso = Iso {
            data: file,
            base: 0,
            file_len: Some(to_u64(file.len())),
            patches: Vec::new(),
            zero: Vec::new(),
            fill: Vec::new(),
        };
        match iso.meta_items(&meta) {
            Some(MetaKind::Image(items)) => items,
            _ => panic!("not an image"),
        }
    }

    #[test]
    fn heif_exif_and_xmp_items_are_emptied_in_place() {
        for fixture in [HEIC, AVIF] {
            let items = meta_extents(fixture);
            assert_eq!(items.len(), 2, "one EXIF and one XMP item");
            let clean = patched(fixture, &isobmff_patches_in(fixture).unwrap());
            assert_eq!(clean.len(), fixture.len());
            assert!(!mentions_location(&clean));
            // Only the metadata items changed: the meta box and the image
            // data are byte for byte the same.
            for (i, (a, b)) in fixture.iter().zip(&clean).enumerate() {
                if a != b {
                    let i = to_u64(i);
                    assert!(
                        items.iter().any(|((s, e), _)| (*s..*e).contains(&i)),
                        "byte {i} changed"
                    );
                }
            }
            // The items now read as empty EXIF and XMP.
            for ((start, end), placeholder) in items {
                let item = &clean[usize::try_from(start).unwrap()..usize::try_from(end).unwrap()];
                match placeholder {
                    Some(Placeholder::Exif) => {
                        assert!(item.starts_with(&EMPTY_EXIF_ITEM));
                        assert!(item[EMPTY_EXIF_ITEM.len()..].iter().all(|&b| b == 0));
                    }
                    Some(Placeholder::Xmp) => {
                        assert!(item.starts_with(EMPTY_XMP_HEAD) && item.ends_with(EMPTY_XMP_TAIL));
                    }
                    other => panic!("unexpected {other:?}"),
                }
            }
        }
    }

    /// A HEIF `meta` box with an image item 1, an EXIF item 2 (in `idat`,
    /// method 1), an XMP item 3 (at file offset `xmp_at`, 4 bytes) and an
    /// `iloc` of `version`.
    fn heif_meta(version: u8, xmp_at: u32) -> Vec<u8> {
        let hdlr = full(b"hdlr", 0, &cat(&[&[0; 4], b"pict", &[0; 12], b"\0"]));
        let pitm = full(b"pitm", 0, &1u16.to_be_bytes());
        let infe_image = full(
            b"infe",
            2,
            &cat(&[&1u16.to_be_bytes(), &[0, 0], b"hvc1", b"\0"]),
        );
        let infe_exif = full(
            b"infe",
            2,
            &cat(&[&2u16.to_be_bytes(), &[0, 0], b"Exif", b"\0"]),
        );
        let infe_xmp = full(
            b"infe",
            3,
            &cat(&[
                &3u32.to_be_bytes(),
                &[0, 0],
                b"mime",
                b"\0application/rdf+xml\0",
            ]),
        );
        let iinf = full(
            b"iinf",
            0,
            &cat(&[&3u16.to_be_bytes(), &infe_image, &infe_exif, &infe_xmp]),
        );
        let idat = bx(b"idat", b"IMAGEexif-data-here!");
        // Items: (id, method, base, [(index, offset, length)]).
        type Item<'a> = (u32, u16, u64, &'a [(u64, u64, u64)]);
        let xmp_extent = [(0, u64::from(xmp_at), 4)];
        let items: [Item; 3] = [
            (1, 1, 0, &[(0, 0, 5)]),
            (2, 1, 5, &[(0, 0, 4), (1, 4, 11)]),
            (3, 0, 0, &xmp_extent),
        ];
        let (offset_size, length_size, base_size, index_size) = match version {
            0 => (4u8, 4u8, 4u8, 0u8),
            1 => (8, 4, 0, 4),
            _ => (4, 8, 8, 8),
        };
        let put = |out: &mut Vec<u8>, v: u64, size: u8| match size {
            4 => out.extend_from_slice(&u32::try_from(v).unwrap().to_be_bytes()),
            8 => out.extend_from_slice(&v.to_be_bytes()),
            _ => assert_eq!(v, 0, "a field of size 0 can only hold 0"),
        };
        let mut b = vec![
            (offset_size << 4) | length_size,
            (base_size << 4) | index_size,
        ];
        if version < 2 {
            b.extend_from_slice(&3u16.to_be_bytes());
        } else {
            b.extend_from_slice(&3u32.to_be_bytes());
        }
        for (id, method, base, extents) in items {
            if version < 2 {
                b.extend_from_slice(&u16::try_from(id).unwrap().to_be_bytes());
            } else {
                b.extend_from_slice(&id.to_be_bytes());
            }
            if version > 0 {
                b.extend_from_slice(&method.to_be_bytes());
            }
            b.extend_from_slice(&0u16.to_be_bytes());
            // Version 0 has no construction method: its idat items are
            // given here by file offset instead, which the test accounts for.
            put(&mut b, if base_size == 0 { 0 } else { base }, base_size);
            b.extend_from_slice(&u16::try_from(extents.len()).unwrap().to_be_bytes());
            for &(index, offset, length) in extents {
                if version > 0 {
                    put(&mut b, if index_size == 0 { 0 } else { index }, index_size);
                }
                let offset = if base_size == 0 {
                    offset + base
                } else {
                    offset
                };
                put(&mut b, offset, offset_size);
                put(&mut b, length, length_size);
            }
        }
        let iloc = full(b"iloc", version, &b);
        full(b"meta", 0, &cat(&[&hdlr, &pitm, &iinf, &iloc, &idat]))
    }

    #[test]
    fn heif_items_are_found_in_idat_and_mdat_with_every_iloc_version() {
        for version in [1, 2] {
            let ftyp = bx(b"ftyp", b"heic\0\0\0\0mif1heic");
            let meta_len = heif_meta(version, 0).len();
            let xmp_at = u32::try_from(ftyp.len() + meta_len + 8).unwrap();
            let meta = heif_meta(version, xmp_at);
            let file = cat(&[&ftyp, &meta, &bx(b"mdat", b"XMP!pixels")]);
            let clean = patched(&file, &isobmff_patches_in(&file).unwrap());
            assert_eq!(clean.len(), file.len());
            assert!(contains(&clean, b"IMAGE"), "the image item stays");
            assert!(contains(&clean, b"pixels"));
            assert!(!contains(&clean, b"exif-data-here"), "version {version}");
            assert!(!contains(&clean, b"XMP!"), "version {version}");
            // The meta box itself keeps its structure.
            assert_eq!(
                find(&clean, &[b"meta"]).unwrap().end - find(&clean, &[b"meta"]).unwrap().start,
                meta_len
            );
            assert!(contains(&clean, b"iloc") && contains(&clean, b"iinf"));
        }
        // Version 0 knows file offsets only: the XMP item in mdat.
        let ftyp = bx(b"ftyp", b"heic\0\0\0\0mif1heic");
        let meta_len = heif_meta(0, 0).len();
        let xmp_at = u32::try_from(ftyp.len() + meta_len + 8).unwrap();
        let file = cat(&[&ftyp, &heif_meta(0, xmp_at), &bx(b"mdat", b"XMP!pixels")]);
        let clean = patched(&file, &isobmff_patches_in(&file).unwrap());
        assert!(!contains(&clean, b"XMP!") && contains(&clean, b"pixels"));
    }

    #[test]
    fn heif_meta_that_cannot_be_read_becomes_free_space() {
        let mut meta = heif_meta(1, 0);
        // An iloc version this does not know.
        let at = meta.windows(4).position(|w| w == b"iloc").unwrap() + 4;
        meta[at] = 9;
        let header = box_header(&meta, 0, to_u64(meta.len())).unwrap();
        let clean = patched(&meta, &isobmff_patches(&header, &meta));
        assert_eq!(&clean[4..8], b"free");
        assert!(clean[8..].iter().all(|&b| b == 0));
    }

    // --- Video --------------------------------------------------------------

    #[test]
    fn video_location_boxes_become_free_space() {
        for fixture in [MP4, MOV] {
            let udta = find(fixture, &[b"moov", b"udta"]).unwrap();
            let meta = find(fixture, &[b"moov", b"meta"]).unwrap();
            let mdat = find(fixture, &[b"mdat"]).unwrap();
            let stco = find(
                fixture,
                &[b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stco"],
            )
            .unwrap();
            let clean = patched(fixture, &isobmff_patches_in(fixture).unwrap());
            assert_eq!(clean.len(), fixture.len());
            assert!(!mentions_location(&clean));
            assert!(!contains(&clean, b"<x:xmpmeta"));
            for node in [udta, meta] {
                assert_eq!(
                    &clean[node.start..node.start + 4],
                    &fixture[node.start..node.start + 4],
                    "same size"
                );
                assert_eq!(&clean[node.start + 4..node.body], b"free");
                assert!(clean[node.body..node.end].iter().all(|&b| b == 0));
            }
            assert_eq!(
                &clean[mdat.start..mdat.end],
                &fixture[mdat.start..mdat.end],
                "media untouched"
            );
            assert_eq!(&clean[stco.start..stco.end], &fixture[stco.start..stco.end]);
            for path in [
                &[b"moov", b"mvhd"][..],
                &[b"moov", b"trak", b"tkhd"],
                &[b"moov", b"trak", b"mdia", b"mdhd"],
            ] {
                let node = find(&clean, path).unwrap();
                assert_eq!(
                    &clean[node.body + 4..node.body + 12],
                    &[0; 8],
                    "times are zeroed"
                );
                let original = find(fixture, path).unwrap();
                assert_ne!(&fixture[original.body + 4..original.body + 12], &[0; 8]);
            }
            // Cleaning again finds nothing more to do but zero free space
            // that is already zero.
            let again = patched(&clean, &isobmff_patches_in(&clean).unwrap());
            assert_eq!(again, clean);
        }
        // The MP4's XMP is a top-level uuid box, the MOV's sits in udta.
        assert!(find(MP4, &[b"uuid"]).is_some());
        let clean = patched(MP4, &isobmff_patches_in(MP4).unwrap());
        assert!(find(&clean, &[b"uuid"]).is_none());
    }

    #[test]
    fn user_data_that_claims_more_than_its_parent_is_freed_to_the_parent_end() {
        let mvhd = full(b"mvhd", 0, &[0; 96]);
        let mut udta = bx(b"udta", &bx(b"\xA9xyz", b"+40.1792+044.4991/"));
        udta[..4].copy_from_slice(&1000u32.to_be_bytes());
        let moov = bx(b"moov", &cat(&[&mvhd, &udta]));
        let file = cat(&[&bx(b"ftyp", b"qt  \0\0\0\0"), &moov]);
        let clean = patched(&file, &isobmff_patches_in(&file).unwrap());
        assert!(!contains(&clean, b"+40.1792"));
        assert!(contains(&clean, b"free"));
    }

    #[test]
    fn track_level_user_data_becomes_free_space() {
        let udta = find(MOV, &[b"moov", b"trak", b"udta"]).unwrap();
        let clean = patched(MOV, &isobmff_patches_in(MOV).unwrap());
        assert_eq!(&clean[udta.start + 4..udta.body], b"free");
    }

    #[test]
    fn streaming_and_whole_file_cleaning_agree() {
        for fixture in [MP4, MOV, HEIC, AVIF] {
            let len = to_u64(fixture.len());
            let mut patches = Vec::new();
            let mut pos = 0u64;
            while pos < len {
                let at = usize::try_from(pos).unwrap();
                let head = &fixture[at..(at + 16).min(fixture.len())];
                let header = box_header(head, pos, len).unwrap();
                if wants_box(header.kind) {
                    let end = usize::try_from(header.offset + header.size).unwrap();
                    patches.extend(isobmff_patches(&header, &fixture[at..end]));
                }
                pos += header.size;
            }
            patches.sort_by_key(|p| p.offset);
            assert_eq!(Some(patches), isobmff_patches_in(fixture));
        }
    }

    /// A movie with one timed-metadata track (GoPro's `gpmd`) of three
    /// samples in two chunks, placed in `mdat` after it, and the whole file.
    fn movie_with_metadata_track(co64: bool) -> Vec<u8> {
        let ftyp = bx(b"ftyp", b"qt  \0\0\0\0qt  ");
        let build = |mdat_body_at: u64| {
            let hdlr = full(b"hdlr", 0, &cat(&[b"mhlr", b"meta", &[0; 12], b"\0"]));
            let stsd = full(
                b"stsd",
                0,
                &cat(&[&1u32.to_be_bytes(), &bx(b"gpmd", &[0; 8])]),
            );
            let stsz = full(
                b"stsz",
                0,
                &cat(&[
                    &0u32.to_be_bytes(),
                    &3u32.to_be_bytes(),
                    &3u32.to_be_bytes(),
                    &4u32.to_be_bytes(),
                    &5u32.to_be_bytes(),
                ]),
            );
            let stsc = full(
                b"stsc",
                0,
                &cat(&[
                    &2u32.to_be_bytes(),
                    &1u32.to_be_bytes(),
                    &2u32.to_be_bytes(),
                    &1u32.to_be_bytes(),
                    &2u32.to_be_bytes(),
                    &1u32.to_be_bytes(),
                    &1u32.to_be_bytes(),
                ]),
            );
            // Chunk 1 holds samples 1 and 2 (3 + 4 bytes), chunk 2 sample 3
            // (5 bytes) after 6 bytes of video.
            let offsets = [mdat_body_at, mdat_body_at + 13];
            let stco = if co64 {
                full(
                    b"co64",
                    0,
                    &cat(&[
                        &2u32.to_be_bytes(),
                        &offsets[0].to_be_bytes(),
                        &offsets[1].to_be_bytes(),
                    ]),
                )
            } else {
                let o: Vec<u8> = offsets
                    .iter()
                    .flat_map(|o| u32::try_from(*o).unwrap().to_be_bytes())
                    .collect();
                full(b"stco", 0, &cat(&[&2u32.to_be_bytes(), &o]))
            };
            let stbl = bx(b"stbl", &cat(&[&stsd, &stsz, &stsc, &stco]));
            let minf = bx(b"minf", &stbl);
            let mdia = bx(b"mdia", &cat(&[&hdlr, &minf]));
            bx(b"moov", &bx(b"trak", &mdia))
        };
        let moov_len = to_u64(build(0).len());
        let moov = build(to_u64(ftyp.len()) + moov_len + 8);
        let mdat = bx(b"mdat", b"GPSlat+40.1VIDEO!GPS:E");
        cat(&[&ftyp, &moov, &mdat])
    }

    #[test]
    fn timed_metadata_samples_are_zeroed() {
        for co64 in [false, true] {
            let file = movie_with_metadata_track(co64);
            let clean = patched(&file, &isobmff_patches_in(&file).unwrap());
            let mdat = find(&clean, &[b"mdat"]).unwrap();
            let mut expected = b"GPSlat+40.1VIDEO!GPS:E".to_vec();
            expected[..7].fill(0);
            expected[13..18].fill(0);
            assert_eq!(&clean[mdat.body..mdat.end], &expected[..], "co64: {co64}");
        }
    }

    #[test]
    fn top_level_xmp_uuid_and_user_data_become_free_space() {
        let xmp = bx(b"uuid", &cat(&[&XMP_UUID, b"<x:xmpmeta>GPS</x:xmpmeta>"]));
        let other = bx(b"uuid", &cat(&[&[1; 16], b"keep"]));
        let udta = bx(b"udta", &bx(b"\xA9xyz", b"+40.1792+044.4991/"));
        let file = cat(&[&bx(b"ftyp", b"mp42\0\0\0\0"), &xmp, &other, &udta]);
        let clean = patched(&file, &isobmff_patches_in(&file).unwrap());
        assert_eq!(clean.len(), file.len());
        assert!(!contains(&clean, b"xmpmeta") && !contains(&clean, b"+40.1792"));
        assert!(contains(&clean, b"keep"));
        assert_eq!(count(&clean, b"free"), 2);
    }

    #[test]
    fn leftovers_in_free_space_are_zeroed() {
        let old_moov = bx(b"udta", &bx(b"\xA9xyz", b"+40.1792+044.4991/"));
        let file = cat(&[
            &bx(b"ftyp", b"qt  \0\0\0\0"),
            &bx(b"free", &old_moov),
            &bx(b"skip", &[0; 8]),
            &bx(b"mdat", b"data"),
        ]);
        let patches = isobmff_patches_in(&file).unwrap();
        assert_eq!(patches.len(), 1, "space that is zero already is left alone");
        let clean = patched(&file, &patches);
        assert!(!contains(&clean, b"+40.1792") && contains(&clean, b"free"));
    }

    #[test]
    fn meta_that_is_not_an_image_becomes_free_space() {
        // QuickTime style (no version and flags) and ISO style.
        let keys = bx(b"keys", b"com.apple.quicktime.location.ISO6709");
        let quicktime = bx(
            b"meta",
            &cat(&[&bx(b"hdlr", &cat(&[&[0; 8], b"mdta", &[0; 12]])), &keys]),
        );
        let iso = full(
            b"meta",
            0,
            &cat(&[
                &full(b"hdlr", 0, &cat(&[&[0; 4], b"mdir", &[0; 13]])),
                &keys,
            ]),
        );
        for meta in [quicktime, iso] {
            let header = box_header(&meta, 0, to_u64(meta.len())).unwrap();
            let clean = patched(&meta, &isobmff_patches(&header, &meta));
            assert_eq!(&clean[4..8], b"free");
            assert!(!contains(&clean, b"location"));
        }
    }

    #[test]
    fn box_headers_read_every_size_form() {
        let h = box_header(b"\0\0\0\x10moov", 0, 100).unwrap();
        assert_eq!((h.kind, h.header_len, h.size), (*b"moov", 8, 16));
        let large = cat(&[b"\0\0\0\x01mdat", &40u64.to_be_bytes()]);
        let h = box_header(&large, 60, 100).unwrap();
        assert_eq!(
            (h.kind, h.offset, h.header_len, h.size),
            (*b"mdat", 60, 16, 40)
        );
        let h = box_header(b"\0\0\0\0mdat", 30, 100).unwrap();
        assert_eq!((h.header_len, h.size), (8, 70));
        assert_eq!(
            box_header(b"\0\0\0\x07free", 0, 100),
            None,
            "smaller than its header"
        );
        assert_eq!(box_header(b"\0\0\0\x10moov", 90, 100), None, "past the end");
        assert_eq!(box_header(&large[..12], 0, 100), None, "largesize cut off");
        assert_eq!(
            box_header(b"\0\0\0\x01mdat\0\0\0\0\0\0\0\x08", 0, 100),
            None
        );
        assert_eq!(box_header(b"\0\0\0\0mdat", 96, 100), None);
        assert_eq!(box_header(b"\0\0", 0, 100), None);
    }

    #[test]
    fn only_index_and_metadata_boxes_are_wanted() {
        for kind in [b"moov", b"meta", b"uuid", b"udta", b"free", b"skip"] {
            assert!(wants_box(*kind));
        }
        for kind in [b"mdat", b"ftyp", b"moof", b"wide"] {
            assert!(!wants_box(*kind));
        }
    }

    #[test]
    fn iso_files_that_cannot_be_read_are_refused() {
        assert_eq!(isobmff_patches_in(b""), None);
        assert_eq!(isobmff_patches_in(JPEG), None);
        assert_eq!(isobmff_patches_in(TIFF_LE), None);
        assert_eq!(
            isobmff_patches_in(&MP4[..MP4.len() - 1]),
            None,
            "mdat runs past the end"
        );
        assert_eq!(
            isobmff_patches_in(&cat(&[MP4, b"junk"])),
            None,
            "bytes after the last box"
        );
    }

    #[test]
    fn zeroing_without_the_file_length_is_bounded() {
        // An EXIF item that claims 4 GiB in the file.
        let hdlr = full(b"hdlr", 0, &cat(&[&[0; 4], b"pict", &[0; 13]]));
        let infe = full(
            b"infe",
            2,
            &cat(&[&1u16.to_be_bytes(), &[0, 0], b"Exif", b"\0"]),
        );
        let iinf = full(b"iinf", 0, &cat(&[&1u16.to_be_bytes(), &infe]));
        let iloc = full(
            b"iloc",
            0,
            &cat(&[
                &[0x44, 0x00],
                &1u16.to_be_bytes(),
                &1u16.to_be_bytes(),
                &0u16.to_be_bytes(),
                &1u16.to_be_bytes(),
                &100u32.to_be_bytes(),
                &u32::MAX.to_be_bytes(),
            ]),
        );
        let meta = full(b"meta", 0, &cat(&[&hdlr, &iinf, &iloc]));
        let header = box_header(&meta, 0, to_u64(meta.len())).unwrap();
        let total: u64 = isobmff_patches(&header, &meta)
            .iter()
            .map(|p| to_u64(p.bytes.len()))
            .sum();
        assert_eq!(total, OUTSIDE_CAP + to_u64(meta.len()));
        // With the length known, the item is zeroed to the end of the file;
        // it does not fit there, so no empty EXIF is written in its place.
        let patches = isobmff_patches_for_file(&header, &meta, 1000);
        assert_eq!(
            patches
                .iter()
                .map(|p| (p.offset, p.bytes.len()))
                .collect::<Vec<_>>(),
            [(100, 900)]
        );
    }

    #[test]
    fn patches_past_the_end_are_clipped() {
        let mut bytes = *b"abcdef";
        apply(
            &mut bytes,
            &[
                Patch {
                    offset: 4,
                    bytes: b"XYZ".to_vec(),
                },
                Patch {
                    offset: 9,
                    bytes: b"Q".to_vec(),
                },
                Patch {
                    offset: u64::MAX,
                    bytes: b"Q".to_vec(),
                },
                Patch {
                    offset: 0,
                    bytes: Vec::new(),
                },
            ],
        );
        assert_eq!(&bytes, b"abcdXY");
    }

    /// A small deterministic generator for the damage below.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            usize::try_from(self.next() % to_u64(n)).unwrap()
        }
    }

    /// Runs every entry point on `bytes`; the test passes if none panics.
    fn run_everything(bytes: &[u8]) {
        let _ = clean_jpeg(bytes);
        if let Some(p) = tiff_patches(bytes) {
            patched(bytes, &p);
        }
        if let Some(p) = isobmff_patches_in(bytes) {
            patched(bytes, &p);
        }
        // Streaming callers see each top-level box on its own, and without
        // the file length.
        let len = to_u64(bytes.len());
        let mut pos = 0usize;
        while let Some(h) = bytes
            .get(pos..)
            .and_then(|head| box_header(head, to_u64(pos), len))
        {
            let end = usize::try_from(h.offset + h.size).unwrap();
            let _ = isobmff_patches(&h, &bytes[pos..end]);
            if end == pos {
                break;
            }
            pos = end;
        }
    }

    #[test]
    fn damaged_files_never_panic() {
        let mut rng = XorShift(0x5EED_1234_ABCD_0001);
        for fixture in FIXTURES
            .iter()
            .copied()
            .chain([&movie_with_metadata_track(false)[..], &heif_meta(2, 0)])
        {
            for len in (0..fixture.len())
                .step_by(7)
                .chain(0..64.min(fixture.len()))
            {
                run_everything(&fixture[..len]);
            }
            for _ in 0..600 {
                let mut damaged = fixture.to_vec();
                for _ in 0..1 + rng.below(3) {
                    let at = rng.below(damaged.len());
                    match rng.below(3) {
                        0 => damaged[at] ^= 1 << rng.below(8),
                        1 => damaged[at] = 0xFF,
                        _ => damaged[at] = 0,
                    }
                }
                run_everything(&damaged);
            }
        }
    }
}
