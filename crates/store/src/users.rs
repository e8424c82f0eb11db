//! Users (people who sign in), their memberships of organizations with a role, and
//! invitations. A user is global (one e-mail, one password) and may belong to several
//! organizations; everything an organization sees of a user goes through its membership.

use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx, token_hash};
use guichet_domain::org::{Email, Language};
use guichet_domain::{InvitationId, MembershipId, OrganizationId, Role, UserId};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub language: Language,
}

/// A user as one organization sees them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Member {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub language: Language,
    pub role: Role,
    pub disabled: bool,
    /// False until an invited user has chosen a password.
    pub can_sign_in: bool,
}

/// An organization a user belongs to (for the organization switcher).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MembershipSummary {
    pub organization_id: OrganizationId,
    pub organization_name: String,
    pub role: Role,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Uuid,
    email: String,
    name: String,
    language: String,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: UserId(r.id),
            email: r.email,
            name: r.name,
            language: Language::parse(&r.language).unwrap_or_default(),
        }
    }
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    id: Uuid,
    email: String,
    name: String,
    language: String,
    role: String,
    disabled_at: Option<i64>,
    has_password: bool,
}

impl From<MemberRow> for Member {
    fn from(r: MemberRow) -> Self {
        Member {
            id: UserId(r.id),
            email: r.email,
            name: r.name,
            language: Language::parse(&r.language).unwrap_or_default(),
            role: Role::parse(&r.role).unwrap_or(Role::Seller),
            disabled: r.disabled_at.is_some(),
            can_sign_in: r.has_password,
        }
    }
}

pub async fn create_user(
    tx: &mut Tx,
    email: &Email,
    name: &str,
    language: Language,
    password_hash: Option<&str>,
) -> Result<User> {
    let id = UserId::new();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO users (id, email, name, language, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id.0)
        .bind(email.as_str())
        .bind(name)
        .bind(language.as_str())
        .bind(password_hash)
        .bind(now_micros())
        .execute(c)
        .await
        .map_err(|e| StoreError::on_constraint(e, "email"))?.rows_affected());
    get_user(tx, id).await
}

pub async fn get_user(tx: &mut Tx, id: UserId) -> Result<User> {
    let row: Option<UserRow> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, email, name, language FROM users WHERE id = $1")
        .bind(id.0)
        .fetch_optional(c)
        .await?);
    row.map(User::from).ok_or(StoreError::NotFound)
}

/// The user with this login and their password hash (none until an invitation is accepted).
pub async fn find_for_login(tx: &mut Tx, email: &Email) -> Result<Option<(User, Option<String>)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: UserRow,
        password_hash: Option<String>,
    }
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, email, name, language, password_hash FROM users WHERE email = $1")
        .bind(email.as_str())
        .fetch_optional(c)
        .await?);
    Ok(row.map(|r| (User::from(r.user), r.password_hash)))
}

pub async fn find_by_email(tx: &mut Tx, email: &Email) -> Result<Option<User>> {
    Ok(find_for_login(tx, email).await?.map(|(u, _)| u))
}

pub async fn password_hash(tx: &mut Tx, id: UserId) -> Result<Option<String>> {
    let hash: Option<Option<String>> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT password_hash FROM users WHERE id = $1")
        .bind(id.0)
        .fetch_optional(c)
        .await?);
    hash.ok_or(StoreError::NotFound)
}

pub async fn update_profile(
    tx: &mut Tx,
    id: UserId,
    name: &str,
    language: Language,
) -> Result<User> {
    on_tx!(tx, c => sqlx::query("UPDATE users SET name = $2, language = $3 WHERE id = $1")
        .bind(id.0)
        .bind(name)
        .bind(language.as_str())
        .execute(c)
        .await?.rows_affected());
    get_user(tx, id).await
}

pub async fn set_password_hash(tx: &mut Tx, id: UserId, hash: &str) -> Result<()> {
    on_tx!(tx, c => sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(id.0)
        .bind(hash)
        .execute(c)
        .await?.rows_affected());
    Ok(())
}

/// Adds an existing user to the tenant with a role.
pub async fn add_member(tx: &mut Tx, tenant: Tenant, user: UserId, role: Role) -> Result<Member> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO memberships (id, organization_id, user_id, role, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(MembershipId::new().0)
        .bind(tenant.id().0)
        .bind(user.0)
        .bind(role.as_str())
        .bind(now_micros())
        .execute(c)
        .await
        .map_err(|e| StoreError::on_constraint(e, "member"))?.rows_affected());
    get_member(tx, tenant, user).await
}

const MEMBER_SELECT: &str = "SELECT u.id, u.email, u.name, u.language, m.role, m.disabled_at,
    (u.password_hash IS NOT NULL) AS has_password
    FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.organization_id = $1";

