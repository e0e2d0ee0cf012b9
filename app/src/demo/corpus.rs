//! Generated learning materials for the demo network and the search
//! benchmark: titles, summaries and bodies built from small vocabularies in
//! each language of the network (Kazakh and Uzbek in both alphabets), with
//! kinds, ages, pillars, goals, licences and visibilities spread the way a
//! real network would have them. Deterministic: material `i` is always the
//! same, with the same id, so loading twice adds nothing.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

use crate::kernel::id::{MaterialId, SchoolId, UserId};
use crate::materials::{
    Licence, Material, MaterialForm, MaterialKind, MaterialStatus, PracticeSections, Visibility,
};
use crate::spaces::model::Pillar;

/// One language's words for building materials.
pub(crate) struct Vocabulary {
    /// BCP 47 tag.
    pub tag: &'static str,
    /// Topics, as they stand in a title.
    pub topics: &'static [&'static str],
    /// `{t}` is a topic; `{g}` a grade.
    pub titles: &'static [&'static str],
    pub summaries: &'static [&'static str],
    pub sentences: &'static [&'static str],
}

pub(crate) const VOCABULARIES: &[Vocabulary] = &[
    Vocabulary {
        tag: "ru",
        topics: &[
            "Экология родного края",
            "Чистая вода",
            "Возобновляемая энергия",
            "Изменение климата",
            "Лес и его обитатели",
            "Переработка отходов",
            "Цифровая грамотность",
            "Безопасность в интернете",
            "Робототехника",
            "История нашей школы",
            "Здоровое питание",
            "Толерантность и дружба",
            "Космос",
            "Городские сады",
        ],
        titles: &[
            "{t}: урок для {g} класса",
            "Проект «{t}» в нашей школе",
            "Практикум «{t}» и устойчивое развитие",
            "Методическая разработка: {t}",
        ],
        summaries: &[
            "Учащиеся исследуют тему «{t}» и готовят презентацию для школ-партнёров.",
            "Материал помогает учителю провести занятие «{t}» с опорой на ИКТ.",
            "Экологический проект школьников: {t}, наблюдения и выводы.",
        ],
        sentences: &[
            "Ученики работают в группах, собирают данные и обсуждают результаты.",
            "В конце урока каждая группа представляет свои выводы одноклассникам.",
            "Материал подготовлен в рамках проекта «Обучение для будущего».",
            "Учитель предлагает вопросы для обсуждения и задания для самостоятельной работы.",
            "Школьники из разных стран сравнивают свои наблюдения в общем пространстве.",
        ],
    },
    Vocabulary {
        tag: "en",
        topics: &[
            "Local ecology",
            "Clean water",
            "Renewable energy",
            "Climate change",
            "Forests and wildlife",
            "Recycling waste",
            "Digital literacy",
            "Internet safety",
            "Robotics",
            "Our school's history",
            "Healthy food",
            "Tolerance and friendship",
            "Space exploration",
            "School gardens",
        ],
        titles: &[
            "{t}: a lesson for grade {g}",
            "The \"{t}\" project at our school",
            "Workshop: {t} and sustainable development",
            "Teaching guide: {t}",
        ],
        summaries: &[
            "Students investigate {t} and prepare a presentation for partner schools.",
            "This material helps teachers run a lesson on {t} with ICT tools.",
            "A student project on {t}: observations, experiments and conclusions.",
        ],
        sentences: &[
            "Students work in groups, collect data and discuss the results.",
            "At the end of the lesson each group presents its findings to the class.",
            "The material was prepared within the Learning For the Future project.",
            "The teacher suggests questions for discussion and tasks for homework.",
            "Pupils from different countries compare their observations in a shared space.",
        ],
    },
    Vocabulary {
        tag: "uk",
        topics: &[
            "Екологія рідного краю",
            "Чиста вода",
            "Відновлювана енергетика",
            "Зміна клімату",
            "Ліс і його мешканці",
            "Переробка відходів",
            "Цифрова грамотність",
            "Безпека в інтернеті",
            "Робототехніка",
            "Історія нашої школи",
            "Здорове харчування",
            "Толерантність і дружба",
        ],
        titles: &[
            "{t}: урок для {g} класу",
            "Проєкт «{t}» у нашій школі",
            "Практикум «{t}» і сталий розвиток",
        ],
        summaries: &[
            "Учні досліджують тему «{t}» і готують презентацію для шкіл-партнерів.",
            "Екологічне виховання школярів: {t}, спостереження та висновки.",
        ],
        sentences: &[
            "Учні працюють у групах, збирають дані та обговорюють результати.",
            "Наприкінці уроку кожна група представляє свої висновки.",
            "Матеріал підготовлено в межах проєкту «Навчання для майбутнього».",
        ],
    },
    Vocabulary {
        tag: "be",
        topics: &[
            "Экалогія роднага краю",
            "Чыстая вада",
            "Аднаўляльная энергетыка",
            "Змена клімату",
            "Лес і яго жыхары",
            "Перапрацоўка адходаў",
            "Лічбавая пісьменнасць",
            "Бяспека ў інтэрнэце",
            "Робататэхніка",
            "Гісторыя нашай школы",
        ],
        titles: &["{t}: урок для {g} класа", "Праект «{t}» у нашай школе"],
        summaries: &[
            "Навучэнцы даследуюць тэму «{t}» і рыхтуюць прэзентацыю для школ-партнёраў.",
            "Экалагічная адукацыя ў школе: {t}, назіранні і высновы.",
        ],
        sentences: &[
            "Вучні працуюць у групах, збіраюць даныя і абмяркоўваюць вынікі.",
            "Матэрыял падрыхтаваны ў межах праекта «Навучанне для будучыні».",
        ],
    },
    Vocabulary {
        tag: "bg",
        topics: &[
            "Екология на родния край",
            "Чиста вода",
            "Възобновяема енергия",
            "Климатични промени",
            "Гората и нейните обитатели",
            "Рециклиране на отпадъци",
            "Дигитална грамотност",
            "Безопасност в интернет",
            "Роботика",
            "История на нашето училище",
        ],
        titles: &["{t}: урок за {g} клас", "Проект „{t}“ в нашето училище"],
        summaries: &[
            "Учениците изследват темата „{t}“ и подготвят презентация за партньорските училища.",
            "Екологично образование в училище: {t}, наблюдения и изводи.",
        ],
        sentences: &[
            "Учениците работят в групи, събират данни и обсъждат резултатите.",
            "Материалът е подготвен в рамките на проекта „Учене за бъдещето“.",
        ],
    },
    Vocabulary {
        tag: "hy",
        topics: &[
            "Շրջակա միջավայրի պահպանություն",
            "Մաքուր ջուր",
            "Վերականգնվող էներգիա",
            "Կլիմայի փոփոխություն",
            "Անտառ",
            "Թափոնների վերամշակում",
            "Թվային գրագիտություն",
            "Ռոբոտաշինություն",
            "Մեր դպրոցի պատմությունը",
        ],
        titles: &[
            "{t}. դաս {g}-րդ դասարանի համար",
            "«{t}» նախագիծը մեր դպրոցում",
        ],
        summaries: &[
            "Աշակերտները ուսումնասիրում են «{t}» թեման և պատրաստում ներկայացում գործընկեր դպրոցների համար։",
            "Բնապահպանական կրթություն դպրոցում. {t}, դիտարկումներ և եզրակացություններ։",
        ],
        sentences: &[
            "Աշակերտները աշխատում են խմբերով, հավաքում են տվյալներ և քննարկում արդյունքները։",
            "Նյութը պատրաստվել է «Ուսուցում ապագայի համար» նախագծի շրջանակում։",
        ],
    },
    Vocabulary {
        tag: "az",
        topics: &[
            "Ekologiya",
            "Təmiz su",
            "Bərpa olunan enerji",
            "İqlim dəyişikliyi",
            "Meşə",
            "Tullantıların təkrar emalı",
            "Rəqəmsal savadlılıq",
            "İnternetdə təhlükəsizlik",
            "Robototexnika",
            "Məktəbimizin tarixi",
        ],
        titles: &["{t}: {g}-ci sinif üçün dərs", "Məktəbimizdə «{t}» layihəsi"],
        summaries: &[
            "Şagirdlər «{t}» mövzusunu araşdırır və tərəfdaş məktəblər üçün təqdimat hazırlayırlar.",
            "Məktəbdə ekoloji təhsil: {t}, müşahidələr və nəticələr.",
        ],
        sentences: &[
            "Şagirdlər qruplarda işləyir, məlumat toplayır və nəticələri müzakirə edirlər.",
            "Material «Gələcək üçün təhsil» layihəsi çərçivəsində hazırlanıb.",
        ],
    },
    Vocabulary {
        tag: "et",
        topics: &[
            "Kodukoha loodus",
            "Puhas vesi",
            "Taastuvenergia",
            "Kliimamuutus",
            "Mets ja selle elanikud",
            "Jäätmete taaskasutus",
            "Digipädevus",
            "Turvalisus internetis",
            "Robootika",
            "Meie kooli ajalugu",
        ],
        titles: &["{t}: tund {g}. klassile", "Projekt „{t}” meie koolis"],
        summaries: &[
            "Õpilased uurivad teemat „{t}” ja valmistavad ettekande partnerkoolidele.",
            "Keskkonnaharidus koolis: {t}, vaatlused ja järeldused.",
        ],
        sentences: &[
            "Õpilased töötavad rühmades, koguvad andmeid ja arutavad tulemusi.",
            "Materjal on valminud projekti „Õppimine tuleviku jaoks” raames.",
        ],
    },
    Vocabulary {
        tag: "kk",
        topics: &[
            "Туған өлке экологиясы",
            "Таза су",
            "Жаңартылатын энергия",
            "Климаттың өзгеруі",
            "Орман",
            "Қалдықтарды қайта өңдеу",
            "Цифрлық сауаттылық",
            "Интернеттегі қауіпсіздік",
            "Робототехника",
            "Мектебіміздің тарихы",
        ],
        titles: &["{t}: {g}-сыныпқа арналған сабақ", "Мектептегі «{t}» жобасы"],
        summaries: &[
            "Оқушылар «{t}» тақырыбын зерттеп, серіктес мектептерге таныстырылым дайындайды.",
            "Мектептегі экологиялық білім: {t}, бақылаулар мен қорытындылар.",
        ],
        sentences: &[
            "Оқушылар топпен жұмыс істеп, деректер жинайды және нәтижелерді талқылайды.",
            "Материал «Болашақ үшін білім» жобасы аясында дайындалды.",
        ],
    },
    Vocabulary {
        tag: "kk-Latn",
        topics: &[
            "Tuğan ölke ekologiiasy",
            "Taza su",
            "Jañartylatyn energiia",
            "Klimattyñ özgerui",
            "Orman",
            "Qaldyqtardy qaita öñdeu",
            "Tsifrlyq sauattylyq",
            "Robototehnika",
        ],
        titles: &["{t}: {g}-synypqa arnalğan sabaq", "Mekteptegi «{t}» jobasy"],
        summaries: &[
            "Oqushylar «{t}» taqyrybyn zerttep, seriktes mektepterge tanystyrylym daiyndaidy.",
            "Mekteptegi ekologiialyq bilim: {t}, baqylaular men qorytyndylar.",
        ],
        sentences: &["Oqushylar toppen jūmys istep, derekter jinaidy jäne nätijelerdi talqylaidy."],
    },
    Vocabulary {
        tag: "ky",
        topics: &[
            "Туулган жердин экологиясы",
            "Таза суу",
            "Кайра жаралуучу энергия",
            "Климаттын өзгөрүүсү",
            "Токой",
            "Калдыктарды кайра иштетүү",
            "Санариптик сабаттуулук",
            "Робототехника",
        ],
        titles: &["{t}: {g}-класс үчүн сабак", "Мектебибиздеги «{t}» долбоору"],
        summaries: &[
            "Окуучулар «{t}» темасын изилдеп, өнөктөш мектептер үчүн презентация даярдашат.",
            "Мектепте экологиялык билим берүү: {t}, байкоолор жана жыйынтыктар.",
        ],
        sentences: &[
            "Окуучулар топтордо иштешип, маалымат чогултушат жана жыйынтыктарды талкуулашат.",
        ],
    },
    Vocabulary {
        tag: "lv",
        topics: &[
            "Dzimtās puses ekoloģija",
            "Tīrs ūdens",
            "Atjaunojamā enerģija",
            "Klimata pārmaiņas",
            "Mežs un tā iemītnieki",
            "Atkritumu pārstrāde",
            "Digitālā pratība",
            "Drošība internetā",
            "Robotika",
            "Mūsu skolas vēsture",
        ],
        titles: &["{t}: stunda {g}. klasei", "Projekts “{t}” mūsu skolā"],
        summaries: &[
            "Skolēni pēta tēmu “{t}” un gatavo prezentāciju partnerskolām.",
            "Vides izglītība skolā: {t}, novērojumi un secinājumi.",
        ],
        sentences: &[
            "Skolēni strādā grupās, vāc datus un apspriež rezultātus.",
            "Materiāls sagatavots projekta “Mācīšanās nākotnei” ietvaros.",
        ],
    },
    Vocabulary {
        tag: "lt",
        topics: &[
            "Gimtojo krašto ekologija",
            "Švarus vanduo",
            "Atsinaujinanti energija",
            "Klimato kaita",
            "Miškas ir jo gyventojai",
            "Atliekų perdirbimas",
            "Skaitmeninis raštingumas",
            "Saugumas internete",
            "Robotika",
            "Mūsų mokyklos istorija",
        ],
        titles: &["{t}: pamoka {g} klasei", "Projektas „{t}“ mūsų mokykloje"],
        summaries: &[
            "Mokiniai tyrinėja temą „{t}“ ir rengia pristatymą partnerių mokykloms.",
            "Aplinkosauginis švietimas mokykloje: {t}, stebėjimai ir išvados.",
        ],
        sentences: &[
            "Mokiniai dirba grupėmis, renka duomenis ir aptaria rezultatus.",
            "Medžiaga parengta įgyvendinant projektą „Mokymasis ateičiai“.",
        ],
    },
    Vocabulary {
        tag: "ro",
        topics: &[
            "Ecologia ținutului natal",
            "Apă curată",
            "Energie regenerabilă",
            "Schimbările climatice",
            "Pădurea și locuitorii ei",
            "Reciclarea deșeurilor",
            "Alfabetizare digitală",
            "Siguranța pe internet",
            "Robotică",
            "Istoria școlii noastre",
        ],
        titles: &[
            "{t}: lecție pentru clasa a {g}-a",
            "Proiectul „{t}” în școala noastră",
        ],
        summaries: &[
            "Elevii cercetează tema „{t}” și pregătesc o prezentare pentru școlile partenere.",
            "Educație ecologică în școală: {t}, observații și concluzii.",
        ],
        sentences: &[
            "Elevii lucrează în grupuri, adună date și discută rezultatele.",
            "Materialul a fost pregătit în cadrul proiectului „Învățare pentru viitor”.",
        ],
    },
    Vocabulary {
        tag: "tg",
        topics: &[
            "Экологияи диёри азиз",
            "Оби тоза",
            "Энергияи барқароршаванда",
            "Тағйирёбии иқлим",
            "Ҷангал",
            "Коркарди партовҳо",
            "Саводнокии рақамӣ",
            "Робототехника",
        ],
        titles: &["{t}: дарс барои синфи {g}", "Лоиҳаи «{t}» дар мактаби мо"],
        summaries: &[
            "Хонандагон мавзӯи «{t}»-ро меомӯзанд ва барои мактабҳои шарик муаррифӣ омода мекунанд.",
            "Таълими экологӣ дар мактаб: {t}, мушоҳидаҳо ва хулосаҳо.",
        ],
        sentences: &[
            "Хонандагон дар гурӯҳҳо кор карда, маълумот ҷамъ мекунанд ва натиҷаҳоро муҳокима мекунанд.",
        ],
    },
    Vocabulary {
        tag: "uz-Latn",
        topics: &[
            "Ona yurt ekologiyasi",
            "Toza suv",
            "Qayta tiklanadigan energiya",
            "Iqlim o‘zgarishi",
            "O‘rmon",
            "Chiqindilarni qayta ishlash",
            "Raqamli savodxonlik",
            "Internetda xavfsizlik",
            "Robototexnika",
            "Maktabimiz tarixi",
        ],
        titles: &["{t}: {g}-sinf uchun dars", "Maktabimizdagi «{t}» loyihasi"],
        summaries: &[
            "O‘quvchilar «{t}» mavzusini o‘rganib, hamkor maktablar uchun taqdimot tayyorlaydilar.",
            "Maktabda ekologik ta’lim: {t}, kuzatishlar va xulosalar.",
        ],
        sentences: &[
            "O‘quvchilar guruhlarda ishlaydi, ma’lumot to‘playdi va natijalarni muhokama qiladi.",
            "Material «Kelajak uchun ta’lim» loyihasi doirasida tayyorlangan.",
        ],
    },
    Vocabulary {
        tag: "uz-Cyrl",
        topics: &[
            "Она юрт экологияси",
            "Тоза сув",
            "Қайта тикланадиган энергия",
            "Иқлим ўзгариши",
            "Ўрмон",
            "Чиқиндиларни қайта ишлаш",
            "Рақамли саводхонлик",
            "Робототехника",
        ],
        titles: &["{t}: {g}-синф учун дарс", "Мактабимиздаги «{t}» лойиҳаси"],
        summaries: &[
            "Ўқувчилар «{t}» мавзусини ўрганиб, ҳамкор мактаблар учун тақдимот тайёрлайдилар.",
            "Мактабда экологик таълим: {t}, кузатишлар ва хулосалар.",
        ],
        sentences: &[
            "Ўқувчилар гуруҳларда ишлайди, маълумот тўплайди ва натижаларни муҳокама қилади.",
        ],
    },
];

