//! The project's three pre-questionnaires, shipped as templates: for
//! schools (ICT equipment and use), for teachers (ICT competences and
//! training needs) and for students (digital habits and the four pillars
//! of learning). Written in English with Russian translations; the other
//! languages of the network are added as translations of the same codes.

use crate::accounts::model::Role;
use crate::kernel::text::LanguageCode;
use crate::questionnaires::model::{
    Anonymity, Choice, Code, Condition, Definition, Localized, Question, QuestionKind, ScalePoint,
    Section, Translation, TranslationState,
};

/// Who answers a questionnaire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Respondents {
    /// Each school, through its coordinator.
    Schools,
    Teachers,
    Students,
}

/// A template: a key, who answers, how anonymous, and what it asks.
#[derive(Debug, Clone)]
pub struct Template {
    pub key: &'static str,
    pub respondents: Respondents,
    pub anonymity: Anonymity,
    pub definition: Definition,
}

/// A text in English (the source) and Russian.
fn t(en: &str, ru: &str) -> Localized {
    let mut l = Localized::new(LanguageCode::from_trusted("en".into()), en);
    l.texts.insert(
        LanguageCode::from_trusted("ru".into()),
        Translation {
            text: ru.to_owned(),
            state: TranslationState::Reviewed,
        },
    );
    l
}

fn code(s: &str) -> Code {
    Code::parse(s).unwrap_or_else(|e| unreachable!("template code {s}: {e}"))
}

fn options(list: &[(&str, &str, &str)]) -> Vec<Choice> {
    list.iter()
        .map(|(c, en, ru)| Choice {
            code: code(c),
            label: t(en, ru),
        })
        .collect()
}

fn scale(labels: &[(&str, &str)]) -> Vec<ScalePoint> {
    labels
        .iter()
        .enumerate()
        .map(|(i, (en, ru))| ScalePoint {
            value: i as i32 + 1,
            label: Some(t(en, ru)),
        })
        .collect()
}

fn q(c: &str, text: Localized, kind: QuestionKind, required: bool) -> Question {
    Question {
        code: code(c),
        text,
        help: None,
        kind,
        required,
        condition: None,
    }
}

fn section(c: &str, title: Localized, questions: Vec<Question>) -> Section {
    Section {
        code: code(c),
        title,
        questions,
    }
}

fn count(max: f64) -> QuestionKind {
    QuestionKind::Number {
        min: Some(0.0),
        max: Some(max),
        integer: true,
    }
}

fn yes_no() -> Vec<Choice> {
    options(&[("yes", "Yes", "Да"), ("no", "No", "Нет")])
}

fn schools() -> Definition {
    Definition {
        title: t(
            "ICT in our school (before the project)",
            "ИКТ в нашей школе (до проекта)",
        ),
        intro: Some(t(
            "Answered once for the school by its coordinator. It tells the project where each school starts.",
            "Заполняется один раз за школу её координатором. Он показывает проекту, с чего начинает каждая школа.",
        )),
        sections: vec![school_equipment(), school_use()],
    }
}

fn teachers() -> Definition {
    Definition {
        title: t(
            "Teachers and ICT (before the project)",
            "Учителя и ИКТ (до проекта)",
        ),
        intro: Some(t(
            "Your answers are kept confidential: the project sees them only in totals.",
            "Ваши ответы конфиденциальны: проект видит их только в общих итогах.",
        )),
        sections: vec![teacher_about(), teacher_skills()],
    }
}

fn pillars() -> Vec<Choice> {
    options(&[
        ("know", "Learning to know", "Учиться познавать"),
        ("do", "Learning to do", "Учиться делать"),
        ("be", "Learning to be", "Учиться быть"),
        (
            "live_together",
            "Learning to live together",
            "Учиться жить вместе",
        ),
    ])
}

fn students() -> Definition {
    Definition {
        title: t("You and the digital world", "Ты и цифровой мир"),
        intro: Some(t(
            "Nobody will know which answers are yours, not even your teacher. There are no right or wrong answers.",
            "Никто не узнает, какие ответы твои, даже учитель. Здесь нет правильных и неправильных ответов.",
        )),
        sections: vec![student_habits(), student_pillars()],
    }
}

