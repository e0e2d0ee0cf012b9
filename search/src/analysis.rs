//! Language analysis shared by both engines: how a text becomes the words
//! an index keeps, and how a query becomes the forms it looks for.
//!
//! A word is kept in three forms:
//! - *plain*: lower-cased, with diacritics folded (`ё` → `е`, `ş` → `s`,
//!   `ā` → `a`), in its own script;
//! - *stem*: the Snowball stem for the document's language, where one
//!   exists (Russian, English, Romanian, Armenian, Estonian, Lithuanian,
//!   Turkish and the others listed in [`stemmer_for`]);
//! - *skeleton*: a coarse Latin spelling shared by the Cyrillic and Latin
//!   alphabets of Kazakh, Uzbek and Azerbaijani, so that `мектеп` and
//!   `mektep`, `ўқитувчи` and `o‘qituvchi` meet.
//!
//! Queries add typo tolerance (1 edit from 5 letters, 2 from 9), a prefix
//! for the last word (search as you type), an ending-insensitive prefix for
//! languages without a stemmer, and quoted phrases. Nothing here knows an
//! engine; nothing here decides who may see what.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use frostem::{Algorithm, Stemmer};
use tantivy::tokenizer::{Language, RawTokenizer, StopWordFilter, TextAnalyzer};

/// Words longer than this (in characters) are cut to it, never dropped.
pub const MAX_WORD_CHARS: usize = 64;

/// Writing systems we treat differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Script {
    Latin,
    Cyrillic,
    Armenian,
    Greek,
    Other,
}

fn script_of_char(c: char) -> Option<Script> {
    if !c.is_alphabetic() {
        return None;
    }
    Some(match c as u32 {
        0x0041..=0x024F | 0x1E00..=0x1EFF | 0x0250..=0x02AF => Script::Latin,
        0x0400..=0x052F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => Script::Cyrillic,
        0x0530..=0x058F | 0xFB13..=0xFB17 => Script::Armenian,
        0x0370..=0x03FF | 0x1F00..=0x1FFF => Script::Greek,
        _ => Script::Other,
    })
}

/// The script of a word: that of its first letter.
pub fn script_of(word: &str) -> Script {
    word.chars()
        .find_map(script_of_char)
        .unwrap_or(Script::Other)
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{02BB}' | '\u{02BC}' | '\u{2018}' | '`' | '\u{02B9}'
    )
}

fn is_word_char(c: char) -> bool {
    // The common letters first: Unicode's tables are slow to consult.
    c.is_ascii_alphanumeric()
        || matches!(c, '\u{0400}'..='\u{0481}' | '\u{048A}'..='\u{052F}')
        || (!c.is_ascii()
            && (c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c)))
}

/// A word of a text, with where it is (byte offsets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word<'a> {
    pub text: &'a str,
    pub start: usize,
    pub end: usize,
}

/// The words of a text: runs of letters, digits and combining marks; an
/// apostrophe between two letters belongs to the word (`o‘qituvchi`,
/// `don't`).
pub fn words(text: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if is_word_char(c) {
            if start.is_none() {
                start = Some(i);
            }
            continue;
        }
        if let Some(s) = start {
            let inside = is_apostrophe(c) && chars.peek().is_some_and(|&(_, n)| n.is_alphabetic());
            if inside {
                continue;
            }
            out.push(Word {
                text: &text[s..i],
                start: s,
                end: i,
            });
            start = None;
        }
    }
    if let Some(s) = start {
        out.push(Word {
            text: &text[s..],
            start: s,
            end: text.len(),
        });
    }
    out
}

/// Lower-cases a word, drops apostrophes and cuts it to [`MAX_WORD_CHARS`].
pub fn lower(word: &str) -> String {
    word.chars()
        .filter(|c| !is_apostrophe(*c))
        .flat_map(char::to_lowercase)
        .take(MAX_WORD_CHARS)
        .collect()
}

