//! The uploaded import files a customer's erasure must take away with them.

use guichet_integrations::imports;
use guichet_store::customer_imports as records;
use guichet_store::customers::Customer;

/// Erasure: removes every stored import file of the organization that holds the customer
/// (before erasure) in one of its rows, in the erasure's transaction. The whole file goes,
/// not only their row: an import is confirmed minutes after its upload, and a rewritten
/// spreadsheet could keep them in a cell nobody thought of; a file pending confirmation is
/// uploaded again. A file that no longer reads goes too, since nobody can tell.
pub(crate) async fn purge_of(
    tx: &mut guichet_store::Tx,
    tenant: guichet_store::Tenant,
    who: &Customer,
) -> Result<(), guichet_store::StoreError> {
    use guichet_domain::erasure::{Identity, Person};
    let person = Person::new(Identity {
        first_name: who.first_name.as_deref(),
        last_name: who.last_name.as_deref(),
        email: who.email.as_deref(),
        phone: who.phone.as_deref(),
        iban: who.iban.as_deref(),
    });
    if person.is_empty() {
        return Ok(());
    }
    for id in records::kept_ids(tx, tenant).await? {
        let file = records::get(tx, tenant, id).await?;
        let theirs = match imports::read(&file.filename, &file.content) {
            Ok(sheet) => std::iter::once(&sheet.headers)
                .chain(&sheet.rows)
                .any(|r| person.in_row(r)),
            Err(_) => true,
        };
        if theirs {
            records::purge(tx, tenant, id).await?;
        }
    }
    Ok(())
}
