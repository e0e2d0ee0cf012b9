//! The definition of a questionnaire: localized texts, sections, questions
//! of every kind with stable codes, and the conditions that show a question.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::accounts::model::Role;
use crate::kernel::error::{Error, Result};
use crate::kernel::text::LanguageCode;

/// The stable code of a section, question, option or row: 1–40 of
/// `a-z`, `0-9` and `_`, starting with a letter. Answers and exports use
/// it, whatever language the text is shown in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Code(String);

impl Code {
    pub fn parse(s: &str) -> Result<Self> {
        let ok = (1..=40).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if ok {
            Ok(Code(s.to_owned()))
        } else {
            Err(Error::invalid(
                "code",
                format!(
                    "'{s}' is not a code: use 1 to 40 of a-z, 0-9 and _, starting with a letter"
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where a translation stands against its source (the default language).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TranslationState {
    /// Written, not yet reviewed.
    Draft,
    /// Reviewed against the source as it is now.
    Reviewed,
    /// The source changed since it was written or reviewed.
    Outdated,
}

/// One language's text of a localized string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Translation {
    pub text: String,
    pub state: TranslationState,
}

/// A text in several languages, one of which is the source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Localized {
    pub default: LanguageCode,
    pub texts: BTreeMap<LanguageCode, Translation>,
}

impl Localized {
    /// A text in its source language only.
    pub fn new(default: LanguageCode, text: &str) -> Self {
        let mut texts = BTreeMap::new();
        texts.insert(
            default.clone(),
            Translation {
                text: text.to_owned(),
                state: TranslationState::Reviewed,
            },
        );
        Localized { default, texts }
    }

    /// The text in `language`, else in the source language.
    pub fn text_in(&self, language: Option<&LanguageCode>) -> &str {
        language
            .and_then(|l| self.texts.get(l))
            .or_else(|| self.texts.get(&self.default))
            .map_or("", |t| t.text.as_str())
    }

    /// Whether `language` has no text, or one made for an older source.
    pub fn needs_translation(&self, language: &LanguageCode) -> bool {
        self.texts
            .get(language)
            .is_none_or(|t| t.state == TranslationState::Outdated)
    }

    /// Changes the source text: every other language becomes outdated.
    pub fn set_source(&mut self, text: &str) {
        for (l, t) in self.texts.iter_mut() {
            if *l != self.default && t.text.trim() != "" {
                t.state = TranslationState::Outdated;
            }
        }
        self.texts.insert(
            self.default.clone(),
            Translation {
                text: text.to_owned(),
                state: TranslationState::Reviewed,
            },
        );
    }

    fn check(&self, what: &str) -> Result<()> {
        let source = self.texts.get(&self.default).map(|t| t.text.trim());
        if source.is_none_or(str::is_empty) {
            return Err(Error::invalid(
                "text",
                format!("{what} needs a text in its default language"),
            ));
        }
        if self.texts.values().any(|t| t.text.chars().count() > 5000) {
            return Err(Error::invalid(
                "text",
                format!("{what}: at most 5000 characters a text"),
            ));
        }
        Ok(())
    }
}

/// An option of a choice, or a row of a matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub code: Code,
    pub label: Localized,
}

/// A point of a scale: its value and, optionally, its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScalePoint {
    pub value: i32,
    pub label: Option<Localized>,
}

/// What a question asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum QuestionKind {
    Single {
        options: Vec<Choice>,
    },
    Multiple {
        options: Vec<Choice>,
        min: u32,
        max: Option<u32>,
    },
    Scale {
        points: Vec<ScalePoint>,
    },
    /// Rows answered on one scale.
    Matrix {
        rows: Vec<Choice>,
        points: Vec<ScalePoint>,
    },
    Number {
        min: Option<f64>,
        max: Option<f64>,
        integer: bool,
    },
    ShortText {
        max_chars: u32,
    },
    LongText {
        max_chars: u32,
    },
    /// Every option put in order.
    Ranking {
        options: Vec<Choice>,
    },
    Date {
        min: Option<NaiveDate>,
        max: Option<NaiveDate>,
    },
}

/// When a question is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Condition {
    /// An earlier question was answered with one of these options.
    AnsweredWith { question: Code, options: Vec<Code> },
    /// The respondent has one of these roles.
    RoleIs(Vec<Role>),
    /// Every condition holds.
    All(Vec<Condition>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub code: Code,
    pub text: Localized,
    pub help: Option<Localized>,
    pub kind: QuestionKind,
    pub required: bool,
    pub condition: Option<Condition>,
}

/// A page of the questionnaire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub code: Code,
    pub title: Localized,
    pub questions: Vec<Question>,
}

/// What a questionnaire says: frozen once a round has opened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Definition {
    pub title: Localized,
    pub intro: Option<Localized>,
    pub sections: Vec<Section>,
}

/// How a questionnaire keeps who answered what; shown to respondents
/// before they start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Anonymity {
    /// Answers are stored with the person and shown with their name.
    Named,
    /// Stored with the person, shown only in aggregates.
    Confidential,
    /// The stored response names nobody (a pseudonym under the
    /// questionnaire's key pairs rounds); who has completed is kept apart.
    Anonymous,
}