pub async fn list_members(tx: &mut Tx, tenant: Tenant) -> Result<Vec<Member>> {
    let sql = format!("{MEMBER_SELECT} ORDER BY m.disabled_at IS NOT NULL, u.name, u.email");
    let rows: Vec<MemberRow> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .fetch_all(c)
        .await?);
    Ok(rows.into_iter().map(Member::from).collect())
}

pub async fn get_member(tx: &mut Tx, tenant: Tenant, user: UserId) -> Result<Member> {
    let sql = format!("{MEMBER_SELECT} AND u.id = $2");
    let row: Option<MemberRow> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .bind(user.0)
        .fetch_optional(c)
        .await?);
    row.map(Member::from).ok_or(StoreError::NotFound)
}

/// An active admin of the organization, the oldest: who an invitation made by an API key or
/// the operator is sent in the name of.
pub async fn first_admin(tx: &mut Tx, tenant: Tenant) -> Result<UserId> {
    let id: Option<Uuid> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT user_id FROM memberships WHERE organization_id = $1 AND role = 'admin'
         AND disabled_at IS NULL ORDER BY created_at, user_id LIMIT 1")
        .bind(tenant.id().0)
        .fetch_optional(c)
        .await?);
    id.map(UserId).ok_or(StoreError::NotFound)
}

/// An organization must keep at least one active admin, or nobody could manage it.
async fn ensure_other_admin(tx: &mut Tx, tenant: Tenant, user: UserId) -> Result<()> {
    let others = list_members(tx, tenant)
        .await?
        .into_iter()
        .filter(|m| m.id != user && m.role == Role::Admin && !m.disabled)
        .count();
    if others == 0 {
        Err(StoreError::Refused("last_admin"))
    } else {
        Ok(())
    }
}

pub async fn set_role(tx: &mut Tx, tenant: Tenant, user: UserId, role: Role) -> Result<Member> {
    let current = get_member(tx, tenant, user).await?;
    if current.role == Role::Admin && role != Role::Admin && !current.disabled {
        ensure_other_admin(tx, tenant, user).await?;
    }
    on_tx!(tx, c => sqlx::query("UPDATE memberships SET role = $3 WHERE organization_id = $1 AND user_id = $2")
        .bind(tenant.id().0)
        .bind(user.0)
        .bind(role.as_str())
        .execute(c)
        .await?.rows_affected());
    get_member(tx, tenant, user).await
}

/// Disables or re-enables a member. Disabling ends the user's sessions in this
/// organization at once.
pub async fn set_disabled(
    tx: &mut Tx,
    tenant: Tenant,
    user: UserId,
    disabled: bool,
) -> Result<Member> {
    let current = get_member(tx, tenant, user).await?;
    if disabled && current.role == Role::Admin && !current.disabled {
        ensure_other_admin(tx, tenant, user).await?;
    }
    if disabled == current.disabled {
        return Ok(current);
    }
    on_tx!(tx, c => sqlx::query("UPDATE memberships SET disabled_at = $3 WHERE organization_id = $1 AND user_id = $2")
        .bind(tenant.id().0)
        .bind(user.0)
        .bind(disabled.then(now_micros))
        .execute(c)
        .await?.rows_affected());
    if disabled {
        crate::sessions::end_for_member(tx, tenant, user).await?;
    }
    get_member(tx, tenant, user).await
}

/// The tenant and role of an active membership: how a signed-in user gets a [`Tenant`].
pub async fn membership(
    tx: &mut Tx,
    user: UserId,
    org: OrganizationId,
) -> Result<Option<(Tenant, Role)>> {
    let role: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT role FROM memberships WHERE user_id = $1 AND organization_id = $2 AND disabled_at IS NULL")
        .bind(user.0)
        .bind(org.0)
        .fetch_optional(c)
        .await?);
    Ok(role.and_then(|r| Role::parse(&r)).map(|r| (Tenant(org), r)))
}

/// The organizations a user may act in, by name.
pub async fn memberships_of(tx: &mut Tx, user: UserId) -> Result<Vec<MembershipSummary>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        organization_id: Uuid,
        name: String,
        role: String,
    }
    let rows: Vec<Row> = on_tx!(tx, c => sqlx::query_as(
        "SELECT m.organization_id, o.name, m.role FROM memberships m
         JOIN organizations o ON o.id = m.organization_id
         WHERE m.user_id = $1 AND m.disabled_at IS NULL ORDER BY o.name, o.id")
        .bind(user.0)
        .fetch_all(c)
        .await?);
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Role::parse(&r.role).map(|role| MembershipSummary {
                organization_id: OrganizationId(r.organization_id),
                organization_name: r.name,
                role,
            })
        })
        .collect())
}

/// A pending invitation, as the admin sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Invitation {
    pub id: InvitationId,
    pub email: String,
    pub role: Role,
    pub expires_at: i64,
}

