# Guichet — catalogue français (langue par défaut).

## Navigation
nav-menu = Menu
nav-switch-organization = Changer d'établissement
nav-dashboard = Tableau de bord
nav-sales = Ventes
nav-planning = Planning
nav-arrivals = Arrivées
nav-orders = Commandes
nav-click-collect = Click & Collect
nav-statistics = Statistiques
nav-registers-follow-up = Suivi des caisses
nav-my-activity = Mon activité
nav-description = Description
nav-ticket-types = Ressources
nav-extras = Options
nav-offers = Formules
nav-shop = Boutique
nav-promotions = Promotions
nav-promo-codes = Codes promo
nav-gift-vouchers = Chèques cadeaux
nav-gift-cards = Cartes cadeaux
nav-calendar = Calendrier
nav-distribution = Distribution
nav-booking-widgets = Modules de réservation
nav-registers = Caisses
nav-sales-channels = Canaux de vente
nav-marketing = Marketing
nav-customers = Clients
nav-emails = E-mails
nav-account = Compte
nav-details = Coordonnées
nav-users = Utilisateurs
nav-taxes = Taxes
nav-api-keys = Clés d'API

## Actions
action-login = Se connecter
action-logout = Se déconnecter
action-save = Enregistrer
action-cancel = Annuler
action-edit = Modifier
action-add = Ajouter
action-archive = Archiver
action-restore = Réactiver
action-delete = Supprimer
action-revoke = Révoquer
action-back = Retour
action-back-home = Retour à l'accueil
action-switch = Changer
action-new-site = Nouveau site
action-new-register = Nouvelle caisse
action-create-user = Créer l'utilisateur
action-invite = Envoyer l'invitation
action-enable = Réactiver l'utilisateur
action-disable = Désactiver l'utilisateur
action-change-password = Changer le mot de passe
action-accept-invitation = Rejoindre
action-create-key = Créer la clé

## Libellés
label-email = Adresse e-mail
label-password = Mot de passe
label-current-password = Mot de passe actuel
label-new-password = Nouveau mot de passe
label-confirm-password = Confirmer le mot de passe
label-initial-password = Mot de passe initial
label-name = Nom
label-org-name = Nom de l'établissement
label-legal-name = Dénomination légale
label-vat-number = Numéro de TVA
label-address = Adresse
label-street = Rue et numéro
label-postal-code = Code postal
label-city = Localité
label-country = Pays (code ISO, ex. BE)
label-currency = Devise
label-time-zone = Fuseau horaire
label-default-language = Langue par défaut
label-language = Langue
label-role = Rôle
label-status = Statut
label-label = Libellé
label-rate = Taux
label-rate-percent = Taux (%)
label-kind = Type
label-site = Site
label-key = Clé
label-created = Créée le
label-last-used = Dernière utilisation
label-expires = Expire le

role-admin = Administrateur
role-manager = Utilisateur
role-seller = Vendeur

status-active = Actif
status-archived = Archivé
status-disabled = Désactivé
status-revoked = Révoquée

## Connexion
login-title = Connexion
login-refused = Adresse e-mail ou mot de passe incorrect.
login-throttled = Trop de tentatives. Réessayez dans quelques minutes.
no-organization-title = Aucun établissement
no-organization-text = Votre compte n'a accès à aucun établissement actif. Demandez à un administrateur de vous ajouter.
invitation-title = Invitation
invitation-text = Vous êtes invité à rejoindre { $organization } sur Guichet.
invitation-existing-account = Vous avez déjà un compte Guichet avec cette adresse : confirmez avec votre mot de passe.
password-rule = Au moins 10 caractères.

## Tableau de bord
dashboard-welcome = Bonjour { $name } !
dashboard-organization = Établissement
dashboard-sites = Sites
dashboard-next-steps = Les ventes, le planning et la boutique arrivent avec les prochaines versions.
not-available-yet = Cette partie de Guichet n'est pas encore disponible. Elle arrive avec une prochaine version.

## Profil
profile-title = Mon profil
profile-details = Mes informations
profile-password = Mot de passe

