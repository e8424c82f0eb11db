//! Where a sale is made.

use super::*;

/// Where a sale is made: at a counter register, at the phone register, or online by the
/// visitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Counter,
    Phone,
    Online,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Counter, Channel::Phone, Channel::Online];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Counter => "counter",
            Channel::Phone => "phone",
            Channel::Online => "online",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s.trim())
    }

    /// Whether something sold at registers (`sale_pos`) and/or online (`sale_online`) is
    /// sold on this channel. Both registers, counter and phone, sell what registers sell.
    pub fn sells(self, sale_pos: bool, sale_online: bool) -> bool {
        match self {
            Channel::Counter | Channel::Phone => sale_pos,
            Channel::Online => sale_online,
        }
    }

    /// The code for something this channel does not sell.
    pub fn not_sold_code(self) -> &'static str {
        match self {
            Channel::Counter | Channel::Phone => "not_sold_at_register",
            Channel::Online => "not_sold_online",
        }
    }
}

impl From<RegisterKind> for Channel {
    fn from(kind: RegisterKind) -> Channel {
        match kind {
            RegisterKind::Counter => Channel::Counter,
            RegisterKind::Phone => Channel::Phone,
        }
    }
}
