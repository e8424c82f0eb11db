//! Finding likely duplicate customers: the same e-mail (score 100), the same phone (95), or
//! similar names — accents, case and small typos tolerated — in the same postal code (the
//! names' similarity × 90). Pairs are listed best first.

use crate::text::search_key;
use std::collections::HashMap;

/// What the search compares of one customer.
#[derive(Debug, Clone)]
pub struct Candidate<Id> {
    pub id: Id,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postal_code: Option<String>,
}

/// Why two customers look like one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    SameEmail,
    SamePhone,
    SimilarName,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair<Id> {
    pub a: Id,
    pub b: Id,
    /// 0–100.
    pub score: u32,
    pub reason: Reason,
}

/// Names this similar (normalized Levenshtein, 0–1) in one postal code count as a match.
const NAME_THRESHOLD: f64 = 0.8;

pub fn find<Id: Copy + Eq + std::hash::Hash + Ord>(people: &[Candidate<Id>]) -> Vec<Pair<Id>> {
    let mut best: HashMap<(Id, Id), (u32, Reason)> = HashMap::new();
    let mut offer = |x: Id, y: Id, score: u32, reason: Reason| {
        let key = if x < y { (x, y) } else { (y, x) };
        let e = best.entry(key).or_insert((score, reason));
        if score > e.0 {
            *e = (score, reason);
        }
    };
    let by = |key: &dyn Fn(&Candidate<Id>) -> Option<String>, score: u32, reason: Reason| {
        let mut groups: HashMap<String, Vec<Id>> = HashMap::new();
        for p in people {
            if let Some(k) = key(p).filter(|k| !k.is_empty()) {
                groups.entry(k).or_default().push(p.id);
            }
        }
        let mut pairs = Vec::new();
        for ids in groups.values() {
            for (i, x) in ids.iter().enumerate() {
                for y in &ids[i + 1..] {
                    pairs.push((*x, *y, score, reason));
                }
            }
        }
        pairs
    };
    let mut all = by(
        &|p| p.email.as_ref().map(|e| e.to_lowercase()),
        100,
        Reason::SameEmail,
    );
    all.extend(by(&|p| p.phone.clone(), 95, Reason::SamePhone));
    // Names only within a postal code: that keeps the comparison small and meaningful.
    let mut by_postal: HashMap<&str, Vec<(&Candidate<Id>, String)>> = HashMap::new();
    for p in people {
        if let Some(pc) = p.postal_code.as_deref().filter(|s| !s.is_empty()) {
            by_postal
                .entry(pc)
                .or_default()
                .push((p, search_key(&p.name)));
        }
    }
    for group in by_postal.values() {
        for (i, (x, xn)) in group.iter().enumerate() {
            for (y, yn) in &group[i + 1..] {
                if xn.is_empty() || yn.is_empty() {
                    continue;
                }
                let s = strsim::normalized_levenshtein(xn, yn);
                if s >= NAME_THRESHOLD {
                    // Never below 1: a match is a match.
                    let score = ((s * 90.0).round() as u32).max(1);
                    all.push((x.id, y.id, score, Reason::SimilarName));
                }
            }
        }
    }
    for (x, y, score, reason) in all {
        offer(x, y, score, reason);
    }
    let mut out: Vec<Pair<Id>> = best
        .into_iter()
        .map(|((a, b), (score, reason))| Pair {
            a,
            b,
            score,
            reason,
        })
        .collect();
    out.sort_by(|p, q| {
        q.score
            .cmp(&p.score)
            .then(p.a.cmp(&q.a))
            .then(p.b.cmp(&q.b))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(
        id: u32,
        name: &str,
        email: Option<&str>,
        phone: Option<&str>,
        pc: Option<&str>,
    ) -> Candidate<u32> {
        Candidate {
            id,
            name: name.into(),
            email: email.map(Into::into),
            phone: phone.map(Into::into),
            postal_code: pc.map(Into::into),
        }
    }

    #[test]
    fn same_contact_or_similar_names_in_one_postal_code() {
        let people = [
            c(1, "Élise Lambert", Some("elise@x.be"), None, Some("5500")),
            c(2, "Elise Lambret", None, None, Some("5500")),
            c(
                3,
                "E. Lambert",
                Some("ELISE@x.be"),
                Some("+32475123456"),
                None,
            ),
            c(4, "Marc Dubois", None, Some("+32475123456"), Some("5500")),
            c(5, "Elise Lambert", None, None, Some("1000")),
        ];
        let pairs = find(&people);
        assert_eq!(
            pairs[0],
            Pair {
                a: 1,
                b: 3,
                score: 100,
                reason: Reason::SameEmail
            }
        );
        assert!(pairs.contains(&Pair {
            a: 3,
            b: 4,
            score: 95,
            reason: Reason::SamePhone
        }));
        let names: Vec<_> = pairs
            .iter()
            .filter(|p| p.reason == Reason::SimilarName)
            .collect();
        assert_eq!(names.len(), 1, "{pairs:?}");
        assert_eq!(
            (names[0].a, names[0].b),
            (1, 2),
            "a typo and an accent, same postal code"
        );
        assert!(
            !pairs.iter().any(|p| p.b == 5),
            "another postal code is another person"
        );
    }
}
