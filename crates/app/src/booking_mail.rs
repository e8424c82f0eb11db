//! The confirmation e-mail of an online booking, queued in the outbox in the visitor's
//! language, with the link to their booking page (which shows the tickets).

use crate::{App, AppError};
use guichet_domain::OrderId;
use guichet_domain::org::Language;
use guichet_integrations::i18n::Tr;
use guichet_store::Tenant;

pub async fn enqueue_confirmation(
    state: &App,
    tenant: Tenant,
    order: OrderId,
    to: &str,
    lang: Language,
    page_url: &str,
) -> Result<(), AppError> {
    let tr = Tr(lang);
    let (to, page_url) = (to.to_owned(), page_url.to_owned());
    state
        .store
        .write(|tx| {
            let (to, page_url) = (to.clone(), page_url.clone());
            Box::pin(async move {
                let o = guichet_store::orders::get(tx, tenant, order).await?;
                let org = guichet_store::organizations::get(tx, tenant).await?;
                let number = o.number.clone().unwrap_or_default();
                let subject = tr.t1_2(
                    "booking-mail-subject",
                    ("number", number.clone()),
                    ("organization", org.name.clone()),
                );
                let body = format!(
                    "{}\n\n{}\n{}\n",
                    tr.t1("booking-mail-intro", "number", number),
                    tr.t("booking-mail-page"),
                    page_url
                );
                match o.customer_id {
                    Some(c) => {
                        guichet_store::outbox::enqueue_for_customer(
                            tx, tenant, c, &to, &subject, &body,
                        )
                        .await?
                    }
                    None => {
                        guichet_store::outbox::enqueue(tx, tenant, &to, &subject, &body).await?
                    }
                };
                Ok(())
            })
        })
        .await?;
    Ok(())
}
