//! Text every domain parses at its edge: trimmed single- and multi-line
//! text, language codes, texts in several languages, and file names.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::kernel::error::{Error, Result};

pub(crate) fn clean_text(
    field: &'static str,
    s: &str,
    max_chars: usize,
    multiline: bool,
) -> Result<String> {
    let s = s.trim();
    if s.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if s.chars().count() > max_chars {
        return Err(Error::invalid(
            field,
            format!("use at most {max_chars} characters"),
        ));
    }
    let bad = s
        .chars()
        .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t')));
    if bad {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(s.to_owned())
}

/// A language as an ISO 639 code (two or three lower-case letters), e.g. `ru`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LanguageCode(String);

impl LanguageCode {
    pub fn parse(s: &str) -> Result<Self> {
        let s = s.trim().to_ascii_lowercase();
        if (2..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase()) {
            Ok(LanguageCode(s))
        } else {
            Err(Error::invalid(
                "language",
                "use an ISO 639 language code such as en, ru or hy",
            ))
        }
    }

    pub fn from_trusted(s: String) -> Self {
        LanguageCode(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A list of languages without duplicates, at most 20.
pub fn parse_languages(list: &[String]) -> Result<Vec<LanguageCode>> {
    let mut out: Vec<LanguageCode> = Vec::new();
    for l in list {
        let l = LanguageCode::parse(l).map_err(|_| {
            Error::invalid(
                "languages",
                format!("'{l}' is not an ISO 639 language code"),
            )
        })?;
        if !out.contains(&l) {
            out.push(l);
        }
    }
    if out.len() > 20 {
        return Err(Error::invalid("languages", "list at most 20 languages"));
    }
    Ok(out)
}

/// A text in several languages with one default. Never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalizedText {
    default: LanguageCode,
    texts: BTreeMap<LanguageCode, String>,
}

impl LocalizedText {
    /// Parses `(language, text)` pairs; `default` must be one of them (the
    /// first pair's language when not given).
    pub fn parse(
        field: &'static str,
        pairs: &[(String, String)],
        default: Option<&str>,
        max_chars: usize,
        multiline: bool,
    ) -> Result<Self> {
        if pairs.is_empty() {
            return Err(Error::invalid(
                field,
                "give the text in at least one language",
            ));
        }
        if pairs.len() > 20 {
            return Err(Error::invalid(field, "give at most 20 languages"));
        }
        let mut texts = BTreeMap::new();
        for (lang, text) in pairs {
            let lang = LanguageCode::parse(lang).map_err(|_| {
                Error::invalid(field, format!("'{lang}' is not an ISO 639 language code"))
            })?;
            let text = clean_text(field, text, max_chars, multiline)?;
            if texts.insert(lang.clone(), text).is_some() {
                return Err(Error::invalid(
                    field,
                    format!("the language '{}' is given twice", lang.as_str()),
                ));
            }
        }
        let default = match default {
            Some(d) => {
                let d = LanguageCode::parse(d)?;
                if !texts.contains_key(&d) {
                    return Err(Error::invalid(
                        field,
                        "the default language must be one of the given languages",
                    ));
                }
                d
            }
            None => LanguageCode::parse(&pairs[0].0)?,
        };
        Ok(LocalizedText { default, texts })
    }

    /// For backends: stored texts were validated when written.
    pub fn from_trusted(default: String, texts: BTreeMap<String, String>) -> Self {
        LocalizedText {
            default: LanguageCode(default),
            texts: texts
                .into_iter()
                .map(|(k, v)| (LanguageCode(k), v))
                .collect(),
        }
    }

    pub fn default_language(&self) -> &LanguageCode {
        &self.default
    }

    /// The text in `language`, else in the default language.
    pub fn get(&self, language: Option<&str>) -> &str {
        language
            .and_then(|l| {
                self.texts
                    .iter()
                    .find(|(k, _)| k.as_str().eq_ignore_ascii_case(l))
            })
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| self.texts.get(&self.default).map_or("", |s| s.as_str()))
    }

    pub fn iter(&self) -> impl Iterator<Item = (&LanguageCode, &str)> {
        self.texts.iter().map(|(k, v)| (k, v.as_str()))
    }
}

/// A file name as given by the uploader: 1–200 characters, no path
/// separators or control characters, not `.` or `..`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileName(String);

impl FileName {
    pub fn parse(s: &str) -> Result<Self> {
        let s = clean_text("name", s, 200, false)?;
        if s.contains(['/', '\\']) || s == "." || s == ".." {
            return Err(Error::invalid(
                "name",
                "a file name must not contain '/' or '\\' or be '.' or '..'",
            ));
        }
        Ok(FileName(s))
    }

    pub fn from_trusted(s: String) -> Self {
        FileName(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localized_text_falls_back_to_its_default_language() {
        let t = LocalizedText::parse(
            "names",
            &[
                ("hy".into(), "Դպրոց".into()),
                ("en".into(), "School".into()),
            ],
            Some("en"),
            100,
            false,
        )
        .unwrap();
        assert_eq!(t.get(Some("HY")), "Դպրոց");
        assert_eq!(t.get(Some("fr")), "School");
        assert_eq!(t.get(None), "School");
        assert!(LocalizedText::parse("names", &[], None, 100, false).is_err());
        assert!(
            LocalizedText::parse(
                "names",
                &[("en".into(), "a".into())],
                Some("ru"),
                100,
                false
            )
            .is_err()
        );
    }

    #[test]
    fn file_names_cannot_climb_out_of_their_folder() {
        assert!(FileName::parse("../etc/passwd").is_err());
        assert!(FileName::parse("..").is_err());
        assert!(FileName::parse("a\u{0}b.png").is_err());
        assert!(FileName::parse("a\\b.png").is_err());
        assert_eq!(
            FileName::parse(" фото 1.jpg ").unwrap().as_str(),
            "фото 1.jpg"
        );
    }
}