fn school_equipment() -> Section {
    section(
        "equipment",
        t("Equipment and connection", "Оборудование и связь"),
        vec![
            q(
                "computers",
                t(
                    "How many computers (desktop or laptop) can students use at school?",
                    "Сколькими компьютерами (настольными или ноутбуками) могут пользоваться ученики в школе?",
                ),
                count(5000.0),
                true,
            ),
            q(
                "tablets",
                t(
                    "How many tablets can students use at school?",
                    "Сколькими планшетами могут пользоваться ученики в школе?",
                ),
                count(5000.0),
                true,
            ),
            q(
                "internet",
                t(
                    "How does the school connect to the internet?",
                    "Как школа подключена к интернету?",
                ),
                QuestionKind::Single {
                    options: options(&[
                        ("none", "It does not", "Не подключена"),
                        ("mobile", "Mobile network", "Мобильная сеть"),
                        ("dsl", "Telephone line (DSL)", "Телефонная линия (DSL)"),
                        ("fibre", "Cable or fibre", "Кабель или оптоволокно"),
                    ]),
                },
                true,
            ),
            q(
                "connection",
                t(
                    "How well does the connection serve a whole class working online at once?",
                    "Насколько хорошо связь выдерживает работу всего класса в сети одновременно?",
                ),
                QuestionKind::Scale {
                    points: scale(&[
                        ("Not at all", "Совсем нет"),
                        ("Poorly", "Плохо"),
                        ("Fairly", "Сносно"),
                        ("Well", "Хорошо"),
                        ("Very well", "Очень хорошо"),
                    ]),
                },
                true,
            ),
            q(
                "wifi",
                t(
                    "Is there wi-fi in the classrooms?",
                    "Есть ли в классах Wi-Fi?",
                ),
                QuestionKind::Single {
                    options: options(&[
                        ("all", "In every classroom", "Во всех классах"),
                        ("some", "In some", "В некоторых"),
                        ("none", "In none", "Ни в одном"),
                    ]),
                },
                true,
            ),
        ],
    )
}

fn school_use() -> Section {
    section(
        "use",
        t("Use and support", "Использование и поддержка"),
        vec![
            q(
                "tools",
                t(
                    "Which digital tools does the school use for teaching?",
                    "Какие цифровые инструменты школа использует в обучении?",
                ),
                QuestionKind::Multiple {
                    options: options(&[
                        ("platform", "A learning platform", "Учебная платформа"),
                        ("video", "Video calls", "Видеозвонки"),
                        (
                            "office",
                            "Documents and presentations",
                            "Документы и презентации",
                        ),
                        ("email", "E-mail", "Электронная почта"),
                        ("none", "None yet", "Пока никакие"),
                    ]),
                    min: 1,
                    max: None,
                },
                true,
            ),
            q(
                "ict_lead",
                t(
                    "Does someone at the school take care of ICT?",
                    "Есть ли в школе человек, отвечающий за ИКТ?",
                ),
                QuestionKind::Single { options: yes_no() },
                true,
            ),
            q(
                "plans",
                t(
                    "What would the school like to change in its use of ICT in the coming year?",
                    "Что школа хотела бы изменить в использовании ИКТ в ближайший год?",
                ),
                QuestionKind::LongText { max_chars: 2000 },
                false,
            ),
        ],
    )
}

fn teacher_about() -> Section {
    section(
        "you",
        t("About you", "О вас"),
        vec![
            q(
                "years",
                t(
                    "How many years have you taught?",
                    "Сколько лет вы преподаёте?",
                ),
                count(60.0),
                true,
            ),
            q(
                "subject",
                t("What do you teach?", "Что вы преподаёте?"),
                QuestionKind::ShortText { max_chars: 200 },
                false,
            ),
        ],
    )
}

fn teacher_needs() -> Question {
    let mut needs = q(
        "needs",
        t(
            "Which training would help you most? (up to three)",
            "Какое обучение помогло бы вам больше всего? (до трёх)",
        ),
        QuestionKind::Multiple {
            options: options(&[
                (
                    "tools",
                    "Using digital tools in lessons",
                    "Цифровые инструменты на уроках",
                ),
                (
                    "safety",
                    "Online safety with students",
                    "Безопасность в сети с учениками",
                ),
                (
                    "projects",
                    "Running projects with partner schools",
                    "Проекты со школами-партнёрами",
                ),
                (
                    "materials",
                    "Making digital materials",
                    "Создание цифровых материалов",
                ),
                (
                    "assessment",
                    "Assessing online work",
                    "Оценивание работы в сети",
                ),
            ]),
            min: 1,
            max: Some(3),
        },
        true,
    );
    needs.condition = Some(Condition::RoleIs(vec![
        Role::Teacher,
        Role::SchoolCoordinator,
    ]));
    needs
}

