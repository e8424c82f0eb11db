//! The confirmation step of what cannot be undone (closing a register, cancelling an order,
//! merging customers, erasing a customer). The action's form posts without `confirm`: the
//! server does nothing and answers this page, which says what will happen and posts the same
//! fields again with `confirm=yes`, or `confirm=no` to go back to the form as it was typed.
//! A double click or a stray submit of the first form can therefore only ever show this page.
//! The API does not ask: calling it is the confirmation.

use crate::view::{Nav, Tr, render};
use askama::Template;
use axum::response::Response;

/// Which step a posted form is at, from its `confirm` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// No (or an unknown) `confirm`: show the confirmation, do nothing.
    Ask,
    /// `confirm=yes`, posted by the confirmation page: do it.
    Confirmed,
    /// `confirm=no`: back to the form with what was typed.
    Back,
}

impl Step {
    pub fn of(confirm: &str) -> Step {
        match confirm.trim() {
            "yes" => Step::Confirmed,
            "no" => Step::Back,
            _ => Step::Ask,
        }
    }
}

/// One line of a closing's differences: what was taken, what was counted.
pub struct Difference {
    pub label: String,
    pub expected_cents: i64,
    pub counted_cents: Option<i64>,
    pub difference_cents: Option<i64>,
}

#[derive(Template)]
#[template(path = "confirm.html")]
pub struct ConfirmPage {
    pub tr: Tr,
    pub nav: Nav,
    /// The question: "Close the register and make its Z?".
    pub title: String,
    /// What doing it means, in a sentence.
    pub lead: String,
    /// (label, value) of what it applies to.
    pub facts: Vec<(String, String)>,
    /// A closing's expected and counted amounts, per method (empty elsewhere).
    pub differences: Vec<Difference>,
    /// Where the form posts again: the action's own address.
    pub action: String,
    /// The fields posted, posted again.
    pub hidden: Vec<(String, String)>,
    pub confirm_label: String,
    /// The `id` of the confirm button (tests and the browser find it).
    pub button_id: &'static str,
}

impl ConfirmPage {
    /// The posted fields to carry, without the `confirm` of an earlier step.
    pub fn carry(pairs: &[(String, String)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .filter(|(k, _)| k != "confirm")
            .cloned()
            .collect()
    }

    fn off(&self, d: &Difference) -> bool {
        d.difference_cents.is_some_and(|c| c != 0)
    }

    pub fn render(&self) -> Response {
        render(self)
    }
}
