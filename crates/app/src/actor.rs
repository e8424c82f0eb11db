//! Who is acting: a person or an integration's API key, in one organization, with one role
//! and one language. Channels build it (a session cookie, a bearer key, the command line);
//! the use cases check its permissions against the matrix in `guichet_domain::role`.

use crate::AppError;
use guichet_domain::org::Language;
use guichet_domain::{ApiKeyId, Permission, Role, UserId};
use guichet_store::Tenant;
use guichet_store::users::User;

#[derive(Debug, Clone)]
pub struct Actor {
    pub tenant: Tenant,
    /// The person; `None` when an API key acts.
    pub user: Option<User>,
    /// The integration's key; `None` when a person acts.
    pub api_key: Option<ApiKeyId>,
    pub role: Role,
    /// The language of the texts the use cases write (reasons, labels, e-mails).
    pub lang: Language,
}

impl Actor {
    /// A person acting in an organization.
    pub fn person(user: User, tenant: Tenant, role: Role) -> Actor {
        Actor {
            lang: user.language,
            user: Some(user),
            tenant,
            api_key: None,
            role,
        }
    }

    /// An integration acting through its API key.
    pub fn key(key: ApiKeyId, tenant: Tenant, role: Role) -> Actor {
        Actor {
            tenant,
            user: None,
            api_key: Some(key),
            role,
            lang: Language::En,
        }
    }

    /// The operator acting as an admin of an organization from the machine itself (the
    /// command line, the demo's seed, the benchmarks): no person, no key.
    pub fn operator(tenant: Tenant) -> Actor {
        Actor {
            tenant,
            user: None,
            api_key: None,
            role: Role::Admin,
            lang: Language::Fr,
        }
    }

    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if self.role.allows(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.role.allows(permission)
    }

    pub fn user_id(&self) -> Option<UserId> {
        self.user.as_ref().map(|u| u.id)
    }
}