/// The vocabulary of a language tag, if the corpus has one.
pub(crate) fn vocabulary(tag: &str) -> Option<&'static Vocabulary> {
    VOCABULARIES.iter().find(|v| v.tag == tag)
}

/// A deterministic stream of numbers for material `i` (SplitMix64).
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick<T: Copy>(&mut self, list: &[T]) -> T {
        list[(self.next() % list.len() as u64) as usize]
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The id of demo material `i`: the same on every load.
pub(crate) fn material_id(i: u32) -> MaterialId {
    let digest = Sha256::digest(format!("lff-demo-material-{i}").as_bytes());
    MaterialId::from_trusted(hex::encode(&digest[..16]))
}

const SUBJECTS: &[&str] = &[
    "ecology",
    "biology",
    "geography",
    "ict",
    "history",
    "physics",
    "chemistry",
    "civics",
    "literature",
    "mathematics",
];
const SDGS: &[u8] = &[3, 4, 6, 7, 11, 12, 13, 14, 15, 17];
const AGES: &[(u8, u8)] = &[(7, 10), (11, 14), (15, 18), (11, 18), (12, 16)];

/// Demo material `i` of a school, in one of its languages.
pub(crate) fn material(
    i: u32,
    school: &SchoolId,
    languages: &[&'static Vocabulary],
    author: (&UserId, &str),
    newest: DateTime<Utc>,
) -> crate::kernel::error::Result<Material> {
    let mut r = Mix(u64::from(i).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let v = r.pick(languages);
    let topic = r.pick(v.topics);
    let grade = 5 + r.below(7);
    let fill = |t: &str| t.replace("{t}", topic).replace("{g}", &grade.to_string());
    let title = fill(r.pick(v.titles));
    let summary = fill(r.pick(v.summaries));
    let mut body = String::new();
    for _ in 0..(2 + r.below(3)) {
        body.push_str(&fill(r.pick(v.sentences)));
        body.push('\n');
    }
    let kind = r.pick(&[
        MaterialKind::LessonPlan,
        MaterialKind::LessonPlan,
        MaterialKind::Presentation,
        MaterialKind::Worksheet,
        MaterialKind::ProjectReport,
        MaterialKind::GoodPractice,
        MaterialKind::Video,
        MaterialKind::Other,
    ]);
    let practice = (kind == MaterialKind::GoodPractice).then(|| PracticeSections {
        context: fill(r.pick(v.summaries)),
        what_was_done: fill(r.pick(v.sentences)),
        results: fill(r.pick(v.sentences)),
        evidence: String::new(),
        lessons_learned: fill(r.pick(v.sentences)),
    });
    let (age_min, age_max) = r.pick(AGES);
    let mut sdgs = vec![r.pick(SDGS), r.pick(SDGS)];
    sdgs.sort_unstable();
    sdgs.dedup();
    let pillars = vec![r.pick(&[
        Pillar::LearningToKnow,
        Pillar::LearningToDo,
        Pillar::LearningToBe,
        Pillar::LearningToLiveTogether,
    ])];
    let subjects = vec![(r.pick(SUBJECTS)).to_owned()];
    let licence = r.pick(&[
        Licence::CcBy,
        Licence::CcBy,
        Licence::CcBySa,
        Licence::CcByNc,
        Licence::Cc0,
    ]);
    let visibility = match r.below(20) {
        0..=11 => Visibility::Network,
        12..=16 => Visibility::Public,
        _ => Visibility::Space,
    };
    let status = if r.below(10) == 0 {
        MaterialStatus::Draft
    } else {
        MaterialStatus::Published
    };
    // Spread over the past year.
    let created = newest - Duration::minutes((i64::from(i) * 37) % 525_600);
    // Through the same checks as what a teacher types.
    let details = MaterialForm {
        title,
        summary,
        body,
        kind: Some(kind),
        languages: vec![v.tag.to_owned()],
        subjects,
        age_min: Some(i32::from(age_min)),
        age_max: Some(i32::from(age_max)),
        pillars,
        sdgs: sdgs.into_iter().map(i32::from).collect(),
        licence: Some(licence),
        authors: vec![author.1.to_owned()],
        practice,
    }
    .parse()?;
    Ok(Material {
        id: material_id(i),
        details,
        school: school.clone(),
        space: None,
        folder: None,
        status,
        visibility,
        created_by: author.0.clone(),
        created_at: created,
        updated_at: created,
        published_at: (status == MaterialStatus::Published).then_some(created),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::materials::LanguageTag;

    #[test]
    fn demo_materials_are_the_same_every_time_and_valid() {
        let school = SchoolId::generate();
        let author = UserId::generate();
        let now = Utc::now();
        let langs = [vocabulary("kk").unwrap(), vocabulary("kk-Latn").unwrap()];
        let make = |i| material(i, &school, &langs, (&author, "A"), now).unwrap();
        assert_eq!(make(7), make(7));
        assert_ne!(make(7).id, make(8).id);
        let mut scripts = std::collections::BTreeSet::new();
        for i in 0..200 {
            scripts.insert(make(i).details.languages[0].as_str().to_owned());
        }
        assert_eq!(scripts.len(), 2, "both alphabets appear");
        for v in VOCABULARIES {
            assert!(LanguageTag::parse(v.tag).is_ok(), "{}", v.tag);
            for (j, _) in v.topics.iter().enumerate() {
                let one = [v];
                let m = material(j as u32, &school, &one, (&author, "A"), now);
                assert!(m.is_ok(), "{} {j}", v.tag);
            }
        }
    }
}
