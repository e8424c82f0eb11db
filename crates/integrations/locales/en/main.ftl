# Guichet — English catalogue.

## Navigation
nav-menu = Menu
nav-switch-organization = Switch organization
nav-dashboard = Dashboard
nav-sales = Sales
nav-planning = Planning
nav-arrivals = Arrivals
nav-orders = Orders
nav-click-collect = Click & Collect
nav-statistics = Statistics
nav-registers-follow-up = Registers follow-up
nav-my-activity = My activity
nav-description = Description
nav-ticket-types = Ticket types
nav-extras = Extras
nav-offers = Offers
nav-shop = Shop
nav-promotions = Promotions
nav-promo-codes = Promo codes
nav-gift-vouchers = Gift vouchers
nav-gift-cards = Gift cards
nav-calendar = Calendar
nav-distribution = Distribution
nav-booking-widgets = Booking widgets
nav-registers = Registers
nav-sales-channels = Sales channels
nav-marketing = Marketing
nav-customers = Customers
nav-emails = E-mails
nav-account = Account
nav-details = Details
nav-users = Users
nav-taxes = Taxes
nav-api-keys = API keys

## Actions
action-login = Sign in
action-logout = Sign out
action-save = Save
action-cancel = Cancel
action-edit = Edit
action-add = Add
action-archive = Archive
action-restore = Restore
action-delete = Delete
action-revoke = Revoke
action-back = Back
action-back-home = Back to the dashboard
action-switch = Switch
action-new-site = New site
action-new-register = New register
action-create-user = Create user
action-invite = Create invitation
action-enable = Enable user
action-disable = Disable user
action-change-password = Change password
action-accept-invitation = Join
action-create-key = Create key

## Labels
label-email = E-mail address
label-password = Password
label-current-password = Current password
label-new-password = New password
label-confirm-password = Confirm password
label-initial-password = Initial password
label-name = Name
label-org-name = Organization name
label-legal-name = Legal name
label-vat-number = VAT number
label-address = Address
label-street = Street and number
label-postal-code = Postal code
label-city = City
label-country = Country (ISO code, e.g. BE)
label-currency = Currency
label-time-zone = Time zone
label-default-language = Default language
label-language = Language
label-role = Role
label-status = Status
label-label = Label
label-rate = Rate
label-rate-percent = Rate (%)
label-kind = Kind
label-site = Site
label-key = Key
label-created = Created
label-last-used = Last used
label-expires = Expires

role-admin = Administrator
role-manager = Manager
role-seller = Seller

status-active = Active
status-archived = Archived
status-disabled = Disabled
status-revoked = Revoked

## Sign-in
login-title = Sign in
login-refused = Wrong e-mail address or password.
login-throttled = Too many attempts. Try again in a few minutes.
no-organization-title = No organization
no-organization-text = Your account has no access to an active organization. Ask an administrator to add you.
invitation-title = Invitation
invitation-text = You are invited to join { $organization } on Guichet.
invitation-existing-account = You already have a Guichet account with this address: confirm with your password.
password-rule = At least 10 characters.

## Dashboard
dashboard-welcome = Hello { $name }!
dashboard-organization = Organization
dashboard-sites = Sites
dashboard-next-steps = Sales, planning and the shop come with the next versions.
not-available-yet = This part of Guichet is not available yet. It comes with a later version.

## Profile
profile-title = My profile
profile-details = My details
profile-password = Password

## Account
org-details = Organization
sites-title = Sites
sites-edit = Edit site
users-create = Create a user
users-create-help = The account can sign in at once with the chosen password. An address that already has a Guichet account is simply added.
users-invite = Invite by link
users-invite-help = Guichet creates an invitation link valid for 7 days, to give to the person: they choose their own password.
users-no-password-yet = has not chosen a password yet
users-disable-help = A disabled user can no longer sign in to this organization; their open sessions end at once.
users-disabled-help = This user is disabled.
invitations-pending = Pending invitations
invitation-created = Invitation created. Give this link to the invited person (it will not be shown again):
invitation-link = Invitation link
taxes-help = Prices are entered VAT included. A rate in use is archived, never deleted.
taxes-empty = No VAT rate yet.
taxes-new = New rate
taxes-presets = Standard rates
taxes-presets-help = Adds the rates of a country that are still missing.
taxes-preset-be = Belgium (0, 6, 12, 21 %)
taxes-preset-fr = France (5.5, 10, 20 %)
taxes-remove-help = Delete removes a rate never used; a rate in use is archived instead.
registers-help = A phone register only takes future bookings and never cash.
registers-empty = No register yet.
registers-edit = Edit register
register-kind-counter = Counter
register-kind-phone = Phone booking
register-kind-help = Counter: sales on site. Phone: bookings for a later date, no cash and no card terminal.
register-address-help = The register's address, only when it differs from the site's.
api-keys-help = An API key lets another program use Guichet with the chosen role.
api-docs-link = API documentation
api-keys-empty = No API key.
api-keys-new = New key
api-key-created = Key created. Copy it now: it will never be shown again.

## Confirmations
flash-saved = Changes saved.
flash-archived = Archived.
flash-restored = Restored.
flash-deleted = Deleted.
flash-site-saved = Site saved.
flash-register-saved = Register saved.
flash-vat-created = VAT rate added.
flash-vat-preset = Standard rates added.
flash-vat-archived-in-use = This rate is in use: it was archived instead of deleted.
flash-user-created = User added.
flash-user-disabled = User disabled; their sessions have ended.
flash-user-enabled = User enabled.
flash-invitation-revoked = Invitation cancelled.
flash-key-revoked = Key revoked.
flash-profile-saved = Profile saved.
flash-password-changed = Password changed. Your other sessions have ended.

## Field errors
error-invalid = Invalid value.
error-required = This field is required.
error-too_long = Too long.
error-invalid_characters = Characters not allowed.
error-invalid_email = Invalid e-mail address.
error-password_too_short = At least 10 characters.
error-unknown_value = Unknown value.
error-not_a_number = Enter a number, for example 21 or 5.5.
error-too_precise = Two decimals at most.
error-out_of_range = Between 0 and 100.
error-invalid_vat_number = Invalid VAT number (e.g. BE0123456749).
error-vat_number_check_digits = The check digits of this VAT number are wrong.
error-already_exists = Already exists.
error-already_member = This person is already a member of the organization.
error-wrong_password = Wrong password.
error-passwords_differ = The two passwords differ.
error-unknown_site = Unknown site.
error-site_archived = This site is archived.
error-site_has_active_registers = Archive this site's registers first.
error-last_admin = The organization must keep at least one active administrator.
error-in_use = Still in use elsewhere.
error-account_changed_meanwhile = The account changed meanwhile; try again.
error-reference = Error reference:

## Error pages
problem-not_found = This page does not exist.
problem-forbidden = Your role does not allow opening this page.
problem-unauthorized = Sign in to continue.
problem-cross_origin_request = Request refused: it does not come from Guichet.
problem-too_many_attempts = Too many attempts. Try again later.
problem-internal_error = Something went wrong. It has been logged.
problem-validation_failed = Some values are invalid.