/// Folds a lower-cased word: Latin and Greek letters lose their diacritics
/// (`ş` → `s`, `ā` → `a`, `ı` → `i`, `ə` → `e`), Cyrillic letters lose
/// diaeresis and macron (`ё` → `е`, `ї` → `і`, `ӯ` → `у`) but keep the
/// breve that makes `й` and `ў` letters of their own.
pub fn fold(lowered: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::with_capacity(lowered.len());
    for c in lowered.chars() {
        match c {
            'ı' => out.push('i'),
            'ə' => out.push('e'),
            'ø' => out.push('o'),
            'ß' => out.push_str("ss"),
            'đ' | 'ð' => out.push('d'),
            'ł' => out.push('l'),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'þ' => out.push_str("th"),
            'ŋ' => out.push('n'),
            c if c.is_ascii() => out.push(c),
            // Basic Cyrillic (а–я, й included) and Armenian letters have
            // nothing to fold.
            'а'..='я' | '\u{0561}'..='\u{0587}' => out.push(c),
            // A lone mark left by lower-casing (İ → i + dot) goes with a
            // Latin letter.
            c if unicode_normalization::char::is_combining_mark(c) => {
                let after_latin = out
                    .chars()
                    .last()
                    .is_some_and(|p| p.is_ascii() || script_of_char(p) == Some(Script::Latin));
                if !after_latin {
                    out.push(c);
                }
            }
            c => {
                let script = script_of_char(c);
                let mut buf = [c; 1].into_iter().nfd().peekable();
                let base = buf.next().unwrap_or(c);
                let marks: Vec<char> = buf.collect();
                if marks.is_empty() {
                    out.push(c);
                    continue;
                }
                match script {
                    Some(Script::Latin) | Some(Script::Greek) => out.push(base),
                    // Keep letters made with a breve (й, ў); drop diaeresis
                    // and macron (ё, ї, ӯ).
                    Some(Script::Cyrillic)
                        if marks.iter().all(|m| matches!(m, '\u{0308}' | '\u{0304}')) =>
                    {
                        out.push(base)
                    }
                    _ => out.push(c),
                }
            }
        }
    }
    out
}

/// The plain form of a word: lower-cased and folded.
pub fn plain(word: &str) -> String {
    fold(&lower(word))
}

/// The Snowball stemmer for a language (its BCP 47 primary subtag), if
/// there is one, with the script it applies to.
pub fn stemmer_for(language: &str) -> Option<(Script, Algorithm)> {
    let primary = language
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    Some(match primary.as_str() {
        "ru" => (Script::Cyrillic, Algorithm::Russian),
        "en" => (Script::Latin, Algorithm::English),
        "ro" | "mo" => (Script::Latin, Algorithm::Romanian),
        "tr" => (Script::Latin, Algorithm::Turkish),
        "hy" => (Script::Armenian, Algorithm::Armenian),
        "et" => (Script::Latin, Algorithm::Estonian),
        "lt" => (Script::Latin, Algorithm::Lithuanian),
        "de" => (Script::Latin, Algorithm::German),
        "fr" => (Script::Latin, Algorithm::French),
        "es" => (Script::Latin, Algorithm::Spanish),
        "it" => (Script::Latin, Algorithm::Italian),
        "pt" => (Script::Latin, Algorithm::Portuguese),
        "nl" => (Script::Latin, Algorithm::Dutch),
        "sv" => (Script::Latin, Algorithm::Swedish),
        "da" => (Script::Latin, Algorithm::Danish),
        "no" | "nb" | "nn" => (Script::Latin, Algorithm::Norwegian),
        "fi" => (Script::Latin, Algorithm::Finnish),
        "hu" => (Script::Latin, Algorithm::Hungarian),
        "pl" => (Script::Latin, Algorithm::Polish),
        "cs" => (Script::Latin, Algorithm::Czech),
        "el" => (Script::Greek, Algorithm::Greek),
        _ => return None,
    })
}

/// Languages written in both Cyrillic and Latin letters, whose documents
/// also keep the skeleton form.
fn two_scripts(language: &str) -> bool {
    let primary = language.split(['-', '_']).next().unwrap_or("");
    matches!(
        primary.to_ascii_lowercase().as_str(),
        "kk" | "uz" | "az" | "tk" | "ky" | "tt" | "ba"
    )
}

/// How the words of one document are analysed, from its languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    stemmers: Vec<(Script, Algorithm)>,
    skeleton: bool,
}

impl Profile {
    /// A document without a known language is read as Russian and English,
    /// and keeps skeletons, since it could be in any language of the network.
    pub fn for_languages<S: AsRef<str>>(languages: &[S]) -> Profile {
        if languages.is_empty() {
            return Profile {
                stemmers: vec![
                    (Script::Cyrillic, Algorithm::Russian),
                    (Script::Latin, Algorithm::English),
                ],
                skeleton: true,
            };
        }
        let mut stemmers = Vec::new();
        let mut skeleton = false;
        for l in languages {
            let l = l.as_ref();
            if let Some(s) = stemmer_for(l)
                && !stemmers.contains(&s)
            {
                stemmers.push(s);
            }
            skeleton |= two_scripts(l);
        }
        Profile { stemmers, skeleton }
    }