/// The limits of one questionnaire.
pub const MAX_QUESTIONS: usize = 300;
pub const MAX_OPTIONS: usize = 100;
pub const MAX_TEXT_ANSWER: u32 = 10_000;

impl Definition {
    /// Every question in order, with its section.
    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.sections.iter().flat_map(|s| s.questions.iter())
    }

    pub fn question(&self, code: &Code) -> Option<&Question> {
        self.questions().find(|q| &q.code == code)
    }

    /// Checks that the definition holds together: texts in the default
    /// language, unique codes, options where they are needed, sound ranges,
    /// and conditions that look back at earlier choice questions only.
    pub fn check(&self) -> Result<()> {
        self.title.check("the title")?;
        if let Some(i) = &self.intro {
            i.check("the introduction")?;
        }
        let count = self.questions().count();
        if count == 0 || count > MAX_QUESTIONS {
            return Err(Error::invalid(
                "sections",
                format!("give 1 to {MAX_QUESTIONS} questions"),
            ));
        }
        let mut sections = BTreeSet::new();
        let mut seen: BTreeMap<&Code, &Question> = BTreeMap::new();
        for s in &self.sections {
            if !sections.insert(&s.code) {
                return Err(Error::invalid(
                    "sections",
                    format!("two sections are called {}", s.code.as_str()),
                ));
            }
            s.title.check(&format!("section {}", s.code.as_str()))?;
            for q in &s.questions {
                if seen.contains_key(&q.code) {
                    return Err(Error::invalid(
                        "questions",
                        format!("two questions are called {}", q.code.as_str()),
                    ));
                }
                check_question(q, &seen)?;
                seen.insert(&q.code, q);
            }
        }
        Ok(())
    }
}

fn options_of(kind: &QuestionKind) -> Option<&[Choice]> {
    match kind {
        QuestionKind::Single { options }
        | QuestionKind::Multiple { options, .. }
        | QuestionKind::Ranking { options } => Some(options),
        _ => None,
    }
}

fn check_choices(q: &Question, list: &[Choice], what: &str) -> Result<()> {
    let name = q.code.as_str();
    if list.is_empty() || list.len() > MAX_OPTIONS {
        return Err(Error::invalid(
            "questions",
            format!("{name}: give 1 to {MAX_OPTIONS} {what}"),
        ));
    }
    let mut codes = BTreeSet::new();
    for c in list {
        if !codes.insert(&c.code) {
            return Err(Error::invalid(
                "questions",
                format!("{name}: two {what} are called {}", c.code.as_str()),
            ));
        }
        c.label.check(&format!("{name}, {}", c.code.as_str()))?;
    }
    Ok(())
}

fn check_points(q: &Question, points: &[ScalePoint]) -> Result<()> {
    let name = q.code.as_str();
    if !(2..=11).contains(&points.len()) {
        return Err(Error::invalid(
            "questions",
            format!("{name}: a scale has 2 to 11 points"),
        ));
    }
    if points.windows(2).any(|w| w[0].value >= w[1].value) {
        return Err(Error::invalid(
            "questions",
            format!("{name}: a scale's values rise from point to point"),
        ));
    }
    Ok(())
}

fn check_question(q: &Question, earlier: &BTreeMap<&Code, &Question>) -> Result<()> {
    let name = q.code.as_str();
    q.text.check(&format!("question {name}"))?;
    if let Some(h) = &q.help {
        h.check(&format!("the help of {name}"))?;
    }
    match &q.kind {
        QuestionKind::Single { options } | QuestionKind::Ranking { options } => {
            check_choices(q, options, "options")?
        }
        QuestionKind::Multiple { options, min, max } => {
            check_choices(q, options, "options")?;
            let max = max.unwrap_or(options.len() as u32);
            if *min > max || max as usize > options.len() || max == 0 {
                return Err(Error::invalid(
                    "questions",
                    format!("{name}: between min and max choices, and at most the options"),
                ));
            }
        }
        QuestionKind::Scale { points } => check_points(q, points)?,
        QuestionKind::Matrix { rows, points } => {
            check_choices(q, rows, "rows")?;
            check_points(q, points)?;
        }
        QuestionKind::Number { min, max, .. } => {
            if let (Some(a), Some(b)) = (min, max)
                && a > b
            {
                return Err(Error::invalid(
                    "questions",
                    format!("{name}: min is above max"),
                ));
            }
            if min.is_some_and(|v| !v.is_finite()) || max.is_some_and(|v| !v.is_finite()) {
                return Err(Error::invalid(
                    "questions",
                    format!("{name}: limits are numbers"),
                ));
            }
        }
        QuestionKind::ShortText { max_chars } | QuestionKind::LongText { max_chars } => {
            if *max_chars == 0 || *max_chars > MAX_TEXT_ANSWER {
                return Err(Error::invalid(
                    "questions",
                    format!("{name}: allow 1 to {MAX_TEXT_ANSWER} characters"),
                ));
            }
        }
        QuestionKind::Date { min, max } => {
            if let (Some(a), Some(b)) = (min, max)
                && a > b
            {
                return Err(Error::invalid(
                    "questions",
                    format!("{name}: the first date is after the last"),
                ));
            }
        }
    }
    if let Some(c) = &q.condition {
        check_condition(name, c, earlier)?;
    }
    Ok(())
}