fn teacher_skills() -> Section {
    section(
        "skills",
        t("Your ICT skills", "Ваши навыки ИКТ"),
        vec![
            q(
                "competence",
                t(
                    "How well can you do these?",
                    "Насколько хорошо вы умеете это делать?",
                ),
                QuestionKind::Matrix {
                    rows: options(&[
                        (
                            "documents",
                            "Write and share documents",
                            "Создавать документы и делиться ими",
                        ),
                        ("presentations", "Make presentations", "Делать презентации"),
                        (
                            "search",
                            "Find and check information online",
                            "Находить и проверять информацию в сети",
                        ),
                        (
                            "calls",
                            "Run a video call with a class",
                            "Проводить видеозвонок с классом",
                        ),
                        (
                            "platforms",
                            "Use a learning platform",
                            "Работать с учебной платформой",
                        ),
                        ("safety", "Teach online safety", "Учить безопасности в сети"),
                    ]),
                    points: scale(&[
                        ("I cannot", "Не умею"),
                        ("With help", "С помощью"),
                        ("On my own", "Сам(а)"),
                        ("I teach others", "Учу других"),
                    ]),
                },
                true,
            ),
            q(
                "frequency",
                t(
                    "How often do your students use computers in your lessons?",
                    "Как часто ваши ученики работают на компьютерах на ваших уроках?",
                ),
                QuestionKind::Single {
                    options: options(&[
                        ("never", "Never", "Никогда"),
                        ("monthly", "About once a month", "Примерно раз в месяц"),
                        ("weekly", "Every week", "Каждую неделю"),
                        ("daily", "Almost every day", "Почти каждый день"),
                    ]),
                },
                true,
            ),
            q(
                "trained",
                t(
                    "Have you had ICT training in the last two years?",
                    "Проходили ли вы обучение по ИКТ за последние два года?",
                ),
                QuestionKind::Single { options: yes_no() },
                true,
            ),
            teacher_needs(),
            q(
                "pillars",
                t(
                    "Put the four pillars of learning in the order your teaching serves them most",
                    "Расставьте четыре столпа обучения в том порядке, в каком им больше всего служит ваше преподавание",
                ),
                QuestionKind::Ranking { options: pillars() },
                true,
            ),
        ],
    )
}

fn student_habits() -> Section {
    let mut why = q(
        "why_none",
        t("Why not?", "Почему?"),
        QuestionKind::ShortText { max_chars: 300 },
        false,
    );
    why.condition = Some(Condition::AnsweredWith {
        question: code("devices"),
        options: vec![code("none")],
    });
    section(
        "habits",
        t("Your days online", "Твоё время в сети"),
        vec![
            q(
                "age",
                t("How old are you?", "Сколько тебе лет?"),
                QuestionKind::Number {
                    min: Some(8.0),
                    max: Some(19.0),
                    integer: true,
                },
                true,
            ),
            q(
                "devices",
                t(
                    "What can you use at home?",
                    "Чем ты можешь пользоваться дома?",
                ),
                QuestionKind::Multiple {
                    options: options(&[
                        ("phone", "A phone", "Телефоном"),
                        ("computer", "A computer", "Компьютером"),
                        ("tablet", "A tablet", "Планшетом"),
                        ("none", "None of these", "Ничем из этого"),
                    ]),
                    min: 1,
                    max: None,
                },
                true,
            ),
            why,
            q(
                "hours",
                t(
                    "How long are you online on a school day?",
                    "Сколько времени ты проводишь в сети в учебный день?",
                ),
                QuestionKind::Single {
                    options: options(&[
                        ("lt1", "Less than an hour", "Меньше часа"),
                        ("h1_3", "1 to 3 hours", "От 1 до 3 часов"),
                        ("h3_5", "3 to 5 hours", "От 3 до 5 часов"),
                        ("gt5", "More than 5 hours", "Больше 5 часов"),
                    ]),
                },
                true,
            ),
            q(
                "activities",
                t(
                    "What do you do online most? (up to three)",
                    "Что ты чаще всего делаешь в сети? (до трёх)",
                ),
                QuestionKind::Multiple {
                    options: options(&[
                        ("learn", "Learn things", "Учусь"),
                        ("games", "Play games", "Играю"),
                        ("videos", "Watch videos", "Смотрю видео"),
                        ("chat", "Chat with friends", "Общаюсь с друзьями"),
                        (
                            "create",
                            "Make things (videos, drawings, code)",
                            "Создаю (видео, рисунки, программы)",
                        ),
                    ]),
                    min: 1,
                    max: Some(3),
                },
                true,
            ),
            q(
                "safe",
                t(
                    "I know how to stay safe online.",
                    "Я знаю, как быть в безопасности в сети.",
                ),
                QuestionKind::Scale {
                    points: scale(&[
                        ("Not true", "Неверно"),
                        ("A little true", "Немного верно"),
                        ("Partly true", "Отчасти верно"),
                        ("Mostly true", "В основном верно"),
                        ("Very true", "Совершенно верно"),
                    ]),
                },
                true,
            ),
            q(
                "helper",
                t(
                    "Who helps you when something goes wrong online?",
                    "Кто помогает тебе, если в сети что-то пошло не так?",
                ),
                QuestionKind::Single {
                    options: options(&[
                        ("parent", "A parent", "Родители"),
                        ("teacher", "A teacher", "Учитель"),
                        ("friend", "A friend", "Друг"),
                        ("nobody", "Nobody", "Никто"),
                    ]),
                },
                true,
            ),
        ],
    )
}

