"""Demo accounts for a laptop run. Refused when DIEF_ENV=production."""

import hashlib

from accounts.enums import ParticipantRole, Role

# (username, role, State ISO3, participant role, first name, last name, language, time zone, description)
PERSONAS = [
    ("secretariat", Role.SECRETARIAT, None, "", "Sam", "Secretariat", "en", "Europe/Zurich", "Secretariat officer"),
    ("president", Role.CSP_PRESIDENT, None, "", "Pat", "President", "en", "Europe/Zurich", "CSP President"),
    (
        "chair",
        Role.DELEGATE,
        "CHE",
        ParticipantRole.POLICY,
        "Chris",
        "Chair",
        "fr",
        "Europe/Zurich",
        "Chair in office (delegate of Switzerland)",
    ),
    (
        "delegate_fra",
        Role.DELEGATE,
        "FRA",
        ParticipantRole.ENFORCEMENT,
        "Florence",
        "Martin",
        "fr",
        "Europe/Paris",
        "delegate of France, a State Party",
    ),
    (
        "delegate_mex",
        Role.DELEGATE,
        "MEX",
        ParticipantRole.LICENSING,
        "Marisol",
        "Ortega",
        "es",
        "America/Mexico_City",
        "delegate of Mexico, a State Party",
    ),
    (
        "delegate_bgd",
        Role.DELEGATE,
        "BGD",
        ParticipantRole.POLICY,
        "Rahim",
        "Hossain",
        "en",
        "Asia/Dhaka",
        "delegate of Bangladesh, a signatory State",
    ),
    (
        "authority_fra",
        Role.NATIONAL_AUTHORITY,
        "FRA",
        "",
        "Luc",
        "Bernard",
        "fr",
        "Europe/Paris",
        "national authority user of France",
    ),
    (
        "outsider_usa",
        Role.DELEGATE,
        "USA",
        ParticipantRole.OTHER,
        "Otto",
        "Outsider",
        "en",
        "America/New_York",
        "user of a State whose signature was withdrawn: sees nothing",
    ),
    (
        "expert_fra",
        Role.EXPERT,
        "FRA",
        "",
        "Eva",
        "Expert",
        "en",
        "Europe/Zurich",
        "non-state expert invited by France, approved, enrolled; yet to acknowledge the confidentiality obligation",
    ),
    ("admin", Role.ADMINISTRATOR, None, "", "Ada", "Admin", "en", "UTC", "technical administrator (superuser)"),
]

BACKUP_CODES = 5


def password_for(username: str) -> str:
    return f"demo-{username}-2fa!"


def totp_key_hex(username: str) -> str:
    """A fixed 20-byte TOTP key per demo user, so the printed secret stays valid across runs."""
    return hashlib.sha1(f"dief-demo-totp:{username}".encode()).hexdigest()


def backup_codes_for(username: str) -> list[str]:
    digest = hashlib.sha256(f"dief-demo-backup:{username}".encode()).hexdigest()
    return [digest[i * 8 : i * 8 + 8] for i in range(BACKUP_CODES)]