fn check_condition(name: &str, c: &Condition, earlier: &BTreeMap<&Code, &Question>) -> Result<()> {
    match c {
        Condition::AnsweredWith { question, options } => {
            let Some(target) = earlier.get(question) else {
                return Err(Error::invalid(
                    "questions",
                    format!(
                        "{name}: its condition names {}, which is not an earlier question",
                        question.as_str()
                    ),
                ));
            };
            let Some(known) = options_of(&target.kind) else {
                return Err(Error::invalid(
                    "questions",
                    format!(
                        "{name}: its condition looks at {}, which has no options",
                        question.as_str()
                    ),
                ));
            };
            if options.is_empty() || options.iter().any(|o| !known.iter().any(|k| &k.code == o)) {
                return Err(Error::invalid(
                    "questions",
                    format!(
                        "{name}: its condition names options {} does not have",
                        question.as_str()
                    ),
                ));
            }
            Ok(())
        }
        Condition::RoleIs(roles) if roles.is_empty() => Err(Error::invalid(
            "questions",
            format!("{name}: name at least one role"),
        )),
        Condition::RoleIs(_) => Ok(()),
        Condition::All(list) => list
            .iter()
            .try_for_each(|c| check_condition(name, c, earlier)),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn en(text: &str) -> Localized {
        Localized::new(LanguageCode::parse("en").unwrap(), text)
    }

    pub(crate) fn choice(code: &str) -> Choice {
        Choice {
            code: Code::parse(code).unwrap(),
            label: en(code),
        }
    }

    pub(crate) fn question(code: &str, kind: QuestionKind) -> Question {
        Question {
            code: Code::parse(code).unwrap(),
            text: en(code),
            help: None,
            kind,
            required: true,
            condition: None,
        }
    }

    pub(crate) fn definition(questions: Vec<Question>) -> Definition {
        Definition {
            title: en("Digital habits"),
            intro: None,
            sections: vec![Section {
                code: Code::parse("main").unwrap(),
                title: en("Main"),
                questions,
            }],
        }
    }

    #[test]
    fn codes_are_short_lower_case_words() {
        assert!(Code::parse("q1_devices").is_ok());
        for bad in ["", "1q", "Q1", "q-1", &"q".repeat(41)] {
            assert!(Code::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_changed_source_outdates_every_translation() {
        let mut t = en("How many computers?");
        let ru = LanguageCode::parse("ru").unwrap();
        t.texts.insert(
            ru.clone(),
            Translation {
                text: "Сколько компьютеров?".into(),
                state: TranslationState::Reviewed,
            },
        );
        assert!(!t.needs_translation(&ru));
        assert_eq!(t.text_in(Some(&ru)), "Сколько компьютеров?");
        assert_eq!(
            t.text_in(Some(&LanguageCode::parse("hy").unwrap())),
            "How many computers?"
        );
        t.set_source("How many computers does your school have?");
        assert!(t.needs_translation(&ru));
        assert!(t.needs_translation(&LanguageCode::parse("hy").unwrap()));
    }

    #[test]
    fn a_definition_holds_together_or_says_which_question_does_not() {
        let single = QuestionKind::Single {
            options: vec![choice("yes"), choice("no")],
        };
        let mut follow = question("q2", QuestionKind::LongText { max_chars: 500 });
        follow.condition = Some(Condition::AnsweredWith {
            question: Code::parse("q1").unwrap(),
            options: vec![Code::parse("yes").unwrap()],
        });
        assert!(
            definition(vec![question("q1", single.clone()), follow.clone()])
                .check()
                .is_ok()
        );
        // A condition may only look back.
        let err = definition(vec![follow.clone(), question("q1", single.clone())])
            .check()
            .unwrap_err();
        assert!(err.to_string().contains("q2"), "{err}");
        // Two questions with one code, an empty choice, a falling scale.
        assert!(
            definition(vec![
                question("q1", single.clone()),
                question("q1", single.clone())
            ])
            .check()
            .is_err()
        );
        assert!(
            definition(vec![question(
                "q1",
                QuestionKind::Single { options: vec![] }
            )])
            .check()
            .is_err()
        );
        let falling = QuestionKind::Scale {
            points: vec![
                ScalePoint {
                    value: 5,
                    label: None,
                },
                ScalePoint {
                    value: 1,
                    label: None,
                },
            ],
        };
        assert!(definition(vec![question("q1", falling)]).check().is_err());
        let multiple = QuestionKind::Multiple {
            options: vec![choice("a"), choice("b")],
            min: 1,
            max: Some(3),
        };
        assert!(definition(vec![question("q1", multiple)]).check().is_err());
        assert!(definition(vec![]).check().is_err());
    }
}
