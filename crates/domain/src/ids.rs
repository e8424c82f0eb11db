//! Identifiers are UUIDv7 made by the application (no database sequences: see ARCHITECTURE.md).
//! Each entity has its own newtype so an organization id cannot be passed where a user id
//! is expected.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

id_type!(
    OrganizationId,
    SiteId,
    UserId,
    MembershipId,
    VatRateId,
    RegisterId,
    RegisterSessionId,
    CashMovementId,
    ApiKeyId,
    InvitationId,
    ProductId,
    GroupId,
    ItemId,
    OfferId,
    OrderId,
    OrderLineId,
    PaymentId,
    CustomerId,
    CustomerTypeId,
    PromotionId,
    PromoCodeId,
    BookingModuleId,
);