    /// The stems of a lower-cased word: one per stemmer of the document's
    /// languages that handles the word's script.
    pub fn stems(&self, lowered: &str) -> Vec<String> {
        let script = script_of(lowered);
        let mut out: Vec<String> = Vec::new();
        for (s, a) in &self.stemmers {
            if *s == script {
                let stem = fold(&Stemmer::new(*a).stem(lowered));
                if !stem.is_empty() && !out.contains(&stem) {
                    out.push(stem);
                }
            }
        }
        out
    }

    pub fn keeps_skeleton(&self) -> bool {
        self.skeleton
    }
}

/// A word as an index keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    /// The word's position in its field (for phrases).
    pub position: usize,
    /// Byte offsets in the original text.
    pub start: usize,
    pub end: usize,
}

/// The three forms of a text's words.
#[derive(Debug, Default, Clone)]
pub struct Analysed {
    pub plain: Vec<Token>,
    pub stems: Vec<Token>,
    pub skeletons: Vec<Token>,
}

/// Analyses a text for the index; positions start at `first_position`.
pub fn analyse(text: &str, profile: &Profile, first_position: usize) -> Analysed {
    let mut out = Analysed::default();
    for (i, w) in words(text).into_iter().enumerate() {
        let position = first_position + i;
        let lowered = lower(w.text);
        let token = |text: String| Token {
            text,
            position,
            start: w.start,
            end: w.end,
        };
        for s in profile.stems(&lowered) {
            out.stems.push(token(s));
        }
        if profile.skeleton {
            let sk = skeleton(&lowered);
            if !sk.is_empty() {
                out.skeletons.push(token(sk));
            }
        }
        out.plain.push(token(fold(&lowered)));
    }
    out
}

/// A coarse Latin spelling of a lower-cased word, the same for the Cyrillic
/// and Latin alphabets of Kazakh, Uzbek and Azerbaijani: `мектеп` and
/// `mektep` → `mektep`, `ўқитувчи` and `o‘qituvchi` → `oqituvchi`,
/// `шаҳар` and `shahar` → `shahar`. Deliberately lossy (`y` and `i`, `x`
/// and `h` meet) since it only adds recall.
pub fn skeleton(lowered: &str) -> String {
    let mut out = String::with_capacity(lowered.len() + 4);
    let mut chars = lowered.chars().peekable();
    while let Some(c) = chars.next() {
        let s: &str = match c {
            // Cyrillic
            'а' | 'ә' | 'ӓ' => "a",
            'б' => "b",
            'в' => "v",
            'г' | 'ғ' | 'ҝ' | 'ґ' => "g",
            'д' => "d",
            'е' | 'э' | 'є' => "e",
            'ё' => "io",
            'ж' | 'ҷ' | 'ҹ' | 'џ' => "j",
            'з' => "z",
            'и' | 'й' | 'і' | 'ї' | 'ј' | 'ы' | 'ӣ' => "i",
            'к' => "k",
            'қ' => "q",
            'л' => "l",
            'м' => "m",
            'н' | 'ң' => "n",
            'о' | 'ө' | 'ў' | 'ӧ' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' | 'ұ' | 'ү' | 'ӯ' | 'ӱ' => "u",
            'ф' => "f",
            'х' | 'ҳ' | 'һ' => "h",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ъ' | 'ь' => "",
            'ю' => "iu",
            'я' => "ia",
            // Latin letters of the Turkic alphabets
            'ä' | 'ə' | 'â' => "a",
            'ç' => "ch",
            'ğ' => "g",
            'ı' | 'y' | 'í' | 'ì' | 'î' => "i",
            'ñ' => "n",
            'ö' | 'ó' | 'ô' => "o",
            'ş' | 'ș' => "sh",
            'ü' | 'ū' | 'ú' | 'û' => "u",
            'x' => "h",
            'c' if chars.peek() == Some(&'h') => {
                chars.next();
                "ch"
            }
            'c' => "j",
            'w' => "v",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            c if is_apostrophe(c) => "",
            c => {
                // Other letters: their folded form, if Latin.
                let f = fold(&c.to_string());
                if f.chars().all(|x| x.is_ascii_alphanumeric()) {
                    out.push_str(&f);
                }
                continue;
            }
        };
        out.push_str(s);
    }
    // Doubled letters of one spelling are single in the other (ш → sh, ş → sh).
    let mut dedup = String::with_capacity(out.len());
    for c in out.chars() {
        if !dedup.ends_with(c) || c.is_ascii_digit() {
            dedup.push(c);
        }
    }
    dedup
}