/// What the invited person sees when opening the link.
#[derive(Debug, Clone)]
pub struct InvitationToAccept {
    pub id: InvitationId,
    pub tenant: Tenant,
    pub organization_name: String,
    pub email: Email,
    pub role: Role,
    /// The invited e-mail already has an account (member of another organization).
    pub existing_user: Option<UserId>,
}

/// Invitations are valid for seven days.
pub const INVITATION_VALIDITY_MICROS: i64 = 7 * 24 * 3600 * 1_000_000;

/// Creates an invitation and returns its secret token (only its hash is stored).
pub async fn invite(
    tx: &mut Tx,
    tenant: Tenant,
    email: &Email,
    role: Role,
    by: UserId,
) -> Result<(Invitation, String)> {
    if let Some(user) = find_by_email(tx, email).await?
        && get_member(tx, tenant, user.id).await.is_ok()
    {
        return Err(StoreError::Duplicate("member"));
    }
    let token = crate::new_token();
    let id = InvitationId::new();
    let now = now_micros();
    // A new invitation replaces an older pending one for the same address.
    on_tx!(tx, c => sqlx::query(
        "UPDATE invitations SET revoked_at = $3 WHERE organization_id = $1 AND email = $2
         AND accepted_at IS NULL AND revoked_at IS NULL")
        .bind(tenant.id().0)
        .bind(email.as_str())
        .bind(now)
        .execute(c)
        .await?.rows_affected());
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO invitations (id, organization_id, email, role, token_hash, invited_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(id.0)
        .bind(tenant.id().0)
        .bind(email.as_str())
        .bind(role.as_str())
        .bind(token_hash(&token))
        .bind(by.0)
        .bind(now)
        .bind(now + INVITATION_VALIDITY_MICROS)
        .execute(c)
        .await?.rows_affected());
    Ok((
        Invitation {
            id,
            email: email.as_str().to_owned(),
            role,
            expires_at: now + INVITATION_VALIDITY_MICROS,
        },
        token,
    ))
}

pub async fn pending_invitations(tx: &mut Tx, tenant: Tenant) -> Result<Vec<Invitation>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: Uuid,
        email: String,
        role: String,
        expires_at: i64,
    }
    let rows: Vec<Row> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, email, role, expires_at FROM invitations WHERE organization_id = $1
         AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at")
        .bind(tenant.id().0)
        .bind(now_micros())
        .fetch_all(c)
        .await?);
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Role::parse(&r.role).map(|role| Invitation {
                id: InvitationId(r.id),
                email: r.email,
                role,
                expires_at: r.expires_at,
            })
        })
        .collect())
}

pub async fn revoke_invitation(tx: &mut Tx, tenant: Tenant, id: InvitationId) -> Result<()> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE invitations SET revoked_at = $3 WHERE organization_id = $1 AND id = $2
         AND accepted_at IS NULL AND revoked_at IS NULL")
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(now_micros())
        .execute(c)
        .await?
        .rows_affected());
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

/// The pending, unexpired invitation behind a token.
pub async fn invitation_by_token(tx: &mut Tx, token: &str) -> Result<InvitationToAccept> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: Uuid,
        organization_id: Uuid,
        name: String,
        email: String,
        role: String,
    }
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(
        "SELECT i.id, i.organization_id, o.name, i.email, i.role FROM invitations i
         JOIN organizations o ON o.id = i.organization_id
         WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $2")
        .bind(token_hash(token))
        .bind(now_micros())
        .fetch_optional(c)
        .await?);
    let row = row.ok_or(StoreError::NotFound)?;
    let email = Email::parse(&row.email).map_err(|_| StoreError::NotFound)?;
    let existing_user = find_by_email(tx, &email).await?.map(|u| u.id);
    Ok(InvitationToAccept {
        id: InvitationId(row.id),
        tenant: Tenant(OrganizationId(row.organization_id)),
        organization_name: row.name,
        email,
        role: Role::parse(&row.role).unwrap_or(Role::Seller),
        existing_user,
    })
}

/// Accepts an invitation: creates the user when the e-mail is new (with the chosen name,
/// language and password), then the membership.
pub async fn accept_invitation(
    tx: &mut Tx,
    token: &str,
    new_user: Option<(&str, Language, &str)>,
) -> Result<(UserId, Tenant)> {
    let inv = invitation_by_token(tx, token).await?;
    let user = match (inv.existing_user, new_user) {
        (Some(id), _) => id,
        (None, Some((name, language, hash))) => {
            create_user(tx, &inv.email, name, language, Some(hash))
                .await?
                .id
        }
        (None, None) => return Err(StoreError::Refused("password_required")),
    };
    add_member(tx, inv.tenant, user, inv.role).await?;
    on_tx!(tx, c => sqlx::query("UPDATE invitations SET accepted_at = $2 WHERE id = $1")
        .bind(inv.id.0)
        .bind(now_micros())
        .execute(c)
        .await?.rows_affected());
    Ok((user, inv.tenant))
}
