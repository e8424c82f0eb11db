//! Roles and the permission matrix (PRODUCT.md: admin does everything; manager sells and
//! modifies orders and sets up the activity; seller sells only). The matrix is written once
//! here and enforced on the server for pages and API alike.

use serde::{Deserialize, Serialize};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Seller,
    Manager,
    Admin,
}

/// Something a member of an organization may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See the dashboard, change one's own profile and password.
    UseBackOffice,
    /// Read the organization's details and sites.
    ViewOrganization,
    /// Change the organization's details and its sites.
    EditOrganization,
    /// Read the VAT rates.
    ViewVatRates,
    /// Create, edit and archive VAT rates.
    ManageVatRates,
    /// Create, edit and archive registers.
    ManageRegisters,
    /// Create, invite, change the role of and disable users.
    ManageUsers,
    /// Create and revoke API keys.
    ManageApiKeys,
    /// Set up what is sold (shop products and groups, later ticket types and offers),
    /// record stock movements and counts, export stock.
    ManageCatalogue,
    /// Sell at a register: create orders and quotes, take payments, make part of a cart free.
    Sell,
    /// Change a price up or down at the register (with a reason).
    ChangePrice,
    /// Cancel an order (giving back places and stock, refunding).
    CancelOrder,
    /// Choose which payment methods the organization offers.
    ManagePaymentMethods,
    /// Export the customer file and erase a customer on request (privacy).
    ManageCustomers,
    /// Read every register's Zs and the daily to annual summaries (a seller reads the X and Z
    /// of the register they close).
    ViewClosings,
    /// Set up what the attraction distributes online: booking modules for its website.
    ManageDistribution,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Manager, Role::Seller];

    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::Manager => matches!(
                permission,
                UseBackOffice
                    | ViewOrganization
                    | ViewVatRates
                    | ManageRegisters
                    | ManageCatalogue
                    | Sell
                    | ChangePrice
                    | CancelOrder
                    | ViewClosings
                    | ManageCustomers
                    | ManageDistribution
            ),
            Role::Seller => matches!(permission, UseBackOffice | Sell),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Seller => "seller",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "admin" => Some(Role::Admin),
            "manager" => Some(Role::Manager),
            "seller" => Some(Role::Seller),
            _ => None,
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seller_cannot_open_setup() {
        for p in [
            Permission::ManageUsers,
            Permission::ManageVatRates,
            Permission::ViewVatRates,
            Permission::ManageRegisters,
            Permission::EditOrganization,
            Permission::ViewOrganization,
            Permission::ManageApiKeys,
            Permission::ManageCatalogue,
            Permission::ViewClosings,
            Permission::ManageCustomers,
            Permission::ManageDistribution,
        ] {
            assert!(!Role::Seller.allows(p), "{p:?}");
        }
        assert!(Role::Seller.allows(Permission::UseBackOffice));
    }

    #[test]
    fn manager_cannot_manage_users_or_keys() {
        assert!(!Role::Manager.allows(Permission::ManageUsers));
        assert!(!Role::Manager.allows(Permission::ManageApiKeys));
        assert!(!Role::Manager.allows(Permission::ManageVatRates));
        assert!(Role::Manager.allows(Permission::ManageRegisters));
        assert!(Role::Manager.allows(Permission::ManageDistribution));
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
