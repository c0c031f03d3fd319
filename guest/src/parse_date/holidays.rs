//! The days of the year callers name instead of dating them ("Heiligabend", "Ostermontag",
//! "Boxing Day"): which ones the reader knows and on which date each falls in a given year.
//!
//! Half of them move with Easter, so the Easter date is computed here (the Gregorian computus)
//! rather than tabulated: a table would end in some year, the arithmetic does not. Which words
//! name which day is [`super::vocabulary`]'s business; this file only knows dates.

use chrono::{Days, NaiveDate};

/// A named day of the year the reader can place. Days that vary by region or country and
/// that no caller can be assumed to mean alike (school holidays, carnival as a whole,
/// Thanksgiving) are deliberately absent: they are date talk the reader refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holiday {
    /// 1 January.
    NewYearsDay,
    /// 6 January.
    Epiphany,
    /// 14 February.
    ValentinesDay,
    /// Easter − 48: Rosenmontag.
    ShroveMonday,
    /// Easter − 46.
    AshWednesday,
    /// Easter − 3: Gründonnerstag.
    MaundyThursday,
    /// Easter − 2: Karfreitag.
    GoodFriday,
    /// Easter − 1: Karsamstag.
    HolySaturday,
    EasterSunday,
    /// Easter + 1.
    EasterMonday,
    /// 1 May: Tag der Arbeit.
    LabourDay,
    /// Easter + 39: Christi Himmelfahrt.
    AscensionDay,
    /// Easter + 49: Pfingstsonntag.
    WhitSunday,
    /// Easter + 50: Pfingstmontag.
    WhitMonday,
    /// Easter + 60: Fronleichnam.
    CorpusChristi,
    /// 3 October: Tag der Deutschen Einheit.
    GermanUnityDay,
    /// 31 October, said as Halloween.
    Halloween,
    /// 31 October, said as Reformationstag.
    ReformationDay,
    /// 1 November: Allerheiligen.
    AllSaintsDay,
    /// 6 December: Nikolaus.
    StNicholasDay,
    /// 24 December: Heiligabend.
    ChristmasEve,
    /// 25 December: erster Weihnachtsfeiertag, and what "Weihnachten" alone is taken for.
    ChristmasDay,
    /// 26 December: zweiter Weihnachtsfeiertag.
    BoxingDay,
    /// 31 December: Silvester.
    NewYearsEve,
}

/// How a holiday's date is found in a year.
enum Rule {
    Fixed {
        month: u32,
        day: u32,
    },
    /// Days from Easter Sunday.
    Easter(i64),
}

impl Holiday {
    fn rule(self) -> Rule {
        let fixed = |month, day| Rule::Fixed { month, day };
        match self {
            Self::NewYearsDay => fixed(1, 1),
            Self::Epiphany => fixed(1, 6),
            Self::ValentinesDay => fixed(2, 14),
            Self::ShroveMonday => Rule::Easter(-48),
            Self::AshWednesday => Rule::Easter(-46),
            Self::MaundyThursday => Rule::Easter(-3),
            Self::GoodFriday => Rule::Easter(-2),
            Self::HolySaturday => Rule::Easter(-1),
            Self::EasterSunday => Rule::Easter(0),
            Self::EasterMonday => Rule::Easter(1),
            Self::LabourDay => fixed(5, 1),
            Self::AscensionDay => Rule::Easter(39),
            Self::WhitSunday => Rule::Easter(49),
            Self::WhitMonday => Rule::Easter(50),
            Self::CorpusChristi => Rule::Easter(60),
            Self::GermanUnityDay => fixed(10, 3),
            Self::Halloween | Self::ReformationDay => fixed(10, 31),
            Self::AllSaintsDay => fixed(11, 1),
            Self::StNicholasDay => fixed(12, 6),
            Self::ChristmasEve => fixed(12, 24),
            Self::ChristmasDay => fixed(12, 25),
            Self::BoxingDay => fixed(12, 26),
            Self::NewYearsEve => fixed(12, 31),
        }
    }

    /// The holiday's date in `year`; `None` only at the ends of `chrono`'s range.
    pub(super) fn in_year(self, year: i32) -> Option<NaiveDate> {
        match self.rule() {
            Rule::Fixed { month, day } => NaiveDate::from_ymd_opt(year, month, day),
            Rule::Easter(offset) => {
                let easter = easter_sunday(year)?;
                let days = Days::new(offset.unsigned_abs());
                if offset < 0 {
                    easter.checked_sub_days(days)
                } else {
                    easter.checked_add_days(days)
                }
            }
        }
    }
}

/// Easter Sunday of `year` in the Gregorian calendar (the "anonymous" computus of Meeus,
/// Jones and Butcher). Euclidean division keeps every year, even a negative one, in range.
pub(super) fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let y = i64::from(year);
    let a = y.rem_euclid(19);
    let (b, c) = (y.div_euclid(100), y.rem_euclid(100));
    let (d, e) = (b.div_euclid(4), b.rem_euclid(4));
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let (i, k) = (c.div_euclid(4), c.rem_euclid(4));
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let n = h + l - 7 * m + 114;
    let month = u32::try_from(n.div_euclid(31)).ok()?;
    let day = u32::try_from(n.rem_euclid(31) + 1).ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}