/// How many edits a query word may be away from a word it finds: none
/// below 5 letters, 1 from 5, 2 from 9.
pub fn typo_budget(chars: usize) -> u8 {
    match chars {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// The prefix of a plain query word that finds its other endings, for
/// languages without a stemmer: the word less its last 1–3 letters, never
/// shorter than 4 letters.
pub fn ending_prefix(plain: &str) -> Option<String> {
    let n = plain.chars().count();
    let cut = match n {
        0..=4 => return None,
        5 => 1,
        6 | 7 => 2,
        _ => 3,
    };
    Some(plain.chars().take(n - cut).collect())
}

static STOP_WORDS: LazyLock<Vec<TextAnalyzer>> = LazyLock::new(|| {
    [
        Language::Russian,
        Language::English,
        Language::German,
        Language::French,
        Language::Spanish,
        Language::Italian,
        Language::Portuguese,
    ]
    .into_iter()
    .filter_map(StopWordFilter::new)
    .map(|f| {
        TextAnalyzer::builder(RawTokenizer::default())
            .filter(f)
            .build()
    })
    .collect()
});

/// Whether a lower-cased word is a stop word of a language we know the
/// stop words of; a query does not require those.
pub fn is_stop_word(lowered: &str) -> bool {
    STOP_WORDS.iter().any(|a| {
        let mut a = a.clone();
        let mut stream = a.token_stream(lowered);
        !stream.advance()
    })
}

/// One word of a query, in every form that can find it.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryWord {
    pub original: String,
    pub plain: String,
    /// Stems by every stemmer for the word's script, without repeats.
    pub stems: Vec<String>,
    pub skeleton: String,
    pub typos: u8,
    /// For words of 5 letters or more: see [`ending_prefix`].
    pub ending_prefix: Option<String>,
    /// The last word of a query typed so far: also found as a prefix.
    pub prefix: bool,
    /// A stop word: found if present, not required.
    pub optional: bool,
}

/// A parsed query: words and quoted phrases.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    pub words: Vec<QueryWord>,
    /// Each phrase as its plain words.
    pub phrases: Vec<Vec<String>>,
}

impl Query {
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.phrases.is_empty()
    }

    /// Every plain form the query names, for highlighting.
    pub fn plain_forms(&self) -> BTreeSet<String> {
        let mut s: BTreeSet<String> = self.words.iter().map(|w| w.plain.clone()).collect();
        for p in &self.phrases {
            s.extend(p.iter().cloned());
        }
        s
    }
}

/// Every stemmer a query word may need: those of the network's languages
/// and the other languages [`stemmer_for`] knows.
const QUERY_STEMMERS: &[&str] = &[
    "ru", "en", "ro", "tr", "hy", "et", "lt", "de", "fr", "es", "it", "pt", "nl", "sv", "da", "no",
    "fi", "hu", "pl", "cs", "el",
];

static ALL_STEMMERS: LazyLock<Profile> = LazyLock::new(|| Profile::for_languages(QUERY_STEMMERS));

fn query_word(original: &str, prefix: bool) -> Option<QueryWord> {
    let lowered = lower(original);
    let plain = fold(&lowered);
    if plain.is_empty() {
        return None;
    }
    let n = plain.chars().count();
    Some(QueryWord {
        original: original.to_owned(),
        stems: ALL_STEMMERS.stems(&lowered),
        skeleton: skeleton(&lowered),
        typos: typo_budget(n),
        ending_prefix: ending_prefix(&plain),
        prefix,
        optional: is_stop_word(&lowered),
        plain,
    })
}

fn is_quote(c: char) -> bool {
    matches!(
        c,
        '"' | '«' | '»' | '„' | '“' | '”' | '\u{201F}' | '\u{2033}'
    )
}