## Compte
org-details = Établissement
sites-title = Sites
sites-edit = Modifier le site
users-create = Créer un utilisateur
users-create-help = Le compte peut se connecter tout de suite avec le mot de passe choisi. Une adresse qui a déjà un compte Guichet est simplement ajoutée.
users-invite = Inviter par lien
users-invite-help = Guichet crée un lien d'invitation valable 7 jours, à transmettre à la personne : elle choisit elle-même son mot de passe.
users-no-password-yet = n'a pas encore choisi de mot de passe
users-disable-help = Un utilisateur désactivé ne peut plus se connecter à cet établissement ; ses sessions ouvertes sont fermées immédiatement.
users-disabled-help = Cet utilisateur est désactivé.
invitations-pending = Invitations en attente
invitation-created = Invitation créée. Transmettez ce lien à la personne invitée (il ne sera plus affiché) :
invitation-link = Lien d'invitation
taxes-help = Les prix sont saisis TVA comprise. Un taux déjà utilisé est archivé, jamais supprimé.
taxes-empty = Aucun taux de TVA pour l'instant.
taxes-new = Nouveau taux
taxes-presets = Taux standards
taxes-presets-help = Ajoute les taux d'un pays qui manquent encore.
taxes-preset-be = Belgique (0, 6, 12, 21 %)
taxes-preset-fr = France (5,5, 10, 20 %)
taxes-remove-help = Supprimer retire un taux jamais utilisé ; un taux utilisé est archivé à la place.
registers-help = Une caisse « téléphone » ne prend que des réservations futures et jamais d'espèces.
registers-empty = Aucune caisse pour l'instant.
registers-edit = Modifier la caisse
register-kind-counter = Comptoir
register-kind-phone = Réservation par téléphone
register-kind-help = Comptoir : vente sur place. Téléphone : réservations pour une date future, sans espèces ni terminal.
register-address-help = Adresse de la caisse, seulement si elle diffère de celle du site.
api-keys-help = Une clé d'API permet à un autre logiciel d'utiliser Guichet avec le rôle choisi.
api-docs-link = Documentation de l'API
api-keys-empty = Aucune clé d'API.
api-keys-new = Nouvelle clé
api-key-created = Clé créée. Copiez-la maintenant : elle ne sera plus jamais affichée.

## Confirmations
flash-saved = Modifications enregistrées.
flash-archived = Archivé.
flash-restored = Réactivé.
flash-deleted = Supprimé.
flash-site-saved = Site enregistré.
flash-register-saved = Caisse enregistrée.
flash-vat-created = Taux de TVA ajouté.
flash-vat-preset = Taux standards ajoutés.
flash-vat-archived-in-use = Ce taux est utilisé : il a été archivé au lieu d'être supprimé.
flash-user-created = Utilisateur ajouté.
flash-user-disabled = Utilisateur désactivé ; ses sessions sont fermées.
flash-user-enabled = Utilisateur réactivé.
flash-invitation-revoked = Invitation annulée.
flash-key-revoked = Clé révoquée.
flash-profile-saved = Profil enregistré.
flash-password-changed = Mot de passe changé. Vos autres sessions ont été fermées.

## Erreurs de champs
error-invalid = Valeur non valide.
error-required = Ce champ est obligatoire.
error-too_long = Trop long.
error-invalid_characters = Caractères non autorisés.
error-invalid_email = Adresse e-mail non valide.
error-password_too_short = Au moins 10 caractères.
error-unknown_value = Valeur inconnue.
error-not_a_number = Saisissez un nombre, par exemple 21 ou 5,5.
error-too_precise = Deux décimales au plus.
error-out_of_range = Entre 0 et 100.
error-invalid_vat_number = Numéro de TVA non valide (ex. BE0123456749).
error-vat_number_check_digits = Les chiffres de contrôle de ce numéro de TVA sont faux.
error-already_exists = Existe déjà.
error-already_member = Cette personne fait déjà partie de l'établissement.
error-wrong_password = Mot de passe incorrect.
error-passwords_differ = Les deux mots de passe diffèrent.
error-unknown_site = Site inconnu.
error-site_archived = Ce site est archivé.
error-site_has_active_registers = Archivez d'abord les caisses de ce site.
error-last_admin = L'établissement doit garder au moins un administrateur actif.
error-in_use = Encore utilisé ailleurs.
error-account_changed_meanwhile = Le compte a changé entre-temps ; réessayez.
error-reference = Référence de l'erreur :

## Pages d'erreur
problem-not_found = Cette page n'existe pas.
problem-forbidden = Votre rôle ne permet pas d'ouvrir cette page.
problem-unauthorized = Connectez-vous pour continuer.
problem-cross_origin_request = Requête refusée : elle ne vient pas de Guichet.
problem-too_many_attempts = Trop de tentatives. Réessayez plus tard.
problem-internal_error = Une erreur s'est produite. Elle a été enregistrée.
problem-validation_failed = Certaines valeurs ne sont pas valides.
