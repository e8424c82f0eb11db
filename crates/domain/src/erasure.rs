//! Erasure on request: how a stored spreadsheet (an import file) is known to hold the person
//! being erased. A row is theirs when one of its cells holds their e-mail address, their
//! phone number (typed any way: `+32 475 12 34 56`, `0475/12.34.56`), their IBAN (with or
//! without spaces), or when the row holds every word of their first and last names. It errs
//! on the side of finding them: a namesake's row counts too, and the file then goes as well.

use crate::text::search_key;

/// What identifies the person being erased, in the forms cells are compared in.
#[derive(Debug, Clone, Default)]
pub struct Person {
    email: Option<String>,
    /// Digits of the phone number, international and national (`32475123456`, `0475123456`).
    phones: Vec<String>,
    /// Upper case, letters and digits only.
    iban: Option<String>,
    first: Vec<String>,
    last: Vec<String>,
}

/// The person's stored values (the phone in E.164 form, as the customer file keeps it).
#[derive(Debug, Clone, Copy, Default)]
pub struct Identity<'a> {
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub iban: Option<&'a str>,
}

/// Shorter digit strings match too much by chance (a postal code, an amount).
const MIN_PHONE_DIGITS: usize = 8;

impl Person {
    pub fn new(id: Identity<'_>) -> Person {
        let email = id.email.map(search_key).filter(|e| e.contains('@'));
        let phones = id
            .phone
            .map(crate::customer::phone_search_forms)
            .unwrap_or_default()
            .split_whitespace()
            .filter(|p| p.len() >= MIN_PHONE_DIGITS)
            .map(str::to_owned)
            .collect();
        let iban = id.iban.map(compact).filter(|i| i.len() >= MIN_PHONE_DIGITS);
        Person {
            email,
            phones,
            iban,
            first: id.first_name.map(words).unwrap_or_default(),
            last: id.last_name.map(words).unwrap_or_default(),
        }
    }

    /// Nothing to look for (every value was empty).
    pub fn is_empty(&self) -> bool {
        self.email.is_none()
            && self.phones.is_empty()
            && self.iban.is_none()
            && self.first.is_empty()
            && self.last.is_empty()
    }

    /// Whether a row of a spreadsheet is (or may be) this person's.
    pub fn in_row(&self, cells: &[String]) -> bool {
        cells.iter().any(|c| self.in_cell(c)) || self.named_in(cells)
    }

    fn in_cell(&self, cell: &str) -> bool {
        if cell.trim().is_empty() {
            return false;
        }
        if let Some(e) = &self.email
            && search_key(cell).contains(e.as_str())
        {
            return true;
        }
        if let Some(i) = &self.iban
            && compact(cell).contains(i.as_str())
        {
            return true;
        }
        if !self.phones.is_empty() {
            let digits: String = cell.chars().filter(char::is_ascii_digit).collect();
            if self.phones.iter().any(|p| digits.contains(p.as_str())) {
                return true;
            }
        }
        false
    }

    /// Every word of the first name and of the last name somewhere in the row; with one of
    /// the two only, a cell that is exactly that name.
    fn named_in(&self, cells: &[String]) -> bool {
        match (self.first.is_empty(), self.last.is_empty()) {
            (false, false) => {
                let row: Vec<String> = cells.iter().flat_map(|c| words(c)).collect();
                let has = |w: &String| row.contains(w);
                self.first.iter().all(has) && self.last.iter().all(has)
            }
            (true, true) => false,
            _ => {
                let name = if self.first.is_empty() {
                    &self.last
                } else {
                    &self.first
                };
                cells.iter().any(|c| words(c) == *name)
            }
        }
    }
}

/// Folded words: `Dupont-Lefèvre` → `dupont`, `lefevre`.
fn words(text: &str) -> Vec<String> {
    search_key(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `be68 5390 0754 7034` → `BE68539007547034`.
fn compact(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    fn zoe() -> Person {
        Person::new(Identity {
            first_name: Some("Zoé"),
            last_name: Some("Van Quaquebeke"),
            email: Some("zoe.vq@example.be"),
            phone: Some("+32475123456"),
            iban: Some("BE68539007547034"),
        })
    }

    #[test]
    fn finds_each_value_however_it_is_typed() {
        let p = zoe();
        assert!(p.in_row(&row(&["x", "ZOE.VQ@Example.be"])));
        assert!(p.in_row(&row(&["0475/12.34.56"])));
        assert!(p.in_row(&row(&["+32 475 12 34 56"])));
        assert!(p.in_row(&row(&["be68 5390 0754 7034"])));
        assert!(p.in_row(&row(&["zoe", "van quaquebeke", "Liège"])));
        assert!(p.in_row(&row(&["VAN QUAQUEBEKE Zoé"])));
    }

    #[test]
    fn leaves_other_people_alone() {
        let p = zoe();
        assert!(!p.in_row(&row(&["Zoé", "Dupont", "zoe@example.be", "0475 99 88 77"])));
        assert!(!p.in_row(&row(&["Van Quaquebeke", "Marc"])));
        assert!(!p.in_row(&row(&["", "  "])));
        assert!(!p.in_row(&row(&["4000", "12,50"])));
    }

    #[test]
    fn one_name_only_must_be_a_whole_cell() {
        let p = Person::new(Identity {
            last_name: Some("Zorglub"),
            ..Default::default()
        });
        assert!(!p.is_empty());
        assert!(p.in_row(&row(&["ZORGLUB"])));
        assert!(!p.in_row(&row(&["Zorglub Industries"])));
        assert!(Person::new(Identity::default()).is_empty());
    }
}