/// Parses what someone typed: quoted parts are phrases, the rest words; the
/// last word is a prefix unless the query ends with a space or a quote.
/// Stops after 32 words, so a pasted page cannot make a huge query.
pub fn parse_query(text: &str) -> Query {
    parse_query_with_prefix(text, true)
}

/// As [`parse_query`]; with `prefix` false, no word is a prefix.
pub fn parse_query_with_prefix(text: &str, prefix: bool) -> Query {
    let mut q = Query::default();
    let mut free = String::new();
    let mut phrase = String::new();
    let mut in_phrase = false;
    for c in text.chars() {
        if is_quote(c) {
            if in_phrase {
                let ws: Vec<String> = words(&phrase)
                    .iter()
                    .map(|w| plain(w.text))
                    .filter(|w| !w.is_empty())
                    .collect();
                if !ws.is_empty() {
                    q.phrases.push(ws);
                }
                phrase.clear();
            }
            in_phrase = !in_phrase;
            free.push(' ');
            continue;
        }
        if in_phrase {
            phrase.push(c);
        } else {
            free.push(c);
        }
    }
    if in_phrase {
        // An unclosed quote: its words count as ordinary words.
        free.push(' ');
        free.push_str(&phrase);
    }
    let ends_open = text
        .chars()
        .last()
        .is_some_and(|c| !c.is_whitespace() && !is_quote(c))
        && !in_phrase
        && prefix;
    let ws = words(&free);
    let count = ws.len().min(32);
    for (i, w) in ws.iter().take(count).enumerate() {
        let last = i + 1 == count && ends_open && count == ws.len();
        if let Some(qw) = query_word(w.text, last) {
            if q.words
                .iter()
                .any(|x| x.plain == qw.plain && x.prefix == qw.prefix)
            {
                continue;
            }
            q.words.push(qw);
        }
    }
    q.phrases.truncate(8);
    q
}

/// Optimal string alignment distance (edits with adjacent swaps counting one), in characters.
pub fn edits(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}

/// Whether two words are at most `budget` edits apart; the length
/// difference alone rules most pairs out before any counting.
fn within(a: &str, b: &str, budget: u8) -> bool {
    let (la, lb) = (a.chars().count(), b.chars().count());
    la.abs_diff(lb) <= budget as usize && edits(a, b) <= budget as usize
}

/// One word of a document, its stems and skeleton worked out only when a
/// cheaper form has not already answered.
pub struct DocWord<'a> {
    lowered: String,
    plain: String,
    profile: &'a Profile,
    stems: Option<Vec<String>>,
    skeleton: Option<String>,
}

impl<'a> DocWord<'a> {
    pub fn new(word: &str, profile: &'a Profile) -> DocWord<'a> {
        let lowered = lower(word);
        let plain = fold(&lowered);
        DocWord {
            lowered,
            plain,
            profile,
            stems: None,
            skeleton: None,
        }
    }

    pub fn plain(&self) -> &str {
        &self.plain
    }

    /// Whether the word answers a query word, by the rules the engines apply.
    pub fn matches(&mut self, q: &QueryWord) -> bool {
        let p = self.plain.as_str();
        if p == q.plain
            || (q.prefix && q.plain.chars().count() >= 2 && p.starts_with(&q.plain))
            || q.ending_prefix.as_deref().is_some_and(|e| p.starts_with(e))
            || (q.typos > 0 && within(p, &q.plain, q.typos))
        {
            return true;
        }
        // A stem begins like its word: only words sharing a start with one
        // of the query's stems are stemmed.
        let near = |s: &String| {
            let head: String = s.chars().take(3).collect();
            p.starts_with(&head)
        };
        if q.stems.iter().any(near) {
            let stems = self
                .stems
                .get_or_insert_with(|| self.profile.stems(&self.lowered));
            if stems.iter().any(|s| q.stems.contains(s)) {
                return true;
            }
        }
        if self.profile.keeps_skeleton() && !q.skeleton.is_empty() {
            let sk = self.skeleton.get_or_insert_with(|| skeleton(&self.lowered));
            return *sk == q.skeleton
                || (q.typos > 0 && within(sk, &q.skeleton, q.typos))
                || (q.prefix && q.skeleton.len() >= 2 && sk.starts_with(&q.skeleton));
        }
        false
    }
}

/// Builds highlighted snippets from stored text.
pub mod highlight {
    use super::{BTreeSet, DocWord, Profile, Query, words};

    /// Characters around matches in a text snippet.
    pub const SNIPPET_CHARS: usize = 200;

