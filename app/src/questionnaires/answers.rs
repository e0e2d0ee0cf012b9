//! Answers as codes and values, checked against a questionnaire's
//! definition: what a respondent may answer, and what a submission needs.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::accounts::model::Role;
use crate::kernel::error::{Error, Result};
use crate::questionnaires::model::{Choice, Code, Condition, Definition, Question, QuestionKind};

/// One answer, whatever language the question was shown in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    Choice(Code),
    Choices(Vec<Code>),
    Scale(i32),
    /// A value of the scale for each row answered.
    Matrix(BTreeMap<Code, i32>),
    Number(f64),
    Text(String),
    /// Every option, first to last.
    Ranking(Vec<Code>),
    Date(NaiveDate),
}

/// A respondent's answers by question code.
pub type Answers = BTreeMap<Code, Answer>;

/// Whether `q` is asked of someone of `role`, given their answers so far.
pub fn shown(q: &Question, role: Role, answers: &Answers) -> bool {
    q.condition.as_ref().is_none_or(|c| holds(c, role, answers))
}

fn holds(c: &Condition, role: Role, answers: &Answers) -> bool {
    match c {
        Condition::AnsweredWith { question, options } => match answers.get(question) {
            Some(Answer::Choice(x)) => options.contains(x),
            Some(Answer::Choices(xs)) => xs.iter().any(|x| options.contains(x)),
            Some(Answer::Ranking(xs)) => xs.first().is_some_and(|x| options.contains(x)),
            _ => false,
        },
        Condition::RoleIs(roles) => roles.contains(&role),
        Condition::All(list) => list.iter().all(|c| holds(c, role, answers)),
    }
}

fn refuse(q: &Question, reason: impl std::fmt::Display) -> Error {
    Error::invalid("answers", format!("question {}: {reason}", q.code.as_str()))
}

fn known<'a>(q: &Question, options: &[Choice], code: &'a Code) -> Result<&'a Code> {
    if options.iter().any(|o| &o.code == code) {
        Ok(code)
    } else {
        Err(refuse(q, format!("there is no option {}", code.as_str())))
    }
}

/// Checks one answer against its question.
pub fn check_one(q: &Question, a: &Answer) -> Result<()> {
    match (&q.kind, a) {
        (QuestionKind::Single { options }, Answer::Choice(c)) => known(q, options, c).map(|_| ()),
        (QuestionKind::Multiple { options, min, max }, Answer::Choices(cs)) => {
            let unique: BTreeSet<&Code> = cs
                .iter()
                .map(|c| known(q, options, c))
                .collect::<Result<_>>()?;
            if unique.len() != cs.len() {
                return Err(refuse(q, "an option is chosen twice"));
            }
            let max = max.unwrap_or(options.len() as u32) as usize;
            if cs.len() < *min as usize || cs.len() > max {
                return Err(refuse(q, format!("choose {min} to {max} options")));
            }
            Ok(())
        }
        (QuestionKind::Scale { points }, Answer::Scale(v)) => {
            if points.iter().any(|p| p.value == *v) {
                Ok(())
            } else {
                Err(refuse(q, format!("{v} is not a point of its scale")))
            }
        }
        (QuestionKind::Matrix { rows, points }, Answer::Matrix(values)) => {
            for (row, v) in values {
                known(q, rows, row)?;
                if !points.iter().any(|p| p.value == *v) {
                    return Err(refuse(
                        q,
                        format!("{v} is not a point of its scale (row {})", row.as_str()),
                    ));
                }
            }
            Ok(())
        }
        (QuestionKind::Number { min, max, integer }, Answer::Number(n)) => {
            if !n.is_finite() {
                return Err(refuse(q, "give a number"));
            }
            if *integer && n.fract() != 0.0 {
                return Err(refuse(q, "give a whole number"));
            }
            if min.is_some_and(|m| *n < m) || max.is_some_and(|m| *n > m) {
                let range = format!(
                    "{}–{}",
                    min.map_or("…".into(), |v| v.to_string()),
                    max.map_or("…".into(), |v| v.to_string())
                );
                return Err(refuse(q, format!("{n} is out of its range {range}")));
            }
            Ok(())
        }
        (
            QuestionKind::ShortText { max_chars } | QuestionKind::LongText { max_chars },
            Answer::Text(s),
        ) => {
            let long = matches!(q.kind, QuestionKind::LongText { .. });
            if s.trim().is_empty() {
                return Err(refuse(q, "write an answer, or leave the question out"));
            }
            if s.chars().count() > *max_chars as usize {
                return Err(refuse(q, format!("at most {max_chars} characters")));
            }
            if s.chars()
                .any(|c| c.is_control() && !(long && (c == '\n' || c == '\t')))
            {
                return Err(refuse(q, "an answer cannot hold control characters"));
            }
            Ok(())
        }
        (QuestionKind::Ranking { options }, Answer::Ranking(order)) => {
            let unique: BTreeSet<&Code> = order
                .iter()
                .map(|c| known(q, options, c))
                .collect::<Result<_>>()?;
            if unique.len() != order.len() || order.len() != options.len() {
                return Err(refuse(q, "put every option in order, each once"));
            }
            Ok(())
        }
        (QuestionKind::Date { min, max }, Answer::Date(d)) => {
            if min.is_some_and(|m| *d < m) || max.is_some_and(|m| *d > m) {
                return Err(refuse(q, format!("{d} is out of its range")));
            }
            Ok(())
        }
        _ => Err(refuse(q, "this is not the kind of answer it takes")),
    }
}