fn student_pillars() -> Section {
    section(
        "pillars",
        t("At school I learn…", "В школе я учусь…"),
        vec![
            q(
                "pillars",
                t(
                    "How often does school help you with these?",
                    "Как часто школа помогает тебе в этом?",
                ),
                QuestionKind::Matrix {
                    rows: options(&[
                        (
                            "know",
                            "to understand the world around me",
                            "понимать мир вокруг",
                        ),
                        ("do", "to make and fix things", "делать и чинить вещи"),
                        (
                            "be",
                            "to be myself and believe in myself",
                            "быть собой и верить в себя",
                        ),
                        (
                            "live_together",
                            "to work with people who are different from me",
                            "работать с людьми, не похожими на меня",
                        ),
                    ]),
                    points: scale(&[
                        ("Never", "Никогда"),
                        ("Sometimes", "Иногда"),
                        ("Often", "Часто"),
                        ("Always", "Всегда"),
                    ]),
                },
                true,
            ),
            q(
                "wish",
                t(
                    "What would you like to learn about the digital world?",
                    "Что ты хотел(а) бы узнать о цифровом мире?",
                ),
                QuestionKind::LongText { max_chars: 1000 },
                false,
            ),
        ],
    )
}

/// The three templates.
pub fn templates() -> Vec<Template> {
    vec![
        Template {
            key: "lff_pre_school",
            respondents: Respondents::Schools,
            anonymity: Anonymity::Confidential,
            definition: schools(),
        },
        Template {
            key: "lff_pre_teacher",
            respondents: Respondents::Teachers,
            anonymity: Anonymity::Confidential,
            definition: teachers(),
        },
        Template {
            key: "lff_pre_student",
            respondents: Respondents::Students,
            anonymity: Anonymity::Anonymous,
            definition: students(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::questionnaires::answers::{Answer, Answers, check};

    #[test]
    fn every_template_holds_together_in_english_and_russian() {
        let ru = LanguageCode::parse("ru").unwrap();
        for tpl in templates() {
            tpl.definition
                .check()
                .unwrap_or_else(|e| panic!("{}: {e}", tpl.key));
            let mut texts = vec![&tpl.definition.title];
            for q in tpl.definition.questions() {
                texts.push(&q.text);
                match &q.kind {
                    QuestionKind::Single { options }
                    | QuestionKind::Multiple { options, .. }
                    | QuestionKind::Ranking { options } => {
                        texts.extend(options.iter().map(|o| &o.label));
                    }
                    QuestionKind::Matrix { rows, .. } => {
                        texts.extend(rows.iter().map(|o| &o.label))
                    }
                    _ => {}
                }
            }
            for l in texts {
                assert!(
                    !l.needs_translation(&ru),
                    "{}: no Russian for {:?}",
                    tpl.key,
                    l.text_in(None)
                );
            }
        }
    }

    #[test]
    fn students_answer_anonymously_and_a_full_answer_passes() {
        let tpl = templates()
            .into_iter()
            .find(|t| t.key == "lff_pre_student")
            .unwrap();
        assert_eq!(tpl.anonymity, Anonymity::Anonymous);
        let c = |s: &str| Code::parse(s).unwrap();
        let mut a = Answers::new();
        a.insert(c("age"), Answer::Number(13.0));
        a.insert(c("devices"), Answer::Choices(vec![c("none")]));
        a.insert(
            c("why_none"),
            Answer::Text("We have no computer yet".into()),
        );
        a.insert(c("hours"), Answer::Choice(c("lt1")));
        a.insert(
            c("activities"),
            Answer::Choices(vec![c("learn"), c("create")]),
        );
        a.insert(c("safe"), Answer::Scale(3));
        a.insert(c("helper"), Answer::Choice(c("teacher")));
        a.insert(
            c("pillars"),
            Answer::Matrix(
                [
                    (c("know"), 3),
                    (c("do"), 2),
                    (c("be"), 4),
                    (c("live_together"), 3),
                ]
                .into(),
            ),
        );
        check(&tpl.definition, Role::Student, &a, true).unwrap();
        // The follow-up question only follows "none".
        a.insert(c("devices"), Answer::Choices(vec![c("phone")]));
        assert!(check(&tpl.definition, Role::Student, &a, true).is_err());
    }
}