    fn escape_into(out: &mut String, s: &str) {
        for c in s.chars() {
            match c {
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '&' => out.push_str("&amp;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                c if c.is_control() && c != '\n' && c != '\t' => out.push(' '),
                c => out.push(c),
            }
        }
    }

    /// The byte ranges of a text's words that the query finds.
    pub fn matches(text: &str, profile: &Profile, query: &Query) -> Vec<(usize, usize)> {
        if query.is_empty() {
            return vec![];
        }
        let phrase_words: BTreeSet<&str> = query
            .phrases
            .iter()
            .flat_map(|p| p.iter().map(String::as_str))
            .collect();
        let mut out = Vec::new();
        for w in words(text) {
            let mut dw = DocWord::new(w.text, profile);
            let hit =
                phrase_words.contains(dw.plain()) || query.words.iter().any(|q| dw.matches(q));
            if hit {
                out.push((w.start, w.end));
            }
        }
        out
    }

    /// The whole text, escaped, with the matched words in `<mark>`;
    /// `None` when nothing matched.
    pub fn whole(text: &str, profile: &Profile, query: &Query) -> Option<String> {
        let m = matches(text, profile, query);
        if m.is_empty() {
            return None;
        }
        Some(render(text, &m, 0, text.len()))
    }

    fn render(text: &str, marks: &[(usize, usize)], from: usize, to: usize) -> String {
        let mut out = String::with_capacity(to - from + 32);
        let mut at = from;
        for &(s, e) in marks.iter().filter(|(s, e)| *s >= from && *e <= to) {
            escape_into(&mut out, &text[at..s]);
            out.push_str("<mark>");
            escape_into(&mut out, &text[s..e]);
            out.push_str("</mark>");
            at = e;
        }
        escape_into(&mut out, &text[at..to]);
        out
    }

    /// A window of about [`SNIPPET_CHARS`] characters holding the most
    /// matches, escaped, matches in `<mark>`, cut ends shown as `…`;
    /// `None` when nothing matched.
    pub fn snippet(text: &str, profile: &Profile, query: &Query) -> Option<String> {
        let m = matches(text, profile, query);
        if m.is_empty() {
            return None;
        }
        // The window starting at each match that holds the most matches.
        let mut best = (0usize, 0usize);
        for (i, &(s, _)) in m.iter().enumerate() {
            let limit = s + SNIPPET_CHARS * 2; // bytes: Cyrillic letters are two
            let n = m[i..].iter().take_while(|(_, e)| *e <= limit).count();
            if n > best.1 {
                best = (i, n);
            }
        }
        let first = m[best.0].0;
        // Start a little before the first match, at a word boundary.
        let mut from = text[..first]
            .char_indices()
            .rev()
            .take(40)
            .last()
            .map_or(first, |(i, _)| i);
        if from > 0 {
            from = text[from..first].find(' ').map_or(from, |k| from + k + 1);
        }
        let mut to = text[from..]
            .char_indices()
            .nth(SNIPPET_CHARS)
            .map_or(text.len(), |(i, _)| from + i);
        if to < text.len() {
            to = text[..to].rfind(' ').filter(|&k| k > first).unwrap_or(to);
        }
        let mut out = String::new();
        if from > 0 {
            out.push('…');
        }
        out.push_str(render(text, &m, from, to).trim());
        if to < text.len() {
            out.push('…');
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_inner_apostrophes_and_split_on_the_rest() {
        let ws: Vec<&str> = words("O‘qituvchi, don't — экология-9б!")
            .iter()
            .map(|w| w.text)
            .collect();
        assert_eq!(ws, ["O‘qituvchi", "don't", "экология", "9б"]);
        assert!(words("  ,, ").is_empty());
    }

    #[test]
    fn folding_drops_diacritics_but_keeps_letters_of_their_own() {
        assert_eq!(plain("Ёлка"), "елка");
        assert_eq!(plain("Їжак"), "іжак");
        assert_eq!(plain("йод"), "йод");
        assert_eq!(plain("ўқитувчи"), "ўқитувчи");
        assert_eq!(plain("Şəhər"), "seher");
        assert_eq!(plain("Skolotājs"), "skolotajs");
        assert_eq!(plain("Mokykloje"), "mokykloje");
        assert_eq!(plain("învățământ"), "invatamant");
        assert_eq!(plain("ISTANBUL"), "istanbul");
        assert_eq!(plain("İzmir"), "izmir");
        assert_eq!(plain("դպրոց"), "դպրոց");
    }

    #[test]
    fn long_cyrillic_words_are_kept() {
        let w = "человеконенавистничество"; // 24 letters
        let a = analyse(w, &Profile::for_languages(&["ru"]), 0);
        assert_eq!(a.plain[0].text, w);
        assert_eq!(a.stems.len(), 1);
    }

    #[test]
    fn stems_follow_the_documents_languages() {
        let ru = Profile::for_languages(&["ru"]);
        assert_eq!(ru.stems("экологические"), ru.stems("экологический"));
        assert!(ru.stems("ecology").is_empty());
        let ro = Profile::for_languages(&["ro"]);
        assert_eq!(ro.stems("profesorilor"), ro.stems("profesorul"));
        let lt = Profile::for_languages(&["lt"]);
        assert_eq!(lt.stems("mokyklos"), lt.stems("mokykla"));
        let hy = Profile::for_languages(&["hy"]);
        assert_eq!(hy.stems("ուսուցիչները"), hy.stems("ուսուցիչ"));
        assert!(Profile::for_languages(&["uk"]).stems("школа").is_empty());
        assert!(Profile::for_languages(&["kk"]).keeps_skeleton());
    }

    #[test]
    fn skeletons_meet_across_scripts() {
        for (cyr, lat) in [
            ("мектеп", "mektep"),
            ("ўқитувчи", "o‘qituvchi"),
            ("шаҳар", "shahar"),
            ("оқушы", "oquşy"),
            ("мактаб", "maktab"),
            ("мәктәб", "məktəb"),
            ("экология", "ekologiya"),
            ("жаңа", "jaña"),
            ("ғалаба", "g‘alaba"),
        ] {
            assert_eq!(
                skeleton(&lower(cyr)),
                skeleton(&lower(lat)),
                "{cyr} / {lat}"
            );
        }
        assert_ne!(skeleton("мектеп"), skeleton("мактаб"));
    }

    #[test]
    fn queries_have_words_phrases_and_a_typed_prefix() {
        let q = parse_query("экологический \"зелёная школа\" проект в шко");
        assert_eq!(
            q.phrases,
            vec![vec!["зеленая".to_string(), "школа".to_string()]]
        );
        let plains: Vec<&str> = q.words.iter().map(|w| w.plain.as_str()).collect();
        assert_eq!(plains, ["экологический", "проект", "в", "шко"]);
        assert!(q.words[3].prefix && !q.words[0].prefix);
        assert!(q.words[2].optional && !q.words[1].optional);
        assert_eq!(q.words[0].typos, 2);
        assert_eq!(q.words[1].typos, 1);
        assert!(!parse_query("проект ").words[0].prefix);
        assert!(parse_query("").is_empty());
        assert_eq!(parse_query(&"слово ".repeat(100)).words.len(), 1);
    }

    #[test]
    fn typo_budget_grows_with_length() {
        assert_eq!(typo_budget(4), 0);
        assert_eq!(typo_budget(5), 1);
        assert_eq!(typo_budget(8), 1);
        assert_eq!(typo_budget(9), 2);
        assert_eq!(ending_prefix("екологічного").as_deref(), Some("екологічн"));
        assert_eq!(ending_prefix("місто").as_deref(), Some("міст"));
        assert_eq!(ending_prefix("мост"), None);
    }

    #[test]
    fn snippets_escape_the_text_and_mark_what_was_found() {
        let profile = Profile::for_languages(&["ru"]);
        let q = parse_query("экологические проекты");
        let text = "<b>Школа</b> & экологический проект: дети сажают деревья.";
        let s = highlight::snippet(text, &profile, &q).unwrap();
        assert_eq!(
            s,
            "&lt;b&gt;Школа&lt;/b&gt; &amp; <mark>экологический</mark> <mark>проект</mark>: дети сажают деревья."
        );
        assert!(highlight::snippet("ничего общего", &profile, &q).is_none());
        let long = format!("{} экология {}", "слово ".repeat(200), "слово ".repeat(200));
        let s = highlight::snippet(&long, &profile, &parse_query("экология")).unwrap();
        assert!(
            s.starts_with('…') && s.ends_with('…') && s.contains("<mark>экология</mark>"),
            "{s}"
        );
        assert!(s.chars().count() < 260, "{}", s.chars().count());
    }
}