/// Checks a respondent's answers: every one must answer a question asked of
/// them, in its kind and range; a submission must also answer every
/// required question they are asked.
pub fn check(def: &Definition, role: Role, answers: &Answers, submit: bool) -> Result<()> {
    for (code, a) in answers {
        let Some(q) = def.question(code) else {
            return Err(Error::invalid(
                "answers",
                format!("there is no question {}", code.as_str()),
            ));
        };
        if !shown(q, role, answers) {
            return Err(refuse(q, "it is not asked of you with these answers"));
        }
        check_one(q, a)?;
    }
    if submit
        && let Some(q) = def
            .questions()
            .find(|q| q.required && shown(q, role, answers) && !answers.contains_key(&q.code))
    {
        return Err(refuse(q, "it needs an answer before you submit"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::questionnaires::model::ScalePoint;
    use crate::questionnaires::model::tests::{choice, definition, question};

    fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    fn sample() -> Definition {
        let points = (1..=5)
            .map(|value| ScalePoint { value, label: None })
            .collect::<Vec<_>>();
        let mut why = question("why", QuestionKind::LongText { max_chars: 200 });
        why.condition = Some(Condition::AnsweredWith {
            question: code("has_pc"),
            options: vec![code("no")],
        });
        let mut teach = question(
            "teaches",
            QuestionKind::Number {
                min: Some(0.0),
                max: Some(60.0),
                integer: true,
            },
        );
        teach.condition = Some(Condition::RoleIs(vec![Role::Teacher]));
        definition(vec![
            question(
                "has_pc",
                QuestionKind::Single {
                    options: vec![choice("yes"), choice("no")],
                },
            ),
            why,
            question(
                "apps",
                QuestionKind::Multiple {
                    options: vec![choice("mail"), choice("chat"), choice("games")],
                    min: 1,
                    max: Some(2),
                },
            ),
            question(
                "confidence",
                QuestionKind::Scale {
                    points: points.clone(),
                },
            ),
            question(
                "skills",
                QuestionKind::Matrix {
                    rows: vec![choice("search"), choice("safety")],
                    points,
                },
            ),
            teach,
            question(
                "order",
                QuestionKind::Ranking {
                    options: vec![choice("know"), choice("do")],
                },
            ),
        ])
    }

    fn full() -> Answers {
        let mut a = Answers::new();
        a.insert(code("has_pc"), Answer::Choice(code("yes")));
        a.insert(code("apps"), Answer::Choices(vec![code("mail")]));
        a.insert(code("confidence"), Answer::Scale(4));
        a.insert(
            code("skills"),
            Answer::Matrix([(code("search"), 5), (code("safety"), 2)].into()),
        );
        a.insert(
            code("order"),
            Answer::Ranking(vec![code("do"), code("know")]),
        );
        a
    }

    fn refused(def: &Definition, a: &Answers, submit: bool) -> String {
        check(def, Role::Student, a, submit)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_complete_set_of_answers_passes_and_a_draft_may_be_partial() {
        let def = sample();
        def.check().unwrap();
        check(&def, Role::Student, &full(), true).unwrap();
        let mut draft = Answers::new();
        draft.insert(code("confidence"), Answer::Scale(1));
        check(&def, Role::Student, &draft, false).unwrap();
        assert!(refused(&def, &draft, true).contains("has_pc"));
    }

    #[test]
    fn conditions_show_questions_by_earlier_answers_and_by_role() {
        let def = sample();
        let mut a = full();
        a.insert(code("why"), Answer::Text("We share one at home".into()));
        assert!(refused(&def, &a, false).contains("question why: it is not asked"));
        a.insert(code("has_pc"), Answer::Choice(code("no")));
        check(&def, Role::Student, &a, true).unwrap();
        let mut t = full();
        t.insert(code("teaches"), Answer::Number(12.0));
        assert!(refused(&def, &t, false).contains("teaches"));
        check(&def, Role::Teacher, &t, true).unwrap();
        // A teacher must answer it; a student is never asked.
        assert!(
            check(&def, Role::Teacher, &full(), true)
                .unwrap_err()
                .to_string()
                .contains("teaches")
        );
    }

    #[test]
    fn every_wrong_answer_is_refused_naming_its_question() {
        let def = sample();
        for (q, bad, says) in [
            (
                "nothing",
                Answer::Choice(code("yes")),
                "there is no question nothing",
            ),
            ("has_pc", Answer::Choice(code("maybe")), "no option maybe"),
            ("has_pc", Answer::Scale(1), "not the kind of answer"),
            ("apps", Answer::Choices(vec![]), "choose 1 to 2"),
            (
                "apps",
                Answer::Choices(vec![code("mail"), code("chat"), code("games")]),
                "choose 1 to 2",
            ),
            (
                "apps",
                Answer::Choices(vec![code("mail"), code("mail")]),
                "twice",
            ),
            ("confidence", Answer::Scale(6), "not a point"),
            (
                "skills",
                Answer::Matrix([(code("speed"), 1)].into()),
                "no option speed",
            ),
            (
                "skills",
                Answer::Matrix([(code("search"), 0)].into()),
                "not a point",
            ),
            ("order", Answer::Ranking(vec![code("do")]), "every option"),
        ] {
            let mut a = full();
            a.insert(code(q), bad);
            let err = refused(&def, &a, false);
            assert!(err.contains(says), "{q}: {err}");
        }
        let number = question(
            "n",
            QuestionKind::Number {
                min: Some(0.0),
                max: Some(10.0),
                integer: true,
            },
        );
        for (v, says) in [
            (11.0, "out of its range"),
            (2.5, "whole number"),
            (f64::NAN, "give a number"),
        ] {
            let err = check_one(&number, &Answer::Number(v))
                .unwrap_err()
                .to_string();
            assert!(err.contains(says), "{v}: {err}");
        }
        let text = question("t", QuestionKind::ShortText { max_chars: 5 });
        assert!(check_one(&text, &Answer::Text("  ".into())).is_err());
        assert!(check_one(&text, &Answer::Text("toolong".into())).is_err());
        assert!(check_one(&text, &Answer::Text("a\u{7}".into())).is_err());
        assert!(check_one(&text, &Answer::Text("fine".into())).is_ok());
    }
}
